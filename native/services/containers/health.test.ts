import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import { ManualClock } from '../../core/manual-clock.ts';
import { EventBus } from '../events.ts';
import type { ProbeRun } from '../exec/service.ts';
import { HealthMonitor } from './health.ts';
import type { ContainerRecord, HealthConfig } from './model.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const ms = 1_000_000; // ns per ms, for Healthcheck durations

function record(healthcheck: HealthConfig | undefined): ContainerRecord {
  return {
    Id: 'c0ffee',
    Name: '/probed',
    Config: { Healthcheck: healthcheck, Labels: {}, Image: 'busybox' },
    State: { Status: 'running', StartedAt: new Date(t0).toISOString() },
  } as unknown as ContainerRecord;
}

/** A monitor on a manual clock whose probes answer from `answers` (the last one repeats). */
function setup(healthcheck: HealthConfig | undefined, answers: Array<Partial<ProbeRun>>) {
  const clock = new ManualClock(t0);
  const events = new EventBus();
  const seen: string[] = [];
  events.subscribe((e) => seen.push(e.Action));
  const rec = record(healthcheck);
  const calls: Array<{ cmd: string[]; timeoutMs: number; at: number }> = [];
  let saves = 0;
  const runner = {
    async probe(_ref: string, cmd: string[], timeoutMs: number): Promise<ProbeRun> {
      calls.push({ cmd, timeoutMs, at: clock.now() - t0 });
      const a = answers[Math.min(calls.length - 1, answers.length - 1)];
      return { exitCode: 0, output: '', timedOut: false, ...a };
    },
  };
  const store = {
    find: () => rec,
    save: async () => {
      saves++;
    },
  };
  const monitor = new HealthMonitor({ clock, log: silentLogger, events, store }, runner);
  return { clock, rec, calls, seen, monitor, saves: () => saves };
}

test('the first probe runs one interval after the start; success makes the container healthy', async () => {
  const h = setup({ Test: ['CMD-SHELL', 'exit 0'], Interval: 1000 * ms }, [{ exitCode: 0, output: 'ok\n' }]);
  h.monitor.started(h.rec);
  assert.deepEqual(h.rec.State.Health, { Status: 'starting', FailingStreak: 0, Log: [] });
  await h.clock.advance(999);
  assert.equal(h.calls.length, 0);
  await h.clock.advance(1);
  assert.deepEqual(h.calls, [{ cmd: ['/bin/sh', '-c', 'exit 0'], timeoutMs: 30_000, at: 1000 }]);
  assert.equal(h.rec.State.Health?.Status, 'healthy');
  assert.deepEqual(h.rec.State.Health?.Log, [
    { Start: '2026-01-01T00:00:01.000Z', End: '2026-01-01T00:00:01.000Z', ExitCode: 0, Output: 'ok\n' },
  ]);
  assert.deepEqual(h.seen, ['health_status: healthy']);
  assert.ok(h.saves() >= 2, 'state is persisted at start and after a probe');
  // The next probe comes an interval after this one ended; a steady status emits no more events.
  assert.deepEqual(h.clock.pending(), [1000]);
  await h.clock.advance(2000);
  assert.equal(h.calls.length, 3);
  assert.deepEqual(h.seen, ['health_status: healthy']);
});

test('`retries` failures in a row make it unhealthy; one success resets the streak', async () => {
  const h = setup({ Test: ['CMD', 'check', '--deep'], Interval: 100 * ms, Retries: 2 }, [
    { exitCode: 1, output: 'bad\n' },
    { exitCode: 1 },
    { exitCode: 3 },
    { exitCode: 0 },
  ]);
  h.monitor.started(h.rec);
  await h.clock.advance(100);
  assert.deepEqual(h.calls[0].cmd, ['check', '--deep']);
  assert.equal(h.rec.State.Health?.Status, 'starting');
  assert.equal(h.rec.State.Health?.FailingStreak, 1);
  await h.clock.advance(100);
  assert.equal(h.rec.State.Health?.Status, 'unhealthy');
  await h.clock.advance(100);
  assert.equal(h.rec.State.Health?.FailingStreak, 3);
  await h.clock.advance(100);
  assert.deepEqual(
    { status: h.rec.State.Health?.Status, streak: h.rec.State.Health?.FailingStreak },
    { status: 'healthy', streak: 0 },
  );
  assert.deepEqual(h.seen, ['health_status: unhealthy', 'health_status: healthy']);
});

test('the log keeps the last five probes', async () => {
  const h = setup({ Test: ['CMD', 'true'], Interval: 10 * ms }, [{ exitCode: 0 }]);
  h.monitor.started(h.rec);
  await h.clock.advance(70);
  assert.equal(h.calls.length, 7);
  const log = h.rec.State.Health?.Log ?? [];
  assert.equal(log.length, 5);
  assert.equal(log[0].Start, new Date(t0 + 30).toISOString());
  assert.equal(log[4].Start, new Date(t0 + 70).toISOString());
});

test('within the start period failures do not count and probes come at the start interval', async () => {
  const h = setup(
    {
      Test: ['CMD', 'probe'],
      Interval: 5000 * ms,
      StartPeriod: 9000 * ms,
      StartInterval: 2000 * ms,
      Retries: 1,
    },
    [{ exitCode: 1 }],
  );
  h.monitor.started(h.rec);
  await h.clock.advance(8999);
  // At 2, 4, 6 and 8 s: within the start period, so still starting with no failing streak.
  assert.deepEqual(
    h.calls.map((c) => c.at),
    [2000, 4000, 6000, 8000],
  );
  assert.deepEqual(h.rec.State.Health?.Status, 'starting');
  assert.equal(h.rec.State.Health?.FailingStreak, 0);
  // Less than a start interval is left of the start period: the next probe comes when it ends, and counts.
  await h.clock.advance(1);
  assert.equal(h.calls.at(-1)?.at, 9000);
  assert.equal(h.rec.State.Health?.Status, 'unhealthy');
  assert.deepEqual(h.clock.pending(), [5000]);
});

test('a probe that times out fails with -1 and the text dockerd writes', async () => {
  const h = setup({ Test: ['CMD', 'sleep', '9'], Interval: 100 * ms, Timeout: 200 * ms, Retries: 1 }, [
    { exitCode: 137, output: 'partial\n', timedOut: true },
    { exitCode: 137, output: '', timedOut: true },
  ]);
  h.monitor.started(h.rec);
  await h.clock.advance(200);
  assert.equal(h.calls[0].timeoutMs, 200);
  const log = h.rec.State.Health?.Log ?? [];
  assert.deepEqual(
    log.map((l) => [l.ExitCode, l.Output]),
    [
      [-1, 'Health check exceeded timeout (200ms): partial\n'],
      [-1, 'Health check exceeded timeout (200ms)'],
    ],
  );
  assert.equal(h.rec.State.Health?.Status, 'unhealthy');
});

test('a probe that cannot start is a failure whose output is the reason', async () => {
  const h = setup({ Test: ['CMD', 'nope'], Interval: 100 * ms }, [{}]);
  const monitor = new HealthMonitor(
    {
      clock: h.clock,
      log: silentLogger,
      events: new EventBus(),
      store: { find: () => h.rec, save: async () => {} },
    },
    {
      probe: async () => {
        throw new Error('container c0ffee is not running');
      },
    },
  );
  monitor.started(h.rec);
  await h.clock.advance(100);
  assert.deepEqual(
    h.rec.State.Health?.Log.map((l) => [l.ExitCode, l.Output]),
    [[-1, 'container c0ffee is not running']],
  );
});

test('stopped() cancels the next probe and discards the result of one in flight', async () => {
  const h = setup({ Test: ['CMD', 'true'], Interval: 100 * ms }, [{ exitCode: 0 }]);
  let release: (r: ProbeRun) => void = () => {};
  const slow = new HealthMonitor(
    {
      clock: h.clock,
      log: silentLogger,
      events: new EventBus(),
      store: { find: () => h.rec, save: async () => {} },
    },
    { probe: () => new Promise<ProbeRun>((resolve) => (release = resolve)) },
  );
  slow.started(h.rec);
  await h.clock.advance(100);
  assert.ok(slow.watching(h.rec.Id));
  slow.stopped(h.rec);
  release({ exitCode: 0, output: '', timedOut: false });
  await h.clock.advance(1000);
  assert.equal(h.rec.State.Health?.Status, 'starting');
  assert.deepEqual(h.rec.State.Health?.Log, []);
  assert.deepEqual(h.clock.pending(), []);
  assert.equal(slow.watching(h.rec.Id), false);
});

test('a restart starts again from `starting` with a zero streak and keeps the log', async () => {
  const h = setup({ Test: ['CMD', 'false'], Interval: 100 * ms, Retries: 1 }, [{ exitCode: 1 }]);
  h.monitor.started(h.rec);
  await h.clock.advance(100);
  assert.equal(h.rec.State.Health?.Status, 'unhealthy');
  h.monitor.stopped(h.rec);
  h.monitor.started(h.rec);
  assert.equal(h.rec.State.Health?.Status, 'starting');
  assert.equal(h.rec.State.Health?.FailingStreak, 0);
  assert.equal(h.rec.State.Health?.Log.length, 1);
  assert.deepEqual(h.clock.pending(), [100], 'one timer only: the old watch is gone');
});

test('no probing while paused; it goes on once the container runs again', async () => {
  const h = setup({ Test: ['CMD', 'true'], Interval: 100 * ms }, [{ exitCode: 0 }]);
  h.monitor.started(h.rec);
  h.rec.State.Status = 'paused';
  await h.clock.advance(300);
  assert.equal(h.calls.length, 0);
  h.rec.State.Status = 'running';
  await h.clock.advance(100);
  assert.equal(h.calls.length, 1);
});

test('no healthcheck, NONE, an empty or unknown test: no Health and no timers', async () => {
  for (const hc of [undefined, { Test: ['NONE'] }, { Test: [] }, { Test: ['HTTP', 'x'] }]) {
    const h = setup(hc, [{}]);
    h.monitor.started(h.rec);
    assert.equal(h.rec.State.Health, undefined);
    assert.deepEqual(h.clock.pending(), []);
  }
});
