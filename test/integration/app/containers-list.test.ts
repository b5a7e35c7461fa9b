// The containers list's channels against a real berthd: health and exit codes in the list, CPU and
// memory of running containers in one call, and removals kept for undo.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RemovalOutcome } from '../../../electron/contract/index.ts';
import {
  createEngineClient,
  createHandlers,
  dispatchInvoke,
  dispatchStream,
  type Handlers,
} from '../../../electron/main/index.ts';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../../conformance/harness.ts';

describe('containers list channels against berthd', () => {
  let daemon: Daemon;
  let h: Handlers;
  const run = (args: string[]) => {
    const r = daemon.docker(['run', '-d', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const list = async () => {
    const r = await dispatchInvoke(h, 'containers.list', { all: true });
    assert.ok(r.ok, JSON.stringify(r));
    return r.value;
  };
  before(async () => {
    daemon = await startDaemon('berthd');
    await loadBusybox(daemon);
    h = createHandlers(createEngineClient(daemon.host));
  });
  after(async () => {
    await h?.dispose?.();
    if (daemon) await stopDaemon(daemon);
  });

  test('the list carries health and the exit code', async () => {
    const sick = run([
      '--name',
      'sick',
      '--health-cmd',
      'false',
      '--health-interval',
      '1s',
      'busybox',
      'sleep',
      '300',
    ]);
    const done = run(['--name', 'done', 'busybox', 'sh', '-c', 'exit 3']);
    daemon.docker(['wait', done]);
    await eventually(
      async () => (await list()).find((c) => c.id === sick)?.health === 'unhealthy',
      20_000,
      'sick unhealthy',
    );
    const exited = (await list()).find((c) => c.id === done);
    assert.equal(exited?.state, 'exited');
    assert.equal(exited?.exitCode, 3);
    assert.equal(exited?.health, undefined);
    daemon.docker(['rm', '-f', sick, done]);
  });

  test('containers.usage: CPU and memory of every running container, CPU from the second call on', async () => {
    const busy = run(['--name', 'busy', 'busybox', 'sh', '-c', 'while :; do :; done']);
    const idle = run(['--name', 'idle', 'busybox', 'sleep', '300']);
    const first = await dispatchInvoke(h, 'containers.usage', undefined);
    assert.ok(first.ok, JSON.stringify(first));
    assert.deepEqual(first.value.map((u) => u.id).sort(), [busy, idle].sort());
    assert.ok(first.value.every((u) => u.cpuPercent === null && u.memoryUsage > 0));
    await new Promise((r) => setTimeout(r, 1000));
    const second = await dispatchInvoke(h, 'containers.usage', undefined);
    assert.ok(second.ok);
    const cpu = (id: string) => second.value.find((u) => u.id === id)?.cpuPercent ?? -1;
    assert.ok(cpu(busy) > 20, `busy at ${cpu(busy)}%`);
    assert.ok(cpu(idle) >= 0 && cpu(idle) < 5, `idle at ${cpu(idle)}%`);
    daemon.docker(['rm', '-f', busy, idle]);
  });

  test('removeLater hides a stopped container at once, undo brings it back, else it goes after the delay', async () => {
    const id = daemon.docker(['create', '--name', 'later', 'busybox', 'true']).stdout.trim();
    const outcomes: RemovalOutcome[] = [];
    const stop = dispatchStream(h, 'containers.removals', undefined, (m) => {
      if (m.type === 'event') outcomes.push(m.event);
    });
    const r = await dispatchInvoke(h, 'containers.removeLater', { ids: [id] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.delayMs, 5000);
    assert.equal(
      (await list()).some((c) => c.id === id),
      false,
      'hidden from the list at once',
    );
    assert.match(daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout, /later/, 'not yet removed');
    const undo = await dispatchInvoke(h, 'containers.undoRemove', { ids: [id] });
    assert.ok(undo.ok);
    assert.deepEqual(undo.value.restored, [id]);
    assert.equal(
      (await list()).some((c) => c.id === id),
      true,
    );

    assert.ok((await dispatchInvoke(h, 'containers.removeLater', { ids: [id] })).ok);
    await eventually(() => outcomes.some((o) => o.outcome === 'removed'), 10_000, 'removed');
    stop();
    assert.deepEqual(
      outcomes.map((o) => `${o.name}:${o.outcome}`),
      ['later:restored', 'later:removed'],
    );
    assert.doesNotMatch(daemon.docker(['ps', '-a', '--format', '{{.Names}}']).stdout, /later/);
  });

  test('removeLater refuses a running container, saying how to remove it', async () => {
    const id = run(['--name', 'up', 'busybox', 'sleep', '300']);
    const r = await dispatchInvoke(h, 'containers.removeLater', { ids: [id] });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.kind, 'conflict');
      assert.match(r.error.message, /up is running: stop it first, or remove with force/);
    }
    assert.equal(
      (await list()).some((c) => c.id === id),
      true,
    );
    daemon.docker(['rm', '-f', id]);
  });
});
