import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  anonymousVolumePoint,
  parseBind,
  parseMount,
  parseVolumesFrom,
  readWrite,
  tmpfsOptions,
  validMountMode,
} from './mount-spec.ts';

const exists = (p: string) => p === '/src' || p === '/tmp';

describe('parseBind (-v)', () => {
  test('an absolute source is a bind, created at start when missing', () => {
    assert.deepEqual(parseBind('/src:/dst:ro').point, {
      Type: 'bind',
      Source: '/src',
      Destination: '/dst',
      Mode: 'ro',
      RW: false,
      Propagation: 'rprivate',
      CreateSource: true,
    });
    const p = parseBind('/src/:/dst/:rw,rshared').point;
    assert.equal(p.Source, '/src');
    assert.equal(p.Destination, '/dst');
    assert.equal(p.RW, true);
    assert.equal(p.Propagation, 'rshared');
  });

  test('a name is a volume, marked z, copied up unless nocopy', () => {
    const p = parseBind('data:/var/lib/data');
    assert.equal(p.point.Type, 'volume');
    assert.equal(p.point.Name, 'data');
    assert.equal(p.point.Mode, 'z');
    assert.equal(p.point.CopyData, true);
    assert.equal(p.point.Anonymous, undefined);
    const nc = parseBind('data:/x:ro,nocopy').point;
    assert.equal(nc.CopyData, false);
    assert.equal(nc.RW, false);
    assert.equal(nc.Mode, 'ro,nocopy');
  });

  test("dockerd's errors", () => {
    assert.throws(() => parseBind('/a:/b:bogus'), /^EngineError: invalid mode: bogus$/);
    assert.throws(() => parseBind('/a:/b:ro,rw'), /invalid mode: ro,rw/);
    assert.throws(() => parseBind('a:b:c:d'), /^EngineError: invalid volume specification: 'a:b:c:d'$/);
    assert.throws(() => parseBind(':/x'), /invalid volume specification: ':\/x'/);
    assert.throws(() => parseBind('/foo:rw'), /invalid volume specification: '\/foo:rw'$/);
    assert.throws(
      () => parseBind('/tmp:x'),
      /invalid volume specification: '\/tmp:x': invalid mount config for type "bind": invalid mount path: 'x' mount path must be absolute/,
    );
    assert.throws(
      () => parseBind('/tmp:/'),
      /invalid volume specification: '\/tmp:\/': invalid mount config for type "bind": invalid specification: destination can't be '\/'/,
    );
  });
});

describe('parseMount (--mount)', () => {
  test('bind: propagation, bind-nonrecursive, readonly; the source must exist', () => {
    const p = parseMount(
      {
        Type: 'bind',
        Source: '/src',
        Target: '/dst',
        ReadOnly: true,
        BindOptions: { Propagation: 'rslave', NonRecursive: true },
      },
      exists,
    ).point;
    assert.deepEqual(p, {
      Type: 'bind',
      Source: '/src',
      Destination: '/dst',
      Mode: '',
      RW: false,
      Propagation: 'rslave',
      NonRecursive: true,
    });
    assert.throws(
      () => parseMount({ Type: 'bind', Source: '/x', Target: '/y' }, exists),
      /^EngineError: invalid mount config for type "bind": bind source path does not exist: \/x$/,
    );
    const created = parseMount(
      { Type: 'bind', Source: '/x', Target: '/y', BindOptions: { CreateMountpoint: true } },
      exists,
    ).point;
    assert.equal(created.CreateSource, true);
  });

  test('volume: named with labels, driver options, nocopy and subpath; anonymous', () => {
    const p = parseMount(
      {
        Type: 'volume',
        Source: 'v1',
        Target: '/data',
        VolumeOptions: {
          NoCopy: true,
          Labels: { a: 'b' },
          Subpath: 'sub/dir',
          DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } },
        },
      },
      exists,
    );
    assert.equal(p.point.Name, 'v1');
    assert.equal(p.point.Mode, 'z');
    assert.equal(p.point.CopyData, false);
    assert.equal(p.point.Subpath, 'sub/dir');
    assert.deepEqual(p.volume, {
      driver: 'local',
      labels: { a: 'b' },
      options: { type: 'tmpfs', device: 'tmpfs' },
    });
    const anon = parseMount({ Type: 'volume', Target: '/x' }, exists).point;
    assert.equal(anon.Anonymous, true);
    assert.equal(anon.Name, '');
    assert.equal(anon.CopyData, true);
  });

  test('tmpfs: size in the largest even unit, mode in octal, ro', () => {
    const p = parseMount(
      { Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1700 } },
      exists,
    ).point;
    assert.equal(p.TmpfsOptions, 'ro,mode=1700,size=1m');
    assert.equal(tmpfsOptions({ SizeBytes: 1536 }, false), 'size=1536');
    assert.equal(tmpfsOptions({ SizeBytes: 3 * 1024 ** 3 }, false), 'size=3g');
    assert.equal(tmpfsOptions({ Options: [['exec'], ['nr_inodes', '100']] }, false), 'exec,nr_inodes=100');
  });

  test("dockerd's errors", () => {
    const err = (m: object) => {
      try {
        parseMount(m, exists);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    assert.equal(
      err({ Type: 'foo', Target: '/x' }),
      'invalid mount config for type "foo": mount type unknown',
    );
    assert.equal(err({ Target: '/x' }), 'invalid mount config for type "": mount type unknown');
    assert.equal(
      err({ Type: 'bind', Target: '/x' }),
      'invalid mount config for type "bind": field Source must not be empty',
    );
    assert.equal(
      err({ Type: 'bind', Source: '/tmp', Target: '/x', VolumeOptions: {} }),
      'invalid mount config for type "bind": field VolumeOptions must not be specified',
    );
    assert.equal(
      err({ Type: 'bind', Source: 'rel', Target: '/x' }),
      `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
    );
    assert.equal(
      err({ Type: 'bind', Source: '/tmp', Target: '/x', BindOptions: { Propagation: 'weird' } }),
      'invalid mount config for type "bind": invalid propagation mode: weird',
    );
    assert.equal(
      err({ Type: 'tmpfs', Source: 'x', Target: '/x' }),
      'invalid mount config for type "tmpfs": field Source must not be specified',
    );
    assert.equal(
      err({ Type: 'volume', Target: '/x', ReadOnly: true }),
      'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes',
    );
    assert.equal(
      err({ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { Subpath: '../up' } }),
      'invalid mount config for type "volume": subpath must be a relative path within the volume',
    );
    assert.equal(
      err({ Type: 'volume', Source: 'v' }),
      'invalid mount config for type "volume": field Target must not be empty',
    );
  });
});

describe('volumes-from and modes', () => {
  test('parseVolumesFrom', () => {
    assert.deepEqual(parseVolumesFrom('web'), { ref: 'web', rw: true });
    assert.deepEqual(parseVolumesFrom('web:ro'), { ref: 'web', rw: false });
    assert.deepEqual(parseVolumesFrom('web:rw'), { ref: 'web', rw: true });
    assert.throws(() => parseVolumesFrom('web:bogus'), /invalid mode: bogus/);
    assert.throws(() => parseVolumesFrom('web:rshared'), /invalid mode: rshared/);
    assert.throws(() => parseVolumesFrom('web:nocopy'), /invalid mode: nocopy/);
    assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
  });

  test('validMountMode allows one of each kind', () => {
    for (const ok of ['', 'ro', 'rw,z', 'Z,rslave,nocopy,cached']) assert.ok(validMountMode(ok), ok);
    for (const bad of ['x', 'ro,rw', 'z,Z', 'shared,slave', 'nocopy,nocopy', 'ro,'])
      assert.ok(!validMountMode(bad), bad);
    assert.equal(readWrite('z,ro'), false);
    assert.equal(readWrite('z'), true);
  });

  test("an image VOLUME is an anonymous volume with the image's content copied in", () => {
    assert.deepEqual(anonymousVolumePoint('/data/'), {
      Type: 'volume',
      Name: '',
      Source: '',
      Destination: '/data',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
      CopyData: true,
      Anonymous: true,
    });
    // dockerd takes a relative one (shell-form `VOLUME [/logs]` makes `[/logs]`) from the root.
    assert.equal(anonymousVolumePoint('[/logs]').Destination, '/[/logs]');
  });
});
