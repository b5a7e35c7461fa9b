import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon, target } from '../harness.ts';

interface Health {
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

describe(`healthchecks (${target})`, () => {
  let d: Daemon;
  const t0 = Math.floor(Date.now() / 1000) - 1;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  const run = (args: string[]) => {
    const r = d.docker(['run', '-d', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const health = (name: string): Health | null =>
    JSON.parse(d.docker(['inspect', '-f', '{{json .State.Health}}', name]).stdout || 'null');
  const status = (name: string) =>
    d.docker(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']).stdout.trim();
  const names = (filter: string) =>
    d
      .docker(['ps', '-a', '--filter', filter, '--format', '{{.Names}}'])
      .stdout.split('\n')
      .filter(Boolean)
      .sort();
  /** Events of one container so far (`--until` ends the stream). */
  const events = (name: string) =>
    d
      .docker([
        'events',
        '--since',
        String(t0),
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        `container=${name}`,
        '--format',
        '{{.Action}}',
      ])
      .stdout.split('\n')
      .filter(Boolean);

  test('starting until the probe passes, then healthy: ps status and filter, inspect log, events', async () => {
    run([
      '--name',
      'web',
      '--health-cmd',
      'cat /tmp/ready',
      '--health-interval',
      '200ms',
      '--health-retries',
      '1000',
      'busybox',
      'sleep',
      '300',
    ]);
    run(['--name', 'plain', 'busybox', 'sleep', '300']);
    assert.match(status('web'), /^Up .* \(health: starting\)$/);
    assert.match(status('plain'), /^Up [^(]*$/);
    assert.deepEqual(names('health=starting'), ['web']);
    assert.deepEqual(names('health=none'), ['plain']);
    // Failures while starting keep it starting, with the probe's output in the log.
    const starting = await eventually(() => (health('web')?.Log.length ? health('web') : null), 10_000);
    assert.equal(starting?.Status, 'starting');
    assert.notEqual(starting?.Log[0].ExitCode, 0);
    assert.match(starting?.Log[0].Output ?? '', /No such file or directory/);

    assert.equal(d.docker(['exec', 'web', 'sh', '-c', 'echo ok > /tmp/ready']).code, 0);
    await eventually(() => health('web')?.Status === 'healthy', 10_000, 'healthy');
    const h = health('web');
    assert.equal(h?.FailingStreak, 0);
    assert.ok(h && h.Log.length >= 1 && h.Log.length <= 5);
    const last = h?.Log.at(-1);
    assert.deepEqual([last?.ExitCode, last?.Output], [0, 'ok\n']);
    assert.ok(Date.parse(last?.End ?? '') >= Date.parse(last?.Start ?? ''));
    assert.match(status('web'), /^Up .* \(healthy\)$/);
    assert.deepEqual(names('health=healthy'), ['web']);
    assert.deepEqual(names('health=unhealthy'), []);
    const bad = d.docker(['ps', '--filter', 'health=sick']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unrecognised filter value for health: sick/);

    const ev = events('web');
    assert.ok(ev.includes('health_status: healthy'), ev.join('\n'));
    assert.ok(!ev.includes('health_status: unhealthy'));
    // Probes are execs, and show as such, as dockerd reports them.
    assert.ok(ev.includes('exec_create: /bin/sh -c cat /tmp/ready'), ev.join('\n'));
    assert.ok(ev.includes('exec_start: /bin/sh -c cat /tmp/ready'));
    assert.ok(ev.includes('exec_die'));
    d.docker(['rm', '-f', 'web', 'plain']);
  });

  test('failing probes make it unhealthy after the retries; it is reported, not restarted', async () => {
    run([
      '--name',
      'sick',
      '--restart',
      'always',
      '--health-cmd',
      'echo bad; exit 3',
      '--health-interval',
      '200ms',
      '--health-retries',
      '2',
      'busybox',
      'sleep',
      '300',
    ]);
    const pid = d.docker(['inspect', '-f', '{{.State.Pid}}', 'sick']).stdout.trim();
    await eventually(() => health('sick')?.Status === 'unhealthy', 10_000, 'unhealthy');
    const h = health('sick');
    assert.ok((h?.FailingStreak ?? 0) >= 2);
    assert.deepEqual([h?.Log[0].ExitCode, h?.Log[0].Output], [3, 'bad\n']);
    assert.match(status('sick'), /^Up .* \(unhealthy\)$/);
    assert.deepEqual(names('health=unhealthy'), ['sick']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(
      d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}} {{.RestartCount}}', 'sick']).stdout.trim(),
      `running ${pid} 0`,
    );
    assert.equal(
      events('sick')
        .filter((a) => a.startsWith('health_status'))
        .join(','),
      'health_status: unhealthy',
    );

    // Stopped, it keeps its last health; started again, it is starting again with the old log.
    assert.equal(d.docker(['stop', '-t', '0', 'sick']).code, 0);
    const stopped = health('sick');
    assert.equal(stopped?.Status, 'unhealthy');
    assert.match(status('sick'), /^Exited \(137\)/);
    assert.equal(d.docker(['start', 'sick']).code, 0);
    const again = health('sick');
    assert.equal(again?.Status, 'starting');
    assert.equal(again?.FailingStreak, 0);
    assert.ok((again?.Log.length ?? 0) >= 1);
    d.docker(['rm', '-f', 'sick']);
  });

  test('a probe that outlives its timeout is killed and fails with -1', async () => {
    run([
      '--name',
      'slow',
      '--health-cmd',
      'echo partial; sleep 30',
      '--health-interval',
      '200ms',
      '--health-timeout',
      '300ms',
      '--health-retries',
      '1',
      'busybox',
      'sleep',
      '300',
    ]);
    await eventually(() => (health('slow')?.Log.length ?? 0) >= 3, 15_000, 'three probes');
    const h = health('slow');
    assert.equal(h?.Status, 'unhealthy');
    for (const entry of h?.Log ?? []) {
      assert.equal(entry.ExitCode, -1);
      // Docker 25+ appends the output so far; older dockerd only says that it timed out.
      assert.match(entry.Output, /^Health check exceeded timeout \(300ms\)(: partial\n)?$/);
      const took = Date.parse(entry.End) - Date.parse(entry.Start);
      assert.ok(took >= 250 && took < 5000, `probe took ${took} ms`);
    }
    // Killed probes do not pile up: at most the one running now is left.
    const ps = d.docker(['exec', 'slow', 'ps', '-o', 'pid,args']).stdout;
    const sleeping = ps.split('\n').filter((l) => /\bsleep 30\b/.test(l));
    assert.ok(sleeping.length <= 1, ps);
    d.docker(['rm', '-f', 'slow']);
  });

  test("the image's HEALTHCHECK, flags over it, and --no-healthcheck", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-hc-'));
    try {
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        'FROM busybox\nHEALTHCHECK --interval=200ms --retries=1 CMD test -e /tmp/never\n',
      );
      const b = d.docker(['build', '-t', 'hcimg', dir]);
      assert.equal(b.code, 0, b.stderr + b.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    run(['--name', 'fromimage', 'hcimg', 'sleep', '300']);
    run(['--name', 'overridden', '--health-cmd', 'true', 'hcimg', 'sleep', '300']);
    run(['--name', 'disabled', '--no-healthcheck', 'hcimg', 'sleep', '300']);
    await eventually(() => health('fromimage')?.Status === 'unhealthy', 10_000, 'unhealthy from the image');
    await eventually(() => health('overridden')?.Status === 'healthy', 10_000, 'healthy with --health-cmd');
    const cfg = (n: string) => d.docker(['inspect', '-f', '{{json .Config.Healthcheck}}', n]).stdout.trim();
    assert.equal(
      cfg('fromimage'),
      '{"Test":["CMD-SHELL","test -e /tmp/never"],"Interval":200000000,"Retries":1}',
    );
    // The test from the flag, the rest from the image.
    assert.equal(cfg('overridden'), '{"Test":["CMD-SHELL","true"],"Interval":200000000,"Retries":1}');
    // dockerd keeps the image's other fields under NONE; only the test is disabled.
    assert.equal(cfg('disabled'), '{"Test":["NONE"],"Interval":200000000,"Retries":1}');
    assert.equal(health('disabled'), null);
    assert.match(status('disabled'), /^Up [^(]*$/);
    assert.deepEqual(names('health=none'), ['disabled']);
    assert.ok(!events('disabled').some((a) => a.startsWith('exec_') || a.startsWith('health_status')));
    d.docker(['rm', '-f', 'fromimage', 'overridden', 'disabled']);
  });

  test('start period: failures do not count, probes come at the start interval', {
    // --health-start-interval needs API 1.44; Debian's dockerd is older.
    skip: target === 'dockerd' ? 'needs API 1.44' : false,
  }, async () => {
    run([
      '--name',
      'warming',
      '--health-cmd',
      'exit 1',
      '--health-interval',
      '1s',
      '--health-start-period',
      '3s',
      '--health-start-interval',
      '100ms',
      '--health-retries',
      '1',
      'busybox',
      'sleep',
      '300',
    ]);
    // At the 1 s interval no more than two probes fit in the start period; at the start interval, four
    // come well within it (waited for, not timed: a busy machine runs each probe more slowly).
    let early = health('warming');
    await eventually(
      () => {
        early = health('warming');
        return (early?.Log.length ?? 0) >= 4 || early?.Status !== 'starting';
      },
      5000,
      'probes during the start period',
    );
    assert.equal(early?.Status, 'starting', `probes during the start period: ${early?.Log.length}`);
    assert.equal(early?.FailingStreak, 0);
    // Probes after the start period count: the first failure makes it unhealthy.
    await eventually(
      () => health('warming')?.Status === 'unhealthy',
      5000,
      'unhealthy after the start period',
    );
    const h = health('warming');
    const started = Date.parse(d.docker(['inspect', '-f', '{{.State.StartedAt}}', 'warming']).stdout.trim());
    assert.ok(h && Date.parse(h.Log.at(-1)?.Start ?? '') - started >= 2000);
    d.docker(['rm', '-f', 'warming']);
  });

  test("healthcheck options are checked with dockerd's messages", () => {
    const r = d.docker([
      'run',
      '--rm',
      '--health-cmd',
      'true',
      '--health-interval',
      '500us',
      'busybox',
      'true',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Interval in Healthcheck cannot be less than 1ms/);
  });
});

// Live restore is berthd's own promise, so this part runs on berthd only.
describe('healthchecks across a kill -9 of berthd', {
  skip: target === 'dockerd' ? 'berthd-only' : false,
}, () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon('berthd');
    await loadBusybox(d);
  });
  after(async () => stopDaemon(d));

  test('probing resumes for running containers, from starting', async () => {
    const r = d.docker([
      'run',
      '-d',
      '--name',
      'survivor',
      '--health-cmd',
      'date +%s%N',
      '--health-interval',
      '200ms',
      'busybox',
      'sleep',
      '300',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const health = (): Health | null =>
      JSON.parse(d.docker(['inspect', '-f', '{{json .State.Health}}', 'survivor']).stdout || 'null');
    await eventually(() => health()?.Status === 'healthy', 10_000, 'healthy');
    await d.kill9();
    const down = Date.now();
    await d.restart();
    // The state came back from disk; probing starts over.
    assert.match(health()?.Status ?? '', /^(starting|healthy)$/);
    await eventually(
      () => health()?.Log.some((l) => Date.parse(l.Start) > down) && health()?.Status === 'healthy',
      10_000,
      'a probe after the restart',
    );
    assert.match(
      d.docker(['ps', '--filter', 'name=survivor', '--format', '{{.Status}}']).stdout,
      /\(healthy\)/,
    );
  });
});
