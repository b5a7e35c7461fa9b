import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

describe(`container lifecycle (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  const state = (name: string) => d.docker(['inspect', '-f', '{{.State.Status}}', name]).stdout.trim();

  test('create, start, stop, start again, wait, rm', () => {
    const c = d.docker([
      'create',
      '--name',
      'life',
      'busybox',
      'sh',
      '-c',
      'trap "exit 7" TERM; sleep 100 & wait',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(state('life'), 'created');
    assert.equal(d.docker(['start', 'life']).stdout.trim(), 'life');
    assert.equal(state('life'), 'running');
    const stop = d.docker(['stop', '-t', '5', 'life']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(state('life'), 'exited');
    assert.equal(d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'life']).stdout.trim(), '7');
    assert.equal(d.docker(['start', 'life']).code, 0);
    const waiter = d.dockerAsync(['wait', 'life']);
    d.docker(['kill', '-s', 'TERM', 'life']);
    return waiter.done.then((w) => {
      assert.equal(w.code, 0, w.stderr);
      assert.equal(w.stdout.trim(), '7');
      assert.equal(d.docker(['rm', 'life']).code, 0);
    });
  });

  test('stop of a container that ignores SIGTERM kills it after the timeout', () => {
    d.docker([
      'run',
      '-d',
      '--name',
      'stubborn',
      'busybox',
      'sh',
      '-c',
      'trap "" TERM; while true; do sleep 1; done',
    ]);
    const t0 = Date.now();
    const r = d.docker(['stop', '-t', '1', 'stubborn']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'stubborn']).stdout.trim(), '137');
    d.docker(['rm', 'stubborn']);
  });

  test('kill with a signal, wait returns the exit code', () => {
    d.docker([
      'run',
      '-d',
      '--name',
      'killme',
      'busybox',
      'sh',
      '-c',
      'trap "exit 42" USR1; while true; do sleep 0.1; done',
    ]);
    const k = d.docker(['kill', '-s', 'USR1', 'killme']);
    assert.equal(k.code, 0, k.stderr);
    const w = d.docker(['wait', 'killme']);
    assert.equal(w.stdout.trim(), '42');
    const again = d.docker(['kill', 'killme']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /is not running/);
    const bad = d.docker(['run', '-d', '--name', 'killme2', 'busybox', 'sleep', '100']);
    assert.equal(bad.code, 0);
    const badSig = d.docker(['kill', '-s', 'NOPE', 'killme2']);
    assert.notEqual(badSig.code, 0);
    assert.match(badSig.stderr, /Invalid signal: NOPE|invalid signal/i);
    d.docker(['rm', '-f', 'killme', 'killme2']);
  });

  test('pause and unpause', () => {
    d.docker(['run', '-d', '--name', 'pauser', 'busybox', 'sleep', '100']);
    assert.equal(d.docker(['pause', 'pauser']).code, 0);
    assert.equal(state('pauser'), 'paused');
    assert.match(d.docker(['ps', '--format', '{{.Status}}', '-f', 'name=pauser']).stdout, /\(Paused\)/);
    assert.equal(d.docker(['unpause', 'pauser']).code, 0);
    assert.equal(state('pauser'), 'running');
    d.docker(['rm', '-f', 'pauser']);
  });

  test('rename and restart', () => {
    d.docker(['run', '-d', '--name', 'before', 'busybox', 'sleep', '100']);
    assert.equal(d.docker(['rename', 'before', 'after']).code, 0);
    assert.equal(d.docker(['inspect', '-f', '{{.Name}}', 'after']).stdout.trim(), '/after');
    const pid1 = d.docker(['inspect', '-f', '{{.State.Pid}}', 'after']).stdout.trim();
    assert.equal(d.docker(['restart', '-t', '0', 'after']).code, 0);
    const pid2 = d.docker(['inspect', '-f', '{{.State.Pid}}', 'after']).stdout.trim();
    assert.notEqual(pid1, pid2);
    assert.equal(state('after'), 'running');
    d.docker(['rm', '-f', 'after']);
  });

  test('rm of a running container needs -f', () => {
    d.docker(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '100']);
    const r = d.docker(['rm', 'busy']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /cannot remove container "\/?busy": container is running: stop the container before removing or force remove|You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/,
    );
    assert.equal(d.docker(['rm', '-f', 'busy']).code, 0);
  });

  test('ps: -a, -q, -n, --no-trunc, filters and --format', () => {
    d.docker(['run', '-d', '--name', 'ps-run', '-l', 'team=a', 'busybox', 'sleep', '100']);
    d.docker(['run', '--name', 'ps-exit', '-l', 'team=b', 'busybox', 'sh', '-c', 'exit 2']);
    d.docker(['create', '--name', 'ps-new', 'busybox', 'true']);
    const running = d.docker(['ps', '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean);
    assert.deepEqual(running, ['ps-run']);
    const all = d.docker(['ps', '-a', '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean);
    assert.deepEqual(all, ['ps-new', 'ps-exit', 'ps-run']);
    assert.equal(d.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean).length, 3);
    assert.match(d.docker(['ps', '-aq', '--no-trunc']).stdout.split('\n')[0], /^[0-9a-f]{64}$/);
    assert.deepEqual(d.docker(['ps', '-n', '1', '--format', '{{.Names}}']).stdout.trim(), 'ps-new');
    assert.equal(
      d.docker(['ps', '-a', '-f', 'status=exited', '--format', '{{.Names}}']).stdout.trim(),
      'ps-exit',
    );
    assert.equal(d.docker(['ps', '-a', '-f', 'exited=2', '--format', '{{.Names}}']).stdout.trim(), 'ps-exit');
    assert.equal(
      d.docker(['ps', '-a', '-f', 'label=team=a', '--format', '{{.Names}}']).stdout.trim(),
      'ps-run',
    );
    assert.equal(
      d.docker(['ps', '-a', '-f', 'name=ps-ne', '--format', '{{.Names}}']).stdout.trim(),
      'ps-new',
    );
    assert.equal(
      d.docker(['ps', '-a', '-f', 'ancestor=busybox', '-q']).stdout.split('\n').filter(Boolean).length,
      3,
    );
    assert.match(
      d.docker(['ps', '-a', '-f', 'status=exited', '--format', '{{.Status}}']).stdout,
      /^Exited \(2\) /,
    );
    const bad = d.docker(['ps', '-f', 'status=bogus']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid filter 'status=bogus'/i);
    const table = d.docker(['ps', '-a', '-s']).stdout;
    assert.match(
      table.split('\n')[0],
      /CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s+SIZE/,
    );
    d.docker(['rm', '-f', 'ps-run', 'ps-exit', 'ps-new']);
  });

  test('top, diff, export and prune', () => {
    d.docker([
      'run',
      '-d',
      '--name',
      'fs',
      'busybox',
      'sh',
      '-c',
      'echo x > /tmp/new; rm /etc/group; sleep 100',
    ]);
    const top = d.docker(['top', 'fs']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /UID\s+PID\s+PPID/);
    assert.match(top.stdout, /sleep 100/);
    const diff = d.docker(['diff', 'fs']).stdout;
    assert.match(diff, /^A \/tmp\/new$/m);
    assert.match(diff, /^D \/etc\/group$/m);
    assert.match(diff, /^C \/tmp$/m);
    const exp = d.docker(['export', 'fs']);
    assert.equal(exp.code, 0, exp.stderr);
    d.docker(['rm', '-f', 'fs']);
    d.docker(['run', '--name', 'done1', 'busybox', 'true']);
    const prune = d.docker(['container', 'prune', '-f']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /Deleted Containers:\n[0-9a-f]{64}/);
    assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '');
  });

  test('update changes limits and restart policy', () => {
    d.docker(['run', '-d', '--name', 'upd', 'busybox', 'sleep', '100']);
    const u = d.docker([
      'update',
      '--memory',
      '32m',
      '--memory-swap',
      '64m',
      '--restart',
      'on-failure:3',
      'upd',
    ]);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(
      d
        .docker([
          'inspect',
          '-f',
          '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}',
          'upd',
        ])
        .stdout.trim(),
      '33554432 on-failure 3',
    );
    d.docker(['rm', '-f', 'upd']);
  });

  /** The container's `start` and `die` events so far, with their times in ms. */
  const startsAndDies = (name: string, since: string) =>
    d
      .docker([
        'events',
        '--since',
        since,
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        `container=${name}`,
        '--filter',
        'event=start',
        '--filter',
        'event=die',
        '--format',
        '{{.Action}} {{.TimeNano}}',
      ])
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [action, ns] = l.split(' ');
        return { action, ms: Number(BigInt(ns) / 1_000_000n) };
      });

  // The back-off itself is measured on a manual clock (native/services/containers/restart-backoff.test.ts);
  // here, on the real engine, each restart waits at least its delay: 100 ms, then 200, then 400.
  test('restart policy on-failure restarts with backoff and counts', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const r = d.docker([
      'run',
      '-d',
      '--name',
      'flaky',
      '--restart',
      'on-failure:3',
      'busybox',
      'sh',
      '-c',
      'exit 1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      () =>
        d.docker(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky']).stdout.trim() ===
        '3 exited',
      30_000,
      'three restarts',
    );
    const events = startsAndDies('flaky', since);
    assert.deepEqual(
      events.map((e) => e.action),
      ['start', 'die', 'start', 'die', 'start', 'die', 'start', 'die'],
    );
    const gaps = [1, 3, 5].map((i) => events[i + 1].ms - events[i].ms);
    // 5 ms of slack: the die and start times come from different clocks of the engine.
    for (const [i, g] of gaps.entries())
      assert.ok(g >= 100 * 2 ** i - 5, `restart ${i + 1} after ${g} ms: ${gaps}`);
    d.docker(['rm', '-f', 'flaky']);
  });

  test('restart policies always and unless-stopped: any exit restarts; a stop holds until the daemon restarts, for always only', async () => {
    const run = (name: string, policy: string, ...cmd: string[]) => {
      const r = d.docker(['run', '-d', '--name', name, '--restart', policy, 'busybox', ...cmd]);
      assert.equal(r.code, 0, r.stderr);
    };
    const inspect = (name: string) =>
      d.docker(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', name]).stdout.trim().split(' ');
    // Exit 0 and exit 3 both restart.
    run('al-loop', 'always', 'true');
    run('us-loop', 'unless-stopped', 'sh', '-c', 'exit 3');
    for (const name of ['al-loop', 'us-loop'])
      await eventually(() => Number(inspect(name)[1]) >= 2, 30_000, `${name} restarted twice`);
    // Stopped by the user: neither starts again by itself.
    run('al', 'always', 'sleep', '300');
    run('us', 'unless-stopped', 'sleep', '300');
    for (const name of ['al-loop', 'us-loop', 'al', 'us']) {
      const r = d.docker(['stop', '-t', '1', name]);
      assert.equal(r.code, 0, r.stderr);
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const name of ['al', 'us']) assert.equal(inspect(name)[0], 'exited', `${name} stays stopped`);
    // A daemon restart starts `always` containers again, stopped or not; `unless-stopped` stays stopped.
    await d.stop();
    await d.restart();
    await eventually(() => inspect('al')[0] === 'running', 30_000, 'al running after the daemon restart');
    assert.equal(inspect('us')[0], 'exited');
    d.docker(['rm', '-f', 'al-loop', 'us-loop', 'al', 'us']);
  });

  test('--rm removes the container when it exits', async () => {
    const fg = d.docker(['run', '--rm', '--name', 'gone-fg', 'busybox', 'sh', '-c', 'echo hi; exit 3']);
    assert.deepEqual([fg.code, fg.stdout], [3, 'hi\n'], fg.stderr);
    assert.equal(d.docker(['ps', '-aq', '-f', 'name=gone-fg']).stdout, '', 'gone when the CLI returns');
    const bg = d.docker(['run', '-d', '--rm', '--name', 'gone', 'busybox', 'sleep', '2']);
    assert.equal(bg.code, 0, bg.stderr);
    assert.match(bg.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(d.docker(['inspect', '-f', '{{.State.Status}}', 'gone']).stdout, 'running\n');
    await eventually(
      () => d.docker(['ps', '-aq', '-f', 'name=gone']).stdout.trim() === '',
      15_000,
      'auto-remove',
    );
  });
});
