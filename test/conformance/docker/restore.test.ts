import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

// Live restore is berthd's own promise (dockerd needs --live-restore for it), so this runs on berthd.
describe('live restore after kill -9 of berthd', {
  skip: target === 'dockerd' ? 'berthd-only behaviour' : false,
}, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('running containers keep running; ps, logs -f, exec and stop work after restart', async () => {
    const run = d.docker([
      'run',
      '-d',
      '--name',
      'survivor',
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.3; done',
    ]);
    assert.equal(run.code, 0, run.stderr);
    d.docker(['run', '--name', 'finished', 'busybox', 'sh', '-c', 'exit 5']);
    const pid = d.docker(['inspect', '-f', '{{.State.Pid}}', 'survivor']).stdout.trim();
    await d.kill9();
    // The container does not notice its engine died.
    process.kill(Number(pid), 0);
    await d.restart();
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'survivor']).stdout.trim(),
      `running ${pid}`,
    );
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'finished']).stdout.trim(),
      'exited 5',
    );
    assert.match(d.docker(['ps', '--format', '{{.Names}}']).stdout, /survivor/);
    const ex = d.docker(['exec', 'survivor', 'echo', 'still-here']);
    assert.equal(ex.stdout, 'still-here\n', ex.stderr);
    const follow = d.dockerAsync(['logs', '-f', '--tail', '0', 'survivor']);
    await eventually(
      () => /tick\d+/.test((follow as unknown as { stdout: string }).stdout),
      10_000,
      'new log lines after restore',
    );
    const stop = d.docker(['stop', '-t', '1', 'survivor']);
    assert.equal(stop.code, 0, stop.stderr);
    await follow.done;
    assert.equal(d.docker(['inspect', '-f', '{{.State.Status}}', 'survivor']).stdout.trim(), 'exited');
  });

  test('a container with no process (a pod sandbox) holds its namespaces across kill -9, and ends at SIGKILL', async () => {
    const made = d.docker([
      'run',
      '-d',
      '--runtime',
      'io.berth.pinned',
      '--ipc',
      'shareable',
      '--name',
      'holder',
      'busybox',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const joiner = d.docker([
      'run',
      '-d',
      '--name',
      'joiner',
      '--network',
      'container:holder',
      '--ipc',
      'container:holder',
      'busybox',
      'sleep',
      '1000',
    ]);
    assert.equal(joiner.code, 0, joiner.stderr);
    const ns = (what: string) =>
      d.docker(['exec', 'joiner', 'readlink', `/proc/self/ns/${what}`]).stdout.trim();
    const before = { ipc: ns('ipc'), net: ns('net') };
    const ip = d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'holder']).stdout.trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    await d.kill9();
    await d.restart();
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'holder']).stdout.trim(),
      'running 0',
    );
    assert.deepEqual({ ipc: ns('ipc'), net: ns('net') }, before);
    // A container joining now gets the same namespaces and address.
    const late = d.docker([
      'run',
      '--rm',
      '--network',
      'container:holder',
      '--ipc',
      'container:holder',
      'busybox',
      'sh',
      '-c',
      'readlink /proc/self/ns/ipc; ip -4 addr show eth0',
    ]);
    assert.match(
      late.stdout,
      new RegExp(`${before.ipc.replace(/[[\]]/g, '\\$&')}[\\s\\S]*inet ${ip.replaceAll('.', '\\.')}/`),
    );
    // Its record and its image's files are there as any container's: update, cp.
    const upd = d.docker(['update', '--memory', '64m', '--memory-swap', '128m', 'holder']);
    assert.equal(upd.code, 0, upd.stderr);
    assert.equal(
      d.docker(['inspect', '-f', '{{.HostConfig.Memory}}', 'holder']).stdout.trim(),
      String(64 * 1024 * 1024),
    );
    const commit = d.docker(['commit', 'holder', 'holder-image']);
    assert.equal(commit.code, 0, commit.stderr);
    d.docker(['rmi', 'holder-image']);
    const cp = d.docker(['cp', 'holder:/etc/passwd', '-']);
    assert.equal(cp.code, 0, cp.stderr);
    assert.match(cp.stdout, /root:x:0:0/);
    // What needs a process is refused; a signal other than SIGKILL is ignored, as by a pause.
    assert.match(d.docker(['exec', 'holder', 'true']).stderr, /it runs no process/);
    assert.equal(d.docker(['kill', '-s', 'TERM', 'holder']).code, 0);
    assert.equal(d.docker(['inspect', '-f', '{{.State.Status}}', 'holder']).stdout.trim(), 'running');
    const pins = () => readFileSync('/proc/self/mountinfo', 'utf8').split(`${d.root}/run/ipcns/`).length - 1;
    assert.equal(pins(), 1, 'its IPC namespace is a mount');
    assert.equal(d.docker(['kill', 'holder']).code, 0);
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'holder']).stdout.trim(),
      'exited 137',
    );
    assert.equal(pins(), 0, 'unmounted at its end');
    d.docker(['rm', '-f', 'joiner', 'holder']);
  });

  test('a container that exits while berthd is down shows its exit code after restart', async () => {
    d.docker(['run', '-d', '--name', 'brief', 'busybox', 'sh', '-c', 'sleep 1; exit 9']);
    await d.kill9();
    await new Promise((r) => setTimeout(r, 2000));
    await d.restart();
    await eventually(
      () =>
        d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'brief']).stdout.trim() ===
        'exited 9',
      10_000,
      'exit recorded',
    );
  });

  test('SIGTERM stops berthd cleanly and leaves containers running', async () => {
    d.docker(['run', '-d', '--name', 'calm', 'busybox', 'sleep', '300']);
    const pid = Number(d.docker(['inspect', '-f', '{{.State.Pid}}', 'calm']).stdout.trim());
    await d.stop();
    process.kill(pid, 0);
    await d.restart();
    assert.equal(d.docker(['inspect', '-f', '{{.State.Running}}', 'calm']).stdout.trim(), 'true');
  });

  test('two daemons with different roots run side by side', async () => {
    const other = await startDaemon('berthd');
    try {
      await loadBusybox(other);
      const r = other.docker(['run', '--rm', 'busybox', 'echo', 'second']);
      assert.equal(r.stdout, 'second\n', r.stderr);
      assert.doesNotMatch(other.docker(['ps', '-a', '--format', '{{.Names}}']).stdout, /calm/);
    } finally {
      await stopDaemon(other);
    }
  });
});
