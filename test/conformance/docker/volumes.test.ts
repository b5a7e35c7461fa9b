import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

/** One API call over the daemon's socket: status and body. */
function api(d: Daemon, method: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: d.socket, method, path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Lines of the host's mount table under a path. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
}

describe(`volumes and mounts (${target})`, () => {
  let d: Daemon;
  let host: string;
  const ok = (args: string[]) => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const volumes = () => ok(['volume', 'ls', '-q']).split('\n').filter(Boolean).sort();

  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
    host = mkdtempSync('/tmp/bvol-');
    const ctx = path.join(host, 'ctx');
    mkdirSync(ctx);
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      [
        'FROM busybox',
        'RUN mkdir -p /data/sub && echo hi > /data/f && ln -s f /data/l && chown 123:45 /data && chmod 750 /data && chown 7:8 /data/sub',
        'VOLUME /data',
        '',
      ].join('\n'),
    );
    ok(['build', '-q', '-t', 'withvol', ctx]);
  });
  after(async () => {
    await stopDaemon(d);
    rmSync(host, { recursive: true, force: true });
  });

  test('volume create, ls, inspect and rm, with Docker errors and exit codes', () => {
    assert.equal(ok(['volume', 'create', '--label', 'tier=db', 'dbdata']).trim(), 'dbdata');
    assert.equal(
      ok(['volume', 'create', 'dbdata']).trim(),
      'dbdata',
      'create of an existing volume returns it',
    );
    const [v] = JSON.parse(ok(['volume', 'inspect', 'dbdata']));
    assert.equal(v.Name, 'dbdata');
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.deepEqual(v.Labels, { tier: 'db' });
    assert.equal(v.Mountpoint, path.join(d.dataRoot, 'volumes/dbdata/_data'));
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.ok(existsSync(v.Mountpoint));
    assert.deepEqual(ok(['volume', 'ls', '-q', '--filter', 'label=tier=db']).trim(), 'dbdata');
    assert.deepEqual(ok(['volume', 'ls', '-q', '--filter', 'label=tier=web']).trim(), '');

    const short = d.docker(['volume', 'create', 'a']);
    assert.equal(short.code, 1);
    assert.match(
      short.stderr,
      /create a: volume name is too short, names should be at least two alphanumeric characters/,
    );
    const slash = d.docker(['volume', 'create', 'a/b']);
    assert.equal(slash.code, 1);
    assert.match(
      slash.stderr,
      /create a\/b: "a\/b" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed. If you intended to pass a host directory, use absolute path/,
    );
    const badOpt = d.docker(['volume', 'create', '-o', 'foo=bar', 'x1']);
    assert.equal(badOpt.code, 1);
    assert.match(badOpt.stderr, /create x1: invalid option: "foo"/);
    const missing = d.docker(['volume', 'inspect', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /get nope: no such volume/);
    const rmMissing = d.docker(['volume', 'rm', 'nope']);
    assert.equal(rmMissing.code, 1);
    assert.match(rmMissing.stderr, /no such volume/);
    assert.equal(d.docker(['volume', 'rm', '-f', 'nope']).code, 0);

    assert.equal(ok(['volume', 'rm', 'dbdata']).trim(), 'dbdata');
    assert.ok(!existsSync(path.join(d.dataRoot, 'volumes/dbdata')));
    assert.ok(!volumes().includes('dbdata'));
  });

  test('a named volume keeps data across containers; rm of a volume in use is a 409', async () => {
    ok(['run', '--rm', '-v', 'keep:/k', 'busybox', 'sh', '-c', 'echo persisted > /k/f']);
    assert.equal(ok(['run', '--rm', '-v', 'keep:/k', 'busybox', 'cat', '/k/f']), 'persisted\n');
    const id = ok(['create', '--name', 'holder', '-v', 'keep:/k', 'busybox', 'true']).trim();
    const rm = d.docker(['volume', 'rm', 'keep']);
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, new RegExp(`remove keep: volume is in use - \\[${id}\\]`));
    const res = await api(d, 'DELETE', '/volumes/keep');
    assert.equal(res.status, 409);
    assert.match(JSON.parse(res.body).message, /volume is in use/);
    assert.deepEqual(ok(['volume', 'ls', '-q', '--filter', 'dangling=false']).trim(), 'keep');
    ok(['rm', 'holder']);
    ok(['volume', 'rm', 'keep']);
  });

  test("a new volume starts with a copy of the image's content, owners and modes kept", () => {
    const list =
      'ls -ln /data | sed 1d | awk "{print \\$1, \\$3, \\$4, \\$NF}"; stat -c "%u:%g %a" /data; cat /data/f';
    const expected = [
      '-rw-r--r-- 0 0 f',
      'lrwxrwxrwx 0 0 f',
      'drwxr-xr-x 7 8 sub',
      '123:45 750',
      'hi',
      '',
    ].join('\n');
    // The image's VOLUME: an anonymous volume.
    assert.equal(ok(['run', '--rm', 'withvol', 'sh', '-c', list]), expected);
    // A new named volume at the same place.
    assert.equal(ok(['run', '--rm', '-v', 'filled:/data', 'withvol', 'sh', '-c', list]), expected);
    // An existing volume that already has content is left alone.
    ok(['run', '--rm', '-v', 'filled:/data', 'withvol', 'sh', '-c', 'rm /data/f; echo mine > /data/g']);
    assert.equal(ok(['run', '--rm', '-v', 'filled:/data', 'withvol', 'ls', '/data']), 'g\nl\nsub\n');
    // nocopy, in both syntaxes.
    assert.equal(ok(['run', '--rm', '-v', 'empty1:/data:nocopy', 'withvol', 'ls', '-A', '/data']), '');
    assert.equal(
      ok([
        'run',
        '--rm',
        '--mount',
        'type=volume,src=empty2,dst=/data,volume-nocopy',
        'withvol',
        'ls',
        '-A',
        '/data',
      ]),
      '',
    );
    ok(['volume', 'rm', 'filled', 'empty1', 'empty2']);
  });

  test('bind mounts: read-only, a missing -v source is created, a missing --mount source is an error', () => {
    const src = path.join(host, 'bind');
    mkdirSync(src);
    writeFileSync(path.join(src, 'in'), 'from host\n');
    assert.equal(ok(['run', '--rm', '-v', `${src}:/b`, 'busybox', 'cat', '/b/in']), 'from host\n');
    const ro = d.docker(['run', '--rm', '-v', `${src}:/b:ro`, 'busybox', 'touch', '/b/x']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    ok(['run', '--rm', '--mount', `type=bind,src=${src},dst=/b`, 'busybox', 'touch', '/b/written']);
    assert.ok(existsSync(path.join(src, 'written')));

    const made = path.join(host, 'made/by/run');
    ok(['run', '--rm', '-v', `${made}:/m`, 'busybox', 'true']);
    assert.ok(existsSync(made));

    const gone = d.docker(['run', '--rm', '--mount', `type=bind,src=${host}/nope,dst=/x`, 'busybox', 'true']);
    assert.equal(gone.code, 125);
    assert.match(
      gone.stderr,
      new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${host}/nope`),
    );
    const dup = d.docker(['create', '-v', `${src}:/x`, '--mount', 'type=tmpfs,dst=/x', 'busybox']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /Duplicate mount point: \/x/);
    const mode = d.docker(['create', '-v', `${src}:/x:bogus`, 'busybox']);
    assert.match(mode.stderr, /invalid mode: bogus/);
    const nameVol = d.docker(['create', '-v', 'a/b:/x', 'busybox']);
    assert.match(nameVol.stderr, /"a\/b" includes invalid characters for a local volume name/);

    const inspect = JSON.parse(
      ok(['inspect', '-f', '{{json .Mounts}}', ok(['create', '-v', `${src}:/b:ro`, 'busybox']).trim()]),
    );
    assert.deepEqual(inspect, [
      { Type: 'bind', Source: src, Destination: '/b', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    ]);
  });

  test('--mount tmpfs with size and mode', () => {
    const out = ok([
      'run',
      '--rm',
      '--mount',
      'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770',
      'busybox',
      'sh',
      '-c',
      'grep " /t " /proc/mounts; stat -c %a /t',
    ]);
    assert.match(out, /^tmpfs \/t tmpfs .*size=1024k/);
    assert.match(out, /mode=1770/);
    assert.match(out, /\n1770\n$/);
  });

  test('--volumes-from shares volumes, read-only on request', () => {
    ok(['create', '--name', 'datasrc', '-v', 'shared:/s', '-v', '/anon', 'busybox', 'true']);
    ok([
      'run',
      '--rm',
      '--volumes-from',
      'datasrc',
      'busybox',
      'sh',
      '-c',
      'echo a > /s/f; echo b > /anon/f',
    ]);
    assert.equal(
      ok(['run', '--rm', '--volumes-from', 'datasrc', 'busybox', 'cat', '/s/f', '/anon/f']),
      'a\nb\n',
    );
    const ro = d.docker(['run', '--rm', '--volumes-from', 'datasrc:ro', 'busybox', 'touch', '/s/g']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    const nope = d.docker(['run', '--rm', '--volumes-from', 'nope', 'busybox', 'true']);
    assert.equal(nope.code, 125);
    assert.match(nope.stderr, /No such container: nope/);
    ok(['rm', '-v', 'datasrc']);
    assert.ok(volumes().includes('shared'));
    ok(['volume', 'rm', 'shared']);
  });

  test('rm -v and --rm remove anonymous volumes, never named ones', () => {
    const before = volumes();
    ok([
      'create',
      '--name',
      'withanon',
      '-v',
      'named1:/n',
      '-v',
      '/anon',
      '--mount',
      'type=volume,dst=/anon2',
      'withvol',
    ]);
    const mine = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'withanon'])) as Array<{
      Name: string;
      Destination: string;
    }>;
    assert.deepEqual(mine.map((m) => m.Destination).sort(), ['/anon', '/anon2', '/data', '/n']);
    assert.equal(volumes().length, before.length + 4);
    assert.equal(
      ok(['ps', '-aq', '--no-trunc', '--filter', 'volume=named1']).trim(),
      ok(['inspect', '-f', '{{.Id}}', 'withanon']).trim(),
    );
    assert.equal(ok(['ps', '-aq', '--filter', 'volume=/anon2']).trim().length, 12);
    ok(['rm', '-v', 'withanon']);
    assert.deepEqual(volumes(), [...before, 'named1'].sort());
    ok(['run', '--rm', '-v', 'named2:/n', 'withvol', 'true']);
    assert.deepEqual(volumes(), [...before, 'named1', 'named2'].sort());
    // Without -v the anonymous volume stays, dangling.
    ok(['run', '--name', 'leaves', 'withvol', 'true']);
    ok(['rm', 'leaves']);
    assert.equal(volumes().length, before.length + 3);
    ok(['volume', 'prune', '-f']);
    if (d.kind === 'berthd') {
      // API ≥ 1.42: prune takes anonymous volumes only, unless --all.
      assert.deepEqual(volumes(), [...before, 'named1', 'named2'].sort());
      const all = ok(['volume', 'prune', '-af']);
      assert.match(all, /named1/);
    }
    assert.deepEqual(volumes(), before);
  });

  test('a volume with tmpfs options is mounted while a container uses it', async () => {
    ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m', 'scratch']);
    const dir = path.join(d.dataRoot, 'volumes/scratch/_data');
    assert.deepEqual(mountsUnder(dir), []);
    ok(['run', '-d', '--name', 'tw', '-v', 'scratch:/s', 'busybox', 'sh', '-c', 'echo x > /s/f; sleep 100']);
    assert.equal(mountsUnder(dir).length, 1);
    assert.match(ok(['run', '--rm', '-v', 'scratch:/s', 'busybox', 'df', '/s']), /tmpfs\s+2048/);
    await eventually(() => ok(['exec', 'tw', 'cat', '/s/f']) === 'x\n', 5000, 'write in the tmpfs volume');
    assert.equal(ok(['run', '--rm', '-v', 'scratch:/s', 'busybox', 'cat', '/s/f']), 'x\n');
    ok(['rm', '-f', 'tw']);
    await eventually(() => mountsUnder(dir).length === 0, 5000, 'tmpfs volume unmounted');
    ok(['volume', 'rm', 'scratch']);
  });

  test('system df lists volumes with their size and users', () => {
    ok(['run', '--name', 'dfuser', '-v', 'dfvol:/d', 'busybox', 'sh', '-c', 'head -c 1000 /dev/zero > /d/z']);
    const df = ok(['system', 'df', '-v', '--format', '{{json .Volumes}}']);
    const vol = (JSON.parse(df) as Array<{ Name: string; Links: string; Size: string }>).find(
      (v) => v.Name === 'dfvol',
    );
    assert.ok(vol, df);
    assert.equal(String(vol.Links), '1');
    assert.equal(vol.Size, '1kB');
    ok(['rm', 'dfuser']);
    ok(['volume', 'rm', 'dfvol']);
  });

  test('volume events: create, mount, unmount, destroy', () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok(['run', '--rm', '-v', 'evvol:/e', 'busybox', 'true']);
    ok(['volume', 'rm', 'evvol']);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = ok([
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'type=volume',
      '--filter',
      'volume=evvol',
      '--format',
      '{{.Action}} {{index .Actor.Attributes "driver"}} {{index .Actor.Attributes "destination"}}',
    ]);
    assert.deepEqual(
      ev
        .trim()
        .split('\n')
        .map((l) => l.trimEnd()),
      ['create local', 'mount local /e', 'unmount local', 'destroy local'],
    );
  });
});

// berthd's own: live restore of mounts, and the file API of the desktop app.
describe('volumes across a kill -9 of berthd, and the volume file API', {
  skip: target === 'dockerd' ? 'berthd-only behaviour' : false,
}, () => {
  let d: Daemon;
  const ok = (args: string[]) => {
    const r = d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test("a running container's volumes keep working after kill -9 and restart; rm leaves nothing mounted", async () => {
    ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', 'fast']);
    ok([
      'run',
      '-d',
      '--name',
      'live',
      '-v',
      'slow:/slow',
      '-v',
      'fast:/fast',
      '-v',
      '/anon',
      'busybox',
      'sleep',
      '300',
    ]);
    ok(['exec', 'live', 'sh', '-c', 'echo before > /slow/f; echo before > /fast/f']);
    await d.kill9();
    await d.restart();
    ok(['exec', 'live', 'sh', '-c', 'echo after >> /slow/f; echo after >> /fast/f']);
    // A new container sees the same data: the tmpfs volume stayed mounted for its running user.
    assert.equal(
      ok(['run', '--rm', '-v', 'slow:/slow', '-v', 'fast:/fast', 'busybox', 'cat', '/slow/f', '/fast/f']),
      'before\nafter\nbefore\nafter\n',
    );
    const mounts = JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', 'live'])) as Array<{
      Destination: string;
    }>;
    assert.deepEqual(mounts.map((m) => m.Destination).sort(), ['/anon', '/fast', '/slow']);
    const inUse = d.docker(['volume', 'rm', 'slow']);
    assert.match(inUse.stderr, /volume is in use/);
    ok(['rm', '-f', '-v', 'live']);
    ok(['volume', 'rm', 'slow', 'fast']);
    assert.deepEqual(ok(['volume', 'ls', '-q']), '');
    assert.deepEqual(mountsUnder(d.dataRoot), []);
  });

  test('restart of a container keeps its mounts; an exit while berthd is down releases the volume', async () => {
    ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', 'brief']);
    const dir = path.join(d.dataRoot, 'volumes/brief/_data');
    ok([
      'run',
      '-d',
      '--name',
      'again',
      '-v',
      'brief:/b',
      'busybox',
      'sh',
      '-c',
      'echo $$ >> /b/pids; sleep 300',
    ]);
    ok(['restart', '-t', '0', 'again']);
    assert.equal(mountsUnder(dir).length, 1);
    assert.equal(
      ok(['exec', 'again', 'wc', '-l', '/b/pids']).trim().split(/\s+/)[0],
      '1',
      'tmpfs content goes with its last user',
    );
    ok(['run', '-d', '--name', 'shortlived', '-v', 'brief:/b', 'busybox', 'sleep', '2']);
    ok(['rm', '-f', 'again']);
    await d.kill9();
    await new Promise((r) => setTimeout(r, 2500));
    await d.restart();
    await eventually(
      () =>
        ok(['inspect', '-f', '{{.State.Status}}', 'shortlived']).trim() === 'exited' &&
        mountsUnder(dir).length === 0,
      10_000,
      'exit seen and volume unmounted after restart',
    );
    ok(['rm', 'shortlived']);
    ok(['volume', 'rm', 'brief']);
  });

  test('--mount volume-subpath mounts a directory of the volume, which must exist', () => {
    ok(['run', '--rm', '-v', 'parts:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/a/b && echo deep > /v/a/b/f']);
    const sub = 'type=volume,src=parts,dst=/x,volume-subpath=a/b';
    assert.equal(ok(['run', '--rm', '--mount', sub, 'busybox', 'cat', '/x/f']), 'deep\n');
    const missing = d.docker(['run', '--rm', '--mount', `${sub}/nope`, 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /volume's path is not accessible/);
    const outside = d.docker([
      'run',
      '--rm',
      '--mount',
      'type=volume,src=parts,dst=/x,volume-subpath=../up',
      'busybox',
    ]);
    assert.match(outside.stderr, /invalid mount config for type "volume"/);
    ok(['volume', 'rm', 'parts']);
  });

  test('GET /volumes/{name}/files lists and /file reads, never leaving the volume', async () => {
    ok([
      'run',
      '--rm',
      '-v',
      'browse:/v',
      'busybox',
      'sh',
      '-c',
      'mkdir /v/sub && echo hello > /v/sub/a.txt && ln -s /etc/passwd /v/esc && ln -s sub /v/lnk',
    ]);
    const list = await api(d, 'GET', '/volumes/browse/files?path=/');
    assert.equal(list.status, 200);
    const entries = JSON.parse(list.body) as Array<{ name: string; type: string; linkTarget?: string }>;
    assert.deepEqual(
      entries.map((e) => `${e.name} ${e.type} ${e.linkTarget ?? ''}`),
      ['esc symlink /etc/passwd', 'lnk symlink sub', 'sub dir '],
    );
    const sub = JSON.parse((await api(d, 'GET', '/volumes/browse/files?path=/lnk')).body);
    assert.deepEqual(
      sub.map((e: { name: string; size: number }) => `${e.name} ${e.size}`),
      ['a.txt 6'],
    );
    const file = await api(d, 'GET', '/v1.47/volumes/browse/file?path=/sub/a.txt');
    assert.equal(file.status, 200);
    assert.equal(file.body, 'hello\n');
    assert.equal((await api(d, 'GET', '/volumes/browse/file?path=/esc')).status, 404);
    assert.equal((await api(d, 'GET', '/volumes/browse/file?path=/../../../../etc/passwd')).status, 404);
    assert.equal((await api(d, 'GET', '/volumes/browse/file?path=/sub')).status, 400);
    assert.equal((await api(d, 'GET', '/volumes/nope/files?path=/')).status, 404);
    ok(['volume', 'rm', 'browse']);
  });
});
