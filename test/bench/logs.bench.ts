// npm run bench: the app's log pipeline on its own, without an engine or a browser: the main process
// decoding Docker's multiplexed frames into batches, the renderer's LogBuffer appending and searching
// them, and MergedLog interleaving several containers by time. Each figure is the median of a few runs,
// printed beside the budget the log view is designed for (the view stays responsive while a million
// lines stream in). The correctness of the same workloads is pinned by the unit tests beside the code.

import type { LogBatch } from '../../electron/contract/index.ts';
import { LogBatchDecoder } from '../../electron/main/containers/log-lines.ts';
import { frame } from '../../native/dockerapi/framing.ts';
import { LogBuffer } from '../../renderer/src/features/containers/log-buffer.ts';
import { MergedLog } from '../../renderer/src/features/containers/log-merge.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const E = '\x1b';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const batch = (lines: string[]): LogBatch => ({ text: lines.join('\n'), count: lines.length, stderr: [] });

const ts = '2026-01-01T00:00:00.000000000Z';
const million = Array.from({ length: 20 }, (_, c) =>
  batch(Array.from({ length: 50_000 }, (_, i) => `${ts} ${c * 50_000 + i + 1}`)),
);
const coloured = Array.from({ length: 10 }, (_, c) =>
  batch(Array.from({ length: 10_000 }, (_, i) => `${E}[3${i % 8}mline ${c * 10_000 + i}${E}[39m ok`)),
);
const frames = Buffer.concat(
  Array.from({ length: 1_000_000 }, (_, i) => frame('stdout', Buffer.from(`${ts} ${i + 1}\n`))),
);
const mergeSources = [0, 1].map((odd) =>
  Array.from({ length: 5 }, (_, k) =>
    batch(
      Array.from(
        { length: 10_000 },
        (_, j) =>
          `2026-01-01T00:00:00.${String((2 * (k * 10_000 + j) + odd) * 1000).padStart(9, '0')}Z l${j}`,
      ),
    ),
  ),
);

const rows: { metric: string; ms: number[]; budget: number }[] = [
  { metric: 'decode 1,000,000 frames (64 KiB reads)', ms: [], budget: 1500 },
  { metric: 'LogBuffer: append 1,000,000 lines', ms: [], budget: 3000 },
  { metric: 'LogBuffer: search 1,000,000 lines', ms: [], budget: 300 },
  { metric: 'LogBuffer: append 100,000 coloured lines', ms: [], budget: 1500 },
  { metric: 'MergedLog: 2 × 50,000 lines, one late', ms: [], budget: 1500 },
];

for (let r = 0; r < runs; r++) {
  rows[0].ms.push(
    timed(() => {
      const d = new LogBatchDecoder(true);
      let n = 0;
      for (let o = 0; o < frames.length; o += 65_536) n += d.push(frames.subarray(o, o + 65_536))?.count ?? 0;
      if (n !== 1_000_000) throw new Error(`decoded ${n} lines`);
    }),
  );
  const b = new LogBuffer(true);
  rows[1].ms.push(
    timed(() => {
      for (const x of million) b.append(x);
    }),
  );
  rows[2].ms.push(
    timed(() => {
      if (b.search('99999').length !== 19) throw new Error('search found the wrong lines');
    }),
  );
  const c = new LogBuffer(false);
  rows[3].ms.push(
    timed(() => {
      for (const x of coloured) c.append(x);
    }),
  );
  rows[4].ms.push(
    timed(() => {
      const m = new MergedLog(2);
      for (const [s, parts] of mergeSources.entries()) for (const p of parts) m.append(s, p);
      if (m.length !== 100_000) throw new Error(`merged ${m.length} lines`);
    }),
  );
}

console.log(`\nlog pipeline (median of ${runs} runs)`);
const w = Math.max(...rows.map((r) => r.metric.length));
console.log(`${'metric'.padEnd(w)} ${'median'.padStart(9)}  budget`);
for (const r of rows) {
  const m = median(r.ms);
  console.log(
    `${r.metric.padEnd(w)} ${`${m.toFixed(0)} ms`.padStart(9)}  ≤ ${r.budget} ms${m > r.budget ? '  (over)' : ''}`,
  );
}
