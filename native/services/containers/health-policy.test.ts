import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  goDuration,
  LimitedOutput,
  mergeHealthcheck,
  nextProbeDelay,
  probeOf,
  validateHealthcheck,
} from './health-policy.ts';

const ms = 1_000_000;

test("probes: CMD runs as is, CMD-SHELL through the image's shell or /bin/sh -c, Docker's defaults", () => {
  assert.deepEqual(probeOf({ Test: ['CMD-SHELL', 'curl -f x || exit 1'] }), {
    cmd: ['/bin/sh', '-c', 'curl -f x || exit 1'],
    intervalMs: 30_000,
    timeoutMs: 30_000,
    startPeriodMs: 0,
    startIntervalMs: 5_000,
    retries: 3,
  });
  assert.deepEqual(probeOf({ Test: ['CMD-SHELL', 'x'] }, ['/bin/bash', '-ec'])?.cmd, [
    '/bin/bash',
    '-ec',
    'x',
  ]);
  const p = probeOf({
    Test: ['CMD', 'pg_isready', '-q'],
    Interval: 200 * ms,
    Timeout: 1500 * ms,
    StartPeriod: 3000 * ms,
    StartInterval: 50 * ms,
    Retries: 7,
  });
  assert.deepEqual(p, {
    cmd: ['pg_isready', '-q'],
    intervalMs: 200,
    timeoutMs: 1500,
    startPeriodMs: 3000,
    startIntervalMs: 50,
    retries: 7,
  });
  assert.equal(probeOf({ Test: ['NONE'] }), undefined);
  assert.equal(probeOf({ Test: ['CMD'] }), undefined);
  assert.equal(probeOf(null), undefined);
});

test("flags over the image's HEALTHCHECK, field by field, as dockerd merges them", () => {
  const image = { Test: ['CMD', 'true'], Interval: 5000 * ms, Retries: 2 };
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
  assert.deepEqual(mergeHealthcheck({ Interval: 200 * ms }, image), {
    Test: ['CMD', 'true'],
    Interval: 200 * ms,
    Retries: 2,
  });
  assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image), {
    Test: ['NONE'],
    Interval: 5000 * ms,
    Retries: 2,
  });
  assert.deepEqual(mergeHealthcheck({ Test: ['CMD', 'x'] }, undefined), { Test: ['CMD', 'x'] });
  assert.equal(mergeHealthcheck(undefined, null), undefined);
});

test("healthcheck validation has dockerd's messages", () => {
  assert.throws(() => validateHealthcheck({ Interval: 500_000 }), {
    message: 'Interval in Healthcheck cannot be less than 1ms',
  });
  assert.throws(() => validateHealthcheck({ Timeout: -1 }), /Timeout in Healthcheck cannot be less than 1ms/);
  assert.throws(
    () => validateHealthcheck({ StartPeriod: 10 }),
    /StartPeriod in Healthcheck cannot be less than 1ms/,
  );
  assert.throws(
    () => validateHealthcheck({ StartInterval: 10 }),
    /StartInterval in Healthcheck cannot be less than 1ms/,
  );
  assert.throws(() => validateHealthcheck({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
  validateHealthcheck({ Test: ['CMD', 'true'], Interval: 1 * ms, Timeout: 0, Retries: 0 });
  validateHealthcheck(undefined);
});

test('probe delays: the interval, the start interval while starting, never past the start period', () => {
  const p = probeOf({
    Test: ['CMD', 'x'],
    Interval: 10_000 * ms,
    StartPeriod: 30_000 * ms,
    StartInterval: 1000 * ms,
  });
  assert.ok(p);
  assert.equal(nextProbeDelay(p, 0, 0, 'starting'), 1000);
  assert.equal(nextProbeDelay(p, 0, 5000, 'healthy'), 10_000);
  assert.equal(nextProbeDelay(p, 0, 25_000, 'starting'), 1000);
  assert.equal(nextProbeDelay(p, 0, 29_500, 'starting'), 500);
  assert.equal(nextProbeDelay(p, 0, 30_000, 'starting'), 10_000);
  const plain = probeOf({ Test: ['CMD', 'x'] });
  assert.ok(plain);
  assert.equal(nextProbeDelay(plain, 0, 0, 'starting'), 30_000);
});

test("durations print as Go's time.Duration does", () => {
  assert.equal(goDuration(200), '200ms');
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(30_000), '30s');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

test('probe output is cut at 4 KiB and marked', () => {
  const out = new LimitedOutput();
  out.write(Buffer.from('a'.repeat(4000)));
  out.write(Buffer.from('b'.repeat(200)));
  const s = out.toString();
  assert.equal(s.length, 4096 + 3);
  assert.ok(s.endsWith('b...'));
  const small = new LimitedOutput();
  small.write(Buffer.from('ok\n'));
  assert.equal(small.toString(), 'ok\n');
});
