import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cpuQuantity,
  goSeconds,
  memoryQuantity,
  type Reading,
  UsageMeter,
  type UsageReader,
  workingSet,
} from './usage.ts';

/** Counters that advance with a manual clock: each container burns `cores` of CPU. */
function fakeMachine(cores: Record<string, number>) {
  let now = 10_000;
  const cpu: Record<string, number> = Object.fromEntries(Object.keys(cores).map((k) => [k, 0]));
  const reads: string[] = [];
  const advance = (ms: number) => {
    now += ms;
    for (const k of Object.keys(cores)) cpu[k] += cores[k] * ms * 1e6;
  };
  const reading = (k: string): Reading => ({ cpuNs: cpu[k], memoryBytes: 1024 * 1024, atMs: now });
  const reader: UsageReader = {
    async container(id) {
      reads.push(id);
      return id in cores && id !== 'node' ? reading(id) : undefined;
    },
    async node() {
      reads.push('node');
      return reading('node');
    },
  };
  return { reader, advance, now: () => now, reads };
}

test('a first request reads twice a second apart; the rate is cores in nanocores', async () => {
  const m = fakeMachine({ a: 0.25, b: 1.5, node: 2 });
  const slept: number[] = [];
  const meter = new UsageMeter(m.reader, m.now, async (ms) => {
    slept.push(ms);
    m.advance(ms);
  });
  const u = await meter.usage(['a', 'b', 'node']);
  assert.deepEqual(slept, [1000]);
  assert.equal(u.get('a')?.cpuNanoCores, 250_000_000);
  assert.equal(u.get('b')?.cpuNanoCores, 1_500_000_000);
  assert.equal(u.get('node')?.cpuNanoCores, 2_000_000_000);
  assert.equal(u.get('a')?.windowMs, 1000);
  assert.equal(u.get('a')?.memoryBytes, 1024 * 1024);
});

test('a later request takes its rate against the reading kept from the one before, without waiting', async () => {
  const m = fakeMachine({ a: 0.5 });
  let sleeps = 0;
  const meter = new UsageMeter(m.reader, m.now, async (ms) => {
    sleeps++;
    m.advance(ms);
  });
  await meter.usage(['a']);
  m.advance(15_000);
  const u = await meter.usage(['a']);
  assert.equal(sleeps, 1);
  assert.equal(u.get('a')?.windowMs, 15_000);
  assert.equal(u.get('a')?.cpuNanoCores, 500_000_000);
  // Too old (over five minutes): read twice again.
  m.advance(6 * 60_000);
  await meter.usage(['a']);
  assert.equal(sleeps, 2);
});

test('a container with no reading (gone, stopped) is left out', async () => {
  const m = fakeMachine({ a: 1 });
  const meter = new UsageMeter(m.reader, m.now, async (ms) => m.advance(ms));
  const u = await meter.usage(['a', 'gone']);
  assert.deepEqual([...u.keys()], ['a']);
});

test('working set is usage less inactive file pages (cgroup v1 and v2 names)', () => {
  assert.equal(workingSet({ usage: 10_000, stats: { total_inactive_file: 4000 } }), 6000);
  assert.equal(workingSet({ usage: 10_000, stats: { inactive_file: 1000 } }), 9000);
  assert.equal(workingSet({ usage: 10_000, stats: { inactive_file: 20_000 } }), 10_000);
  assert.equal(workingSet(undefined), 0);
});

test('quantities as metrics-server writes them', () => {
  assert.equal(cpuQuantity(1234.6), '1235n');
  assert.equal(memoryQuantity(2 * 1024 * 1024), '2048Ki');
  assert.equal(goSeconds(1009), '1.009s');
  assert.equal(goSeconds(15_000), '15s');
});
