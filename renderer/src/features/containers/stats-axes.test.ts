import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuAxis, memoryAxis, rateAxis } from './stats-axes.ts';

test('CPU axis: a round top over the peak, never past 100 % per CPU', () => {
  assert.equal(cpuAxis([], 2), 1);
  assert.equal(cpuAxis([0.2, 0.4], 2), 1);
  assert.equal(cpuAxis([12, 30], 2), 50);
  assert.equal(cpuAxis([99, 100], 1), 100);
  assert.equal(cpuAxis([180], 2), 200);
  assert.equal(cpuAxis([180], 0), 250, 'no CPU count: just round');
});

test('memory axis: the limit when usage nears it, else a round top', () => {
  assert.equal(memoryAxis([400_000], 24e9), 1_000_000);
  assert.equal(memoryAxis([30e6, 40e6], 24e9), 50e6);
  assert.equal(memoryAxis([60e6], 64e6), 64e6);
  assert.equal(memoryAxis([60e6], 0), 100e6);
});

test('rate axis over several series', () => {
  assert.equal(rateAxis([], []), 1000);
  assert.equal(rateAxis([100, 2000], [4500]), 10_000);
});
