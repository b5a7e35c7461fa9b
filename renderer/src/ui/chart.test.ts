import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areaPath, linePath, niceCeil, pushWindow } from './chart.ts';

test('pushWindow keeps the newest max items and does not mutate', () => {
  const w = [1, 2, 3];
  assert.deepEqual(pushWindow(w, 4, 3), [2, 3, 4]);
  assert.deepEqual(pushWindow(w, 4, 5), [1, 2, 3, 4]);
  assert.deepEqual(w, [1, 2, 3]);
  let big: number[] = [];
  for (let i = 0; i < 100; i++) big = pushWindow(big, i, 60);
  assert.equal(big.length, 60);
  assert.equal(big[0], 40);
});

test('niceCeil rounds an axis top up to 1, 2, 2.5 or 5 × 10^k', () => {
  assert.equal(niceCeil(0.3), 1, 'the floor');
  assert.equal(niceCeil(0.3, 0.1), 0.5);
  assert.equal(niceCeil(7), 10);
  assert.equal(niceCeil(10), 10);
  assert.equal(niceCeil(11), 20);
  assert.equal(niceCeil(21), 25);
  assert.equal(niceCeil(130), 200);
  assert.equal(niceCeil(3_100_000), 5_000_000);
  assert.equal(niceCeil(Number.NaN, 5), 5);
});

test('linePath: newest sample at the right edge, values clamped to the box', () => {
  const box = { width: 100, height: 50, capacity: 3, max: 10 };
  assert.equal(linePath([], box), '');
  assert.equal(linePath([0, 5, 10], box), 'M0 50 L50 25 L100 0');
  assert.equal(linePath([5, 20], box), 'M50 25 L100 0', 'fewer samples start further right; over max clamps');
  assert.equal(linePath([-1], box), 'M100 50');
  assert.equal(areaPath([0, 10], box), 'M50 50 L100 0 L100 50 L50 50 Z');
});
