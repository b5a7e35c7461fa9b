import assert from 'node:assert/strict';
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
