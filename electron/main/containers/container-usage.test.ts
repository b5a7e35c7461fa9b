import assert from 'node:assert/strict';
import { test } from 'node:test';
import { usageFrom } from './container-usage.ts';

const sample = (total: number, system: number) => ({
  cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: 2 },
  memory_stats: { usage: 50_000_000, limit: 1_000_000_000, stats: { inactive_file: 10_000_000 } },
});

test('CPU% is the change since the previous call, as docker stats computes it; memory leaves out the page cache', () => {
  const first = usageFrom('a', sample(1_000, 100_000), undefined);
  assert.equal(first.usage.cpuPercent, null, 'no rate from a single sample');
  assert.equal(first.usage.memoryUsage, 40_000_000);
  assert.equal(first.usage.memoryLimit, 1_000_000_000);
  const second = usageFrom('a', sample(26_000, 200_000), first.reading);
  // 25,000 of 100,000 host ticks on 2 CPUs: half of one CPU.
  assert.equal(second.usage.cpuPercent, 50);
});

test('a counter that went back (the container restarted) gives no rate, not a negative one', () => {
  const before = usageFrom('a', sample(900_000, 100_000), undefined);
  assert.equal(usageFrom('a', sample(1_000, 200_000), before.reading).usage.cpuPercent, null);
});
