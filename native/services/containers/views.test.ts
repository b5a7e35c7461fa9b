import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord, HealthState } from './model.ts';
import { humanDuration, statusText } from './views.ts';

const started = '2026-01-01T00:00:00.000Z';
const at = (s: number) => Date.parse(started) + s * 1000;

function rec(status: ContainerRecord['State']['Status'], health?: HealthState): ContainerRecord {
  return {
    State: { Status: status, StartedAt: started, FinishedAt: started, ExitCode: 0, Health: health },
  } as unknown as ContainerRecord;
}

test('ps status carries the health of a running container, as dockerd words it', () => {
  const h = (Status: HealthState['Status']): HealthState => ({ Status, FailingStreak: 0, Log: [] });
  assert.equal(statusText(rec('running'), at(5)), 'Up 5 seconds');
  assert.equal(
    statusText(rec('running', h('starting')), at(0.5)),
    'Up Less than a second (health: starting)',
  );
  assert.equal(statusText(rec('running', h('healthy')), at(5)), 'Up 5 seconds (healthy)');
  assert.equal(statusText(rec('running', h('unhealthy')), at(1)), 'Up 1 second (unhealthy)');
  assert.equal(statusText(rec('paused', h('healthy')), at(5)), 'Up 5 seconds (Paused)');
  assert.equal(statusText(rec('exited', h('unhealthy')), at(5)), 'Exited (0) 5 seconds ago');
});

test("durations are go-units' HumanDuration: truncated, singular for one", () => {
  const cases: Array<[number, string]> = [
    [999, 'Less than a second'],
    [1999, '1 second'],
    [59_999, '59 seconds'],
    [119_000, 'About a minute'],
    [45 * 60_000, '45 minutes'],
    [89 * 60_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [20 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms} ms`);
});
