import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../native/core/manual-clock.ts';
import { FakeHost } from '../fake-host.ts';
import { MachineManager } from '../manager.ts';
import type { MachineError, MachineEvent } from '../types.ts';
import { berthdArgs, NativeDriver } from './native-driver.ts';

const log = '/root/.berth/logs/berthd.log';
const sock = '/run/berth/docker.sock';

function rig() {
  const host = new FakeHost();
  host.isRoot = true;
  const clock = new ManualClock(0);
  const driver = new NativeDriver({
    host,
    clock,
    node: '/usr/bin/node',
    script: '/app/dist/berthd.js',
    logFile: log,
    runtimeFile: '/root/.berth/machines/native/runtime.json',
  });
  const manager = new MachineManager({
    driver,
    host,
    settingsFile: '/root/.berth/machines/native/settings.json',
    limits: { cpus: 2, memoryMiB: 4096 },
    stopTimeoutMs: 20_000,
  });
  const events: MachineEvent[] = [];
  manager.on((e) => events.push(e));
  // berthd answers 1 s after it starts, and says so in its log.
  host.onSpawn = () =>
    clock.setTimeout(() => {
      host.append(log, 'berthd: listening on unix:///run/berth/docker.sock\n');
      host.dockerSockets.add(sock);
    }, 1000);
  return { host, clock, driver, manager, events };
}

async function drive<T>(clock: ManualClock, promise: Promise<T>, maxMs = 200_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let t = 0; !settled && t < maxMs; t += 100) await clock.advance(100);
  return watched;
}

describe('native provider', () => {
  it("starts berthd on the host with the managed engine's command line; running once it answers", async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const p = r.host.lastProcess();
    assert.equal(p.command, '/usr/bin/node');
    assert.deepEqual(p.args, berthdArgs('/app/dist/berthd.js', '/var/lib/berth', '/run/berth'));
    assert.deepEqual(p.args.slice(1), [
      '--data-root',
      '/var/lib/berth',
      '--exec-root',
      '/run/berth',
      '-H',
      `unix://${sock}`,
    ]);
    assert.equal(p.opts.outputFile, log);
    const status = await r.manager.status();
    assert.equal(status.state, 'running');
    assert.deepEqual(status.endpoint, { dockerSocket: sock, ssh: null });
    assert.ok(r.events.some((e) => e.type === 'log' && e.source === 'console' && /listening/.test(e.line)));
    assert.ok(r.events.some((e) => e.type === 'progress' && e.line.kind === 'ready'));
  });

  it('berthd runs detached; a later process attaches to it and stops it', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const p = r.host.lastProcess();
    assert.equal(p.opts.detached, true);
    const later = new MachineManager({
      driver: r.driver,
      host: r.host,
      settingsFile: '/root/.berth/machines/native/settings.json',
      limits: { cpus: 2, memoryMiB: 4096 },
    });
    assert.equal(await drive(r.clock, later.attach()), true);
    assert.equal((await later.status()).pid, p.pid);
    // An engine that answers and is ours is taken over, not refused as "already answers".
    await drive(r.clock, later.start());
    assert.equal(r.host.processes.length, 1);
    await drive(r.clock, later.stop());
    assert.deepEqual(p.signals, ['SIGTERM']);
    assert.equal(r.host.text('/root/.berth/machines/native/runtime.json'), null);
  });

  it('stop: SIGTERM, then SIGKILL after the timeout', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const p = r.host.lastProcess();
    p.endsOnTerm = false;
    await drive(r.clock, r.manager.stop());
    assert.deepEqual(p.signals, ['SIGTERM', 'SIGKILL']);
    assert.equal((await r.manager.status()).state, 'stopped');
  });

  it('berthd that dies while running → error; one that exits at start → error with its log', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    r.host.lastProcess().exit(1);
    r.host.dockerSockets.delete(sock);
    await r.clock.advance(500);
    assert.match((await r.manager.status()).reason ?? '', /stopped unexpectedly: berthd exited with code 1/);
    r.host.onSpawn = (p) => {
      r.host.append(log, 'berthd: cannot create /var/lib/berth: read-only file system\n');
      p.exit(1);
    };
    await assert.rejects(drive(r.clock, r.manager.start()), (err: MachineError) => {
      assert.equal(err.code, 'berthd.exited');
      assert.match(err.message, /read-only file system/);
      return true;
    });
  });

  it('an engine that never answers is killed after the ready timeout', async () => {
    const r = rig();
    r.host.onSpawn = () => undefined;
    await assert.rejects(
      drive(r.clock, r.manager.start()),
      /did not answer at \/run\/berth\/docker.sock within 60 s/,
    );
    assert.deepEqual(r.host.lastProcess().signals, ['SIGKILL']);
  });

  it('needs Linux and root, and never a second engine on a socket that answers', async () => {
    const r = rig();
    r.host.isRoot = false;
    await assert.rejects(drive(r.clock, r.manager.start()), /needs Linux and root/);
    r.host.isRoot = true;
    r.host.dockerSockets.add(sock);
    await assert.rejects(drive(r.clock, r.manager.start()), /already answers/);
    assert.equal(r.host.processes.length, 0);
  });

  it('reset unmounts what is left under the data root (deepest first) and deletes it', async () => {
    const r = rig();
    r.host.files.set('/var/lib/berth/engine/containers.json', Buffer.from('{}'));
    r.host.files.set(
      '/proc/self/mountinfo',
      Buffer.from(
        [
          '22 1 0:21 / / rw - ext4 /dev/vda1 rw',
          '90 22 0:50 / /var/lib/berth/overlay/abc/merged rw - overlay overlay rw',
          '91 90 0:51 / /var/lib/berth/overlay/abc/merged/proc rw - proc proc rw',
          '92 22 0:52 / /var/lib/berthx rw - tmpfs tmpfs rw',
        ].join('\n'),
      ),
    );
    r.host.onRun = (cmd, args) => {
      if (cmd !== 'umount') return null;
      const text = r.host.text('/proc/self/mountinfo') ?? '';
      const kept = text.split('\n').filter((l) => l.split(' ')[4] !== args[1]);
      r.host.files.set('/proc/self/mountinfo', Buffer.from(kept.join('\n')));
      return { code: 0, stdout: '', stderr: '' };
    };
    await drive(r.clock, r.manager.reset());
    assert.deepEqual(
      r.host.runs.map((x) => x.args.join(' ')),
      ['-l /var/lib/berth/overlay/abc/merged/proc', '-l /var/lib/berth/overlay/abc/merged'],
    );
    assert.equal(r.host.text('/var/lib/berth/engine/containers.json'), null);
  });
});
