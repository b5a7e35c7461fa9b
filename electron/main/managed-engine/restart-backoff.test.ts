// The managed engine's automatic restarts, driven by a ManualClock: no sleeping, every delay exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../native/core/manual-clock.ts';
import { RestartBackoff } from './restart-backoff.ts';

/**
 * An engine that reports to its back-off as BerthdProcess does: up() when a start answers, died()
 * when a start fails. `outcomes` says how each start goes (true: it answers); `starts` when each began.
 */
function engine(outcomes: boolean[]) {
  const clock = new ManualClock(1_000_000);
  const starts: number[] = [];
  const backoff: RestartBackoff = new RestartBackoff(async () => {
    starts.push(clock.now() - 1_000_000);
    if (outcomes.shift() ?? true) backoff.up();
    else {
      backoff.died('did not start: berthd exited (1):');
      throw new Error('berthd exited (1)');
    }
  }, clock);
  return { clock, starts, backoff };
}

test('a death is followed by a start 1 s later, and nothing sooner', async () => {
  const { clock, starts, backoff } = engine([true]);
  backoff.up();
  backoff.died('was killed by SIGKILL');
  assert.deepEqual(backoff.state(), { attempt: 1, inMs: 1000, lastExit: 'was killed by SIGKILL' });
  await clock.advance(999);
  assert.deepEqual(starts, []);
  assert.equal(backoff.state()?.inMs, 1);
  await clock.advance(1);
  assert.deepEqual(starts, [1000]);
  assert.equal(backoff.state(), null, 'up again: nothing pending');
  assert.deepEqual(clock.pending(), []);
});

test('starts that keep failing wait twice as long each time, up to 30 s', async () => {
  const { clock, starts, backoff } = engine([false, false, false, false, false, false, false, true]);
  backoff.died('was killed by SIGKILL');
  await clock.advance(200_000);
  const gaps = starts.map((t, i) => t - (starts[i - 1] ?? 0));
  assert.deepEqual(gaps, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(backoff.state(), null);
});

test('dying soon after coming back keeps the longer wait; staying up 30 s brings it back to 1 s', async () => {
  const { clock, starts, backoff } = engine([true, true, true]);
  backoff.up();
  backoff.died('exited with code 1');
  await clock.advance(1000); // up again at 1 s
  await clock.advance(5000);
  backoff.died('exited with code 1'); // after 5 s up: still unhealthy
  assert.equal(backoff.state()?.inMs, 2000);
  await clock.advance(2000); // up again at 8 s
  await clock.advance(30_000);
  backoff.died('was killed by SIGKILL'); // after 30 s up: healthy, back to the first delay
  assert.deepEqual(backoff.state(), { attempt: 1, inMs: 1000, lastExit: 'was killed by SIGKILL' });
  await clock.advance(1000);
  assert.deepEqual(starts, [1000, 8000, 39_000]);
});

test('a stop or restart on purpose cancels the pending start and starts the back-off over', async () => {
  const { clock, starts, backoff } = engine([false, true]);
  backoff.died('was killed by SIGKILL');
  await clock.advance(1000); // fails: the next one waits 2 s
  assert.equal(backoff.state()?.inMs, 2000);
  backoff.reset();
  assert.equal(backoff.state(), null);
  await clock.advance(60_000);
  assert.deepEqual(starts, [1000], 'nothing started after reset');
  backoff.died('exited with code 2');
  assert.equal(backoff.state()?.inMs, 1000);
});

test('a second report of the same death schedules one start, not two', async () => {
  const { clock, starts, backoff } = engine([true]);
  backoff.died('was killed by SIGKILL');
  backoff.died('was killed by SIGKILL');
  await clock.advance(10_000);
  assert.deepEqual(starts, [1000]);
});
