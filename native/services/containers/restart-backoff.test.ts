import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../core/manual-clock.ts';
import { RestartBackoff } from './restart-backoff.ts';

/**
 * A container that exits `ranMs` after each start, restarted by the back-off on a manual clock: the
 * measured gaps between an exit and the next start.
 */
async function crashLoop(exits: number, ranMs: (n: number) => number): Promise<number[]> {
  const clock = new ManualClock(0);
  const backoff = new RestartBackoff(clock);
  const gaps: number[] = [];
  let exitedAt = 0;
  let n = 0;
  const exit = () => {
    exitedAt = clock.now();
    backoff.afterExit('c', ranMs(n), () => {
      gaps.push(clock.now() - exitedAt);
      n++;
      if (n < exits) clock.setTimeout(exit, ranMs(n));
    });
  };
  exit();
  for (let i = 0; i < exits * 4 && gaps.length < exits; i++) await clock.advance(60_000);
  return gaps;
}

test('restarts wait 100 ms, then twice as long after each short run, up to a minute', async () => {
  const gaps = await crashLoop(12, () => 50);
  assert.deepEqual(gaps, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
});

test('a run of 10 s or more puts the delay back to 100 ms', async () => {
  // Runs: short, short, short, 10 s, short.
  const gaps = await crashLoop(5, (n) => (n === 3 ? 10_000 : 50));
  assert.deepEqual(gaps, [100, 200, 400, 100, 200]);
  const shorter = await crashLoop(5, (n) => (n === 3 ? 9_999 : 50));
  assert.deepEqual(shorter, [100, 200, 400, 800, 1600]);
});

test('nothing restarts before its delay, and a cancelled restart never runs', async () => {
  const clock = new ManualClock(0);
  const backoff = new RestartBackoff(clock);
  let restarts = 0;
  assert.equal(
    backoff.afterExit('c', 0, () => restarts++),
    100,
  );
  await clock.advance(99);
  assert.equal(restarts, 0);
  await clock.advance(1);
  assert.equal(restarts, 1);
  assert.equal(
    backoff.afterExit('c', 0, () => restarts++),
    200,
  );
  backoff.cancel('c');
  await clock.advance(10_000);
  assert.equal(restarts, 1, 'a user stop cancels the pending restart');
  assert.deepEqual(clock.pending(), []);
  // And the back-off starts over after a cancel.
  assert.equal(
    backoff.afterExit('c', 0, () => restarts++),
    100,
  );
});

test('a restart at daemon start runs at once and keeps the back-off of the container', async () => {
  const clock = new ManualClock(0);
  const backoff = new RestartBackoff(clock);
  const at: number[] = [];
  backoff.afterExit('c', 0, () => at.push(clock.now()));
  backoff.schedule('c', 0, () => at.push(clock.now()));
  await clock.advance(1000);
  assert.deepEqual(at, [0], 'the pending restart was replaced, not doubled');
  assert.equal(
    backoff.afterExit('c', 0, () => undefined),
    200,
  );
});
