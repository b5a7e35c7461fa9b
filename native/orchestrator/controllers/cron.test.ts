import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSchedule } from './cron.ts';

const at = (s: string) => Date.parse(s);
const next = (schedule: string, from: string, n = 1) => {
  const sch = parseSchedule(schedule, 'UTC');
  let t = at(from);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    t = sch.next(t);
    out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  }
  return out;
};

test('cron fields: steps, ranges, lists, names', () => {
  assert.deepEqual(next('*/15 * * * *', '2026-01-01T00:07:30Z', 3), [
    '2026-01-01T00:15:00Z',
    '2026-01-01T00:30:00Z',
    '2026-01-01T00:45:00Z',
  ]);
  assert.deepEqual(next('0 9-17/4 * * *', '2026-01-01T10:00:00Z', 3), [
    '2026-01-01T13:00:00Z',
    '2026-01-01T17:00:00Z',
    '2026-01-02T09:00:00Z',
  ]);
  assert.deepEqual(next('30 6 * * mon,fri', '2026-01-01T00:00:00Z', 2), [
    '2026-01-02T06:30:00Z',
    '2026-01-05T06:30:00Z',
  ]);
  assert.deepEqual(next('0 0 1 feb-mar *', '2026-01-15T00:00:00Z', 2), [
    '2026-02-01T00:00:00Z',
    '2026-03-01T00:00:00Z',
  ]);
  // Both day fields restricted: either matches (the 13th, or a Friday).
  assert.deepEqual(next('0 0 13 * 5', '2026-02-01T00:00:00Z', 3), [
    '2026-02-06T00:00:00Z',
    '2026-02-13T00:00:00Z',
    '2026-02-20T00:00:00Z',
  ]);
  assert.deepEqual(next('0 0 * * 7', '2026-01-01T00:00:00Z'), ['2026-01-04T00:00:00Z'], 'Sunday as 7');
});

test('cron macros, @every and time zones; bad schedules are refused', () => {
  assert.deepEqual(next('@hourly', '2026-01-01T00:00:00Z', 2), [
    '2026-01-01T01:00:00Z',
    '2026-01-01T02:00:00Z',
  ]);
  assert.deepEqual(next('@daily', '2026-01-01T05:00:00Z'), ['2026-01-02T00:00:00Z']);
  assert.deepEqual(next('@weekly', '2026-01-01T00:00:00Z'), ['2026-01-04T00:00:00Z']);
  assert.deepEqual(next('@monthly', '2026-01-31T00:00:00Z'), ['2026-02-01T00:00:00Z']);
  assert.deepEqual(next('@yearly', '2026-03-01T00:00:00Z'), ['2027-01-01T00:00:00Z']);
  assert.deepEqual(next('@every 90s', '2026-01-01T00:00:00Z', 2), [
    '2026-01-01T00:01:30Z',
    '2026-01-01T00:03:00Z',
  ]);
  // 09:00 in Berlin (UTC+1 in winter) is 08:00 UTC.
  const berlin = parseSchedule('0 9 * * *', 'Europe/Berlin');
  assert.equal(new Date(berlin.next(at('2026-01-01T00:00:00Z'))).toISOString(), '2026-01-01T08:00:00.000Z');
  for (const bad of ['* * * *', '61 * * * *', '0 0 * * funday', '5-1 * * * *'])
    assert.throws(() => parseSchedule(bad), Error, bad);
});
