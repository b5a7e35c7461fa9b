import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/log.ts';
import type { ContainerRecord } from '../containers/model.ts';
import type { EventInput } from '../events.ts';
import { anonymousLabel } from './names.ts';
import { VolumeService } from './service.ts';
import { newVolumes, recordingSys } from './test-helpers.ts';

const actions = (events: EventInput[]) => events.map((e) => `${e.Action} ${e.Actor.ID}`);

describe('volume service', () => {
  test('create writes the volume and its metadata; create again returns it', async () => {
    const { svc, root, events } = await newVolumes();
    const v = await svc.create({ Name: 'data', Labels: { app: 'web' } });
    assert.equal(v.Mountpoint, path.join(root, 'data/_data'));
    assert.deepEqual(v.Labels, { app: 'web' });
    assert.equal(v.Options, null);
    assert.equal(v.Scope, 'local');
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(existsSync(path.join(root, 'data/_data')));
    const meta = JSON.parse(await fs.readFile(path.join(root, 'data/volume.json'), 'utf8'));
    assert.equal(meta.Name, 'data');
    assert.deepEqual(await svc.create({ Name: 'data' }), v);
    // Options that would not make a volume are not looked at for one that exists, as in dockerd.
    assert.deepEqual(await svc.create({ Name: 'data', DriverOpts: { type: 'tmpfs' } }), v);
    assert.deepEqual(actions(events), ['create data', 'create data', 'create data']);
  });

  test("dockerd's errors: names, options, drivers, missing volumes", async () => {
    const { svc } = await newVolumes();
    await assert.rejects(svc.create({ Name: 'a' }), /create a: volume name is too short/);
    await assert.rejects(
      svc.create({ Name: 'x1', DriverOpts: { foo: 'bar' } }),
      /create x1: invalid option: "foo"/,
    );
    await assert.rejects(
      svc.create({ Name: 'x2', DriverOpts: { type: 'tmpfs' } }),
      /create x2: missing required option: "device"/,
    );
    await assert.rejects(svc.create({ Name: 'x3', Driver: 'nfs' }), (e: Error & { kind?: string }) => {
      assert.equal(e.message, 'create x3: error looking up volume plugin nfs: plugin "nfs" not found');
      assert.equal(e.kind, 'not-found');
      return true;
    });
    assert.throws(() => svc.inspect('nope'), /^EngineError: get nope: no such volume$/);
    await assert.rejects(svc.remove('nope'), /get nope: no such volume/);
    await svc.remove('nope', true);
  });

  test('a volume in use cannot be removed (409), and can once released', async () => {
    const { svc, root, events } = await newVolumes();
    await svc.create({ Name: 'used' }, 'c1');
    await svc.reference('used', 'c2');
    await assert.rejects(svc.remove('used'), (e: Error & { kind?: string }) => {
      assert.equal(e.message, 'remove used: volume is in use - [c1, c2]');
      assert.equal(e.kind, 'conflict');
      return true;
    });
    await assert.rejects(svc.remove('used', true), /in use/);
    svc.dereference('used', 'c1');
    svc.dereference('used', 'c2');
    await svc.remove('used');
    assert.ok(!existsSync(path.join(root, 'used')));
    assert.deepEqual((await fs.readdir(root)).length, 0);
    assert.equal(actions(events).at(-1), 'destroy used');
  });

  test('list filters: dangling, name, driver, label', async () => {
    const { svc } = await newVolumes();
    await svc.create({ Name: 'web-data', Labels: { tier: 'web' } }, 'c1');
    await svc.create({ Name: 'db-data', Labels: { tier: 'db' } });
    const names = (f: Record<string, string[]>) =>
      svc
        .list(f)
        .Volumes.map((v) => v.Name)
        .sort();
    assert.deepEqual(names({}), ['db-data', 'web-data']);
    assert.deepEqual(names({ dangling: ['true'] }), ['db-data']);
    assert.deepEqual(names({ dangling: ['0'] }), ['web-data']);
    assert.deepEqual(names({ name: ['web'] }), ['web-data']);
    assert.deepEqual(names({ label: ['tier=db'] }), ['db-data']);
    assert.deepEqual(names({ label: ['tier'] }), ['db-data', 'web-data']);
    assert.deepEqual(names({ driver: ['local'] }), ['db-data', 'web-data']);
    assert.throws(() => svc.list({ foo: ['x'] }), /Invalid filter 'foo'/);
    assert.throws(() => svc.list({ dangling: ['maybe'] }), /Invalid filter 'dangling=\[maybe\]'/);
    assert.equal(svc.list({}).Warnings, null);
  });

  test('prune removes unused anonymous volumes, and named ones with all=true', async () => {
    const { svc } = await newVolumes();
    // `docker volume create` without a name makes an anonymous volume too, as dockerd ≥ 23 does.
    const anon = await svc.create({});
    assert.deepEqual(anon.Labels, { [anonymousLabel]: '' });
    const anonUsed = await svc.create({}, 'c1', true);
    await svc.create({ Name: 'named', Labels: { keep: 'no' } });
    await fs.writeFile(path.join(anon.Mountpoint, 'f'), '12345');
    const r = await svc.prune({});
    assert.deepEqual(r, { VolumesDeleted: [anon.Name], SpaceReclaimed: 5 });
    assert.deepEqual(await svc.prune({ all: ['true'], label: ['keep=yes'] }), {
      VolumesDeleted: null,
      SpaceReclaimed: 0,
    });
    assert.deepEqual((await svc.prune({ all: ['1'] })).VolumesDeleted, ['named']);
    assert.deepEqual(
      svc.list({}).Volumes.map((v) => v.Name),
      [anonUsed.Name],
    );
    await assert.rejects(svc.prune({ dangling: ['true'] }), /Invalid filter 'dangling'/);
  });

  test('a volume with mount options is mounted for its first user and not again', async () => {
    const sys = recordingSys();
    const { svc } = await newVolumes(sys);
    const v = await svc.create({ Name: 'tv', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    assert.equal(await svc.mount('tv', 'c1'), v.Mountpoint);
    await svc.mount('tv', 'c2');
    assert.deepEqual(sys.calls, [['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', v.Mountpoint]]);
    assert.equal(await svc.unmount('tv', 'c1'), true);
    assert.equal(await svc.unmount('tv', 'c1'), false);
    assert.ok(svc.isMountedBy('tv', 'c2'));
    const plain = await svc.create({ Name: 'plain' });
    assert.equal(await svc.mount('plain', 'c1'), plain.Mountpoint);
    assert.equal(sys.calls.length, 1);
  });

  test('a failed mount says what it was mounting', async () => {
    const sys = recordingSys();
    sys.run = async () => ({
      code: 32,
      stdout: '',
      stderr: 'mount: /x: special device /nonexist does not exist.\n',
    });
    const { svc } = await newVolumes(sys);
    const v = await svc.create({ Name: 'bb', DriverOpts: { type: 'none', device: '/nonexist', o: 'bind' } });
    await assert.rejects(
      svc.mount('bb', 'c1'),
      new RegExp(
        `^EngineError: error while mounting volume '${v.Mountpoint}': failed to mount local volume: /x: special device`,
      ),
    );
    assert.equal(svc.isMountedBy('bb', 'c1'), false);
  });

  test('init reloads volumes and their users from container records', async () => {
    const { svc, root } = await newVolumes();
    await svc.create({ Name: 'kept' });
    const rec = {
      Id: 'c9',
      State: { Status: 'running' },
      MountPoints: [
        { Type: 'volume', Name: 'kept', Source: '', Destination: '/k', Mode: '', RW: true, Propagation: '' },
      ],
    } as unknown as ContainerRecord;
    // Data without metadata (a crash between the two writes) is adopted, not lost.
    await fs.mkdir(path.join(root, 'orphan/_data'), { recursive: true });
    await fs.mkdir(path.join(root, '.gone.1234.removing/_data'), { recursive: true });
    const again = new VolumeService({
      root,
      sys: recordingSys(),
      log: silentLogger,
      clock: systemClock,
      emit: () => {},
    });
    await again.init([rec]);
    assert.deepEqual(again.usersOf('kept'), ['c9']);
    assert.ok(again.isMountedBy('kept', 'c9'));
    assert.deepEqual(
      again
        .list({})
        .Volumes.map((v) => v.Name)
        .sort(),
      ['kept', 'orphan'],
    );
    assert.ok(!existsSync(path.join(root, '.gone.1234.removing')));
  });

  test('usage reports size and reference count', async () => {
    const { svc } = await newVolumes();
    const v = await svc.create({ Name: 'sized' }, 'c1');
    await fs.writeFile(path.join(v.Mountpoint, 'f'), 'abc');
    const [u] = await svc.usage();
    assert.deepEqual(u.UsageData, { Size: 3, RefCount: 1 });
  });
  test('clone makes a new volume with the same files, owners and modes; names are checked', async () => {
    const { svc, root, events } = await newVolumes();
    await svc.create({ Name: 'src', Labels: { app: 'db' } });
    const data = path.join(root, 'src/_data');
    await fs.mkdir(path.join(data, 'sub'));
    await fs.writeFile(path.join(data, 'sub/f'), 'rows\n');
    await fs.chown(path.join(data, 'sub/f'), 999, 999);
    await fs.chmod(data, 0o700);
    await fs.symlink('sub/f', path.join(data, 'l'));
    const v = await svc.clone('src', 'copy');
    assert.equal(v.Name, 'copy');
    assert.equal(v.Labels, null, 'labels stay with the original (compose owns them)');
    const copy = path.join(root, 'copy/_data');
    assert.equal(await fs.readFile(path.join(copy, 'sub/f'), 'utf8'), 'rows\n');
    assert.equal((await fs.stat(path.join(copy, 'sub/f'))).uid, 999);
    assert.equal((await fs.stat(copy)).mode & 0o777, 0o700);
    assert.equal(await fs.readlink(path.join(copy, 'l')), 'sub/f');
    await assert.rejects(svc.clone('src', 'copy'), /clone src: a volume named copy already exists/);
    await assert.rejects(svc.clone('nope', 'other'), /get nope: no such volume/);
    await assert.rejects(svc.clone('src', '-bad'), /create -bad: /);
    assert.deepEqual(
      actions(events).filter((a) => a.startsWith('create')),
      ['create src', 'create copy'],
    );
  });
});
