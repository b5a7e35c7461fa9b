// The dashboard's channels against a real berthd, compared with what the docker CLI says.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { createEngineClient } from '../../../electron/main/engine/engine-client.ts';
import { createHandlers } from '../../../electron/main/index.ts';
import { dispatchInvoke, type Handlers } from '../../../electron/main/ipc/handlers.ts';
import { type Daemon, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('engine handlers against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    daemon?.docker(['rm', '-f', 'eng-busy', 'eng-idle', 'eng-done']);
    daemon?.docker(['network', 'rm', 'eng-unused']);
    if (daemon) await stopDaemon(daemon);
  });

  const lines = (args: string[]) => daemon.docker(args).stdout.split('\n').filter(Boolean).length;

  test('engine.status: the endpoint, and no managed engine when the app did not start it', async () => {
    const r = await dispatchInvoke(h, 'engine.status', undefined);
    assert.ok(r.ok);
    assert.deepEqual(r.value, { endpoint: daemon.host, managed: null });
  });

  test('engine.resources: the CLI’s counts, and the busy container’s CPU and memory', async () => {
    assert.equal(
      daemon.docker(['run', '-d', '--name', 'eng-busy', 'busybox', 'sh', '-c', 'while :; do :; done']).code,
      0,
    );
    assert.equal(daemon.docker(['run', '-d', '--name', 'eng-idle', 'busybox', 'sleep', '300']).code, 0);
    assert.equal(daemon.docker(['create', '--name', 'eng-done', 'busybox', 'true']).code, 0);
    assert.equal(daemon.docker(['volume', 'create', 'eng-vol']).code, 0);
    const r = await dispatchInvoke(h, 'engine.resources', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    const v = r.value;
    assert.deepEqual(v.counts, {
      containers: 3,
      running: 2,
      paused: 0,
      stopped: 1,
      images: lines(['image', 'ls', '-q']),
      volumes: lines(['volume', 'ls', '-q']),
      networks: lines(['network', 'ls', '-q']),
    });
    assert.equal(v.sampled, 2);
    assert.equal(v.cpus, os.cpus().length);
    assert.ok(v.memory > 0);
    assert.ok(v.containersMemory > 0);
    // A shell spinning on one CPU: near 100% (the machine is shared, so not exactly).
    assert.ok(
      v.containersCpuPercent > 30 && v.containersCpuPercent < 100 * v.cpus + 1,
      String(v.containersCpuPercent),
    );
  });

  test('engine.diskUsage: the numbers of `docker system df`', async () => {
    const r = await dispatchInvoke(h, 'engine.diskUsage', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    const cli = daemon
      .docker(['system', 'df', '--format', 'json'])
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { Type: string; TotalCount: string; Active: string });
    assert.deepEqual(
      r.value.map((row) => [row.type, String(row.total), String(row.active)]),
      cli.map((c) => [c.Type, c.TotalCount, c.Active]),
    );
    const containers = r.value.find((row) => row.type === 'Containers');
    assert.equal(containers?.total, 3);
    assert.equal(containers?.active, 2);
  });

  test('engine.prune: stopped containers and unused networks go, running ones stay; errors name no HTTP code', async () => {
    assert.equal(daemon.docker(['network', 'create', 'eng-unused']).code, 0);
    const r = await dispatchInvoke(h, 'engine.prune', undefined);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.containers.length, 1);
    assert.deepEqual(r.value.networks, ['eng-unused']);
    const names = daemon
      .docker(['ps', '-a', '--format', '{{.Names}}'])
      .stdout.split('\n')
      .filter(Boolean)
      .sort();
    assert.deepEqual(names, ['eng-busy', 'eng-idle']);
    const gone = await dispatchInvoke(h, 'containers.remove', { id: 'eng-done' });
    assert.ok(!gone.ok);
    assert.equal(gone.error.kind, 'not_found');
    assert.doesNotMatch(gone.error.message, /HTTP code/);
  });
});
