import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { forEachJsonLine, JsonLineDecoder } from '../engine/json-lines.ts';
import {
  blockTotals,
  cpuPercent,
  type EngineStats,
  memoryUsage,
  networkTotals,
  toStatsSample,
} from './container-stats.ts';

const base: EngineStats = {
  read: '2026-01-01T00:00:02Z',
  cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000 },
  memory_stats: { usage: 50_000_000, limit: 200_000_000, stats: { inactive_file: 10_000_000 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 300 }, eth1: { rx_bytes: 24, tx_bytes: 0 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { op: 'Read', value: 4096 },
      { op: 'write', value: 100 },
      { op: 'Read', value: 4 },
      { op: 'Sync', value: 9 },
      { op: 'Total', value: 4200 },
    ],
  },
  pids_stats: { current: 3 },
};

describe('docker stats arithmetic', () => {
  test('CPU %: container delta over system delta × online CPUs, as the docker CLI computes it', () => {
    // 1 s of CPU in 4 s of all-CPU time on 4 CPUs: one CPU fully busy.
    assert.equal(cpuPercent(base), 100);
    assert.equal(cpuPercent({ ...base, precpu_stats: base.cpu_stats }), 0, 'no time passed');
    const noOnline = { ...base, cpu_stats: { ...base.cpu_stats, online_cpus: 0 } };
    noOnline.cpu_stats = {
      ...noOnline.cpu_stats,
      cpu_usage: { total_usage: 3_000_000_000, percpu_usage: [1, 2] },
    };
    assert.equal(cpuPercent(noOnline), 50, 'falls back to the per-CPU list length');
    assert.equal(cpuPercent({}), 0);
  });

  test('memory: usage less the inactive page cache (v2 inactive_file, v1 total_inactive_file)', () => {
    assert.equal(memoryUsage(base.memory_stats), 40_000_000);
    assert.equal(
      memoryUsage({ usage: 50, stats: { total_inactive_file: 20, inactive_file: 1 } }),
      30,
      'v1 first',
    );
    assert.equal(memoryUsage({ usage: 5, stats: { inactive_file: 9 } }), 5, 'never below zero');
    assert.equal(memoryUsage(undefined), 0);
  });

  test('network and block I/O totals', () => {
    assert.deepEqual(networkTotals(base.networks), { rx: 1024, tx: 300 });
    assert.deepEqual(networkTotals(undefined), { rx: 0, tx: 0 });
    assert.deepEqual(blockTotals(base.blkio_stats), { read: 4100, write: 100 });
    assert.deepEqual(blockTotals({ io_service_bytes_recursive: null }), { read: 0, write: 0 });
  });

  test('a sample: percentages, and rates per second from the sample before', () => {
    const first = toStatsSample(base);
    assert.equal(first.time, Date.parse('2026-01-01T00:00:02Z'));
    assert.equal(first.memoryPercent, 20);
    assert.equal(first.onlineCpus, 4);
    assert.equal(first.pids, 3);
    assert.equal(first.networkRxRate, 0, 'no rate without a sample before');
    const next = toStatsSample(
      {
        ...base,
        read: '2026-01-01T00:00:04Z',
        networks: { eth0: { rx_bytes: 3024, tx_bytes: 500 } },
        blkio_stats: { io_service_bytes_recursive: [{ op: 'Write', value: 2100 }] },
      },
      first,
    );
    assert.equal(next.networkRxRate, 1000);
    assert.equal(next.networkTxRate, 100);
    assert.equal(next.blockWriteRate, 1000);
    assert.equal(next.blockReadRate, 0, 'a counter that went back (restart) is no negative rate');
  });

  test("a stopped container's zero time becomes now", () => {
    const s = toStatsSample({ read: '0001-01-01T00:00:00Z' }, undefined, 1234);
    assert.equal(s.time, 1234);
    assert.equal(s.cpuPercent, 0);
  });
});

describe('JSON lines', () => {
  test('objects split across chunks, several in one chunk, and a last line without newline', () => {
    const d = new JsonLineDecoder<{ n: number }>();
    assert.deepEqual(d.push('{"n":1}\n{"n"'), [{ n: 1 }]);
    assert.deepEqual(d.push(':2}\n\n{"n":3}\n{"n":4}'), [{ n: 2 }, { n: 3 }]);
    assert.deepEqual(d.flush(), [{ n: 4 }]);
  });

  test('forEachJsonLine stops on abort and fails when the handler throws', async () => {
    const s = new PassThrough();
    const ac = new AbortController();
    const got: number[] = [];
    const done = forEachJsonLine<{ n: number }>(s, ac.signal, (m) => got.push(m.n));
    s.write('{"n":1}\n');
    await new Promise((r) => setImmediate(r));
    ac.abort();
    await done;
    assert.deepEqual(got, [1]);
    assert.ok(s.destroyed);

    const t = new PassThrough();
    const failing = forEachJsonLine(t, new AbortController().signal, () => {
      throw new Error('boom');
    });
    t.write('{}\n');
    await assert.rejects(failing, /boom/);
  });
});
