// The volume handlers against a real berthd (and, for the file browser's fallback, a real dockerd).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('volume handlers against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  const list = async (sizes = false) => {
    const r = await dispatchInvoke(h, 'volumes.list', { sizes });
    assert.ok(r.ok, JSON.stringify(r));
    return r.value;
  };

  test('create with labels; list shows driver, mountpoint, created, labels and no users', async () => {
    const c = await dispatchInvoke(h, 'volumes.create', { name: 'unit-data', labels: { team: 'ui' } });
    assert.ok(c.ok, JSON.stringify(c));
    assert.equal(c.value.name, 'unit-data');
    const v = (await list()).find((x) => x.name === 'unit-data');
    assert.ok(v);
    assert.equal(v.driver, 'local');
    assert.match(v.mountpoint, /unit-data/);
    assert.match(v.created ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(v.labels, { team: 'ui' });
    assert.deepEqual(v.usedBy, []);
    assert.equal(v.size, undefined, 'no size unless asked');
    const unnamed = await dispatchInvoke(h, 'volumes.create', {});
    assert.ok(unnamed.ok);
    assert.match(unnamed.value.name, /^[0-9a-f]{64}$/, 'the engine names it');
  });

  test('create refuses a bad name before the engine sees it', async () => {
    const r = await dispatchInvoke(h, 'volumes.create', { name: '-bad' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'volume.bad_name');
  });

  test('containers.run mounts a volume; list shows its user and size; removing it in use is a conflict', async () => {
    const run = await dispatchInvoke(h, 'containers.run', {
      image: 'busybox',
      name: 'unit-writer',
      cmd: [
        'sh',
        '-c',
        'echo hi > /data/hello.txt; mkdir /data/sub; echo deep > /data/sub/deep.txt; sleep 300',
      ],
      volumes: [{ source: 'unit-data', target: '/data' }],
    });
    assert.ok(run.ok, JSON.stringify(run));
    const insp = await dispatchInvoke(h, 'containers.inspect', { id: run.value.id });
    assert.ok(insp.ok);
    assert.deepEqual((insp.value.HostConfig as { Binds: string[] }).Binds, ['unit-data:/data']);
    const v = (await list(true)).find((x) => x.name === 'unit-data');
    assert.deepEqual(v?.usedBy, ['unit-writer']);
    assert.equal(typeof v?.size, 'number');
    const busy = await dispatchInvoke(h, 'volumes.remove', { name: 'unit-data' });
    assert.equal(busy.ok, false);
    if (!busy.ok) {
      assert.equal(busy.error.kind, 'conflict');
      assert.equal(busy.error.message, 'remove unit-data: volume is in use by container unit-writer');
    }
  });

  test('containers.run refuses a relative mount path', async () => {
    const r = await dispatchInvoke(h, 'containers.run', {
      image: 'busybox',
      volumes: [{ source: 'unit-data', target: 'data' }],
    });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'run.bad_volume');
  });

  test('remove once unused; prune removes anonymous volumes, or every unused one with all', async () => {
    const users = daemon.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
    daemon.docker(['rm', '-f', ...users]);
    assert.ok((await dispatchInvoke(h, 'volumes.remove', { name: 'unit-data' })).ok);
    assert.ok((await dispatchInvoke(h, 'volumes.create', { name: 'unit-keep' })).ok);
    // A container's anonymous volume outlives the container when it is removed without -v.
    assert.equal(daemon.docker(['run', '--name', 'unit-anon', '-v', '/anon', 'busybox', 'true']).code, 0);
    const anon = (await list()).find((v) => v.usedBy.includes('unit-anon'))?.name;
    assert.ok(anon);
    assert.equal(daemon.docker(['rm', 'unit-anon']).code, 0);
    // Without all, prune takes anonymous volumes only: the container's and the one made without a name.
    const anonymous = (await list())
      .filter((v) => v.labels['com.docker.volume.anonymous'] !== undefined)
      .map((v) => v.name);
    assert.ok(anonymous.includes(anon) && anonymous.length === 2, JSON.stringify(anonymous));
    const some = await dispatchInvoke(h, 'volumes.prune', {});
    assert.ok(some.ok, JSON.stringify(some));
    assert.deepEqual(some.value.deleted.sort(), anonymous.sort());
    assert.ok((await list()).some((v) => v.name === 'unit-keep'));
    const all = await dispatchInvoke(h, 'volumes.prune', { all: true });
    assert.ok(all.ok);
    assert.ok(all.value.deleted.includes('unit-keep'));
    assert.deepEqual(await list(), []);
  });
});

const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;

describe('volumes on another engine (dockerd)', { skip: !hasDockerd && 'no dockerd' }, () => {
  let daemon: Daemon;
  let h: Handlers;
  before(async () => {
    daemon = await startDaemon('dockerd');
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    if (daemon) await stopDaemon(daemon);
  });

  test('sizes come from system df; the in-use error names the container too', async () => {
    assert.ok((await dispatchInvoke(h, 'volumes.create', { name: 'other-data' })).ok);
    const v = await dispatchInvoke(h, 'volumes.list', { sizes: true });
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.value.find((x) => x.name === 'other-data')?.size, 0);
    await loadBusybox(daemon);
    assert.equal(daemon.docker(['create', '--name', 'other-user', '-v', 'other-data:/d', 'busybox']).code, 0);
    const busy = await dispatchInvoke(h, 'volumes.remove', { name: 'other-data' });
    assert.equal(busy.ok, false);
    if (!busy.ok) assert.match(busy.error.message, /volume is in use by container other-user$/);
    assert.equal(daemon.docker(['rm', 'other-user']).code, 0);
    assert.ok((await dispatchInvoke(h, 'volumes.remove', { name: 'other-data' })).ok);
  });
});
