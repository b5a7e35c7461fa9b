// The orchestrator's store backends side by side (node --import tsx test/bench/kube-store.bench.ts):
// memory, SQLite (berthd's default: WAL, every commit synced) and etcd (Debian's etcd-server, when
// installed, started here on 127.0.0.1 with a data dir of its own), through the same Store interface
// the API server uses. Objects are pod-sized JSON (~2 KB).
//  - writes/s: one writer awaiting each create; and 32 concurrent writers
//  - get latency p50/p99
//  - list latency of BENCH_STORE_OBJECTS objects (default 1000), whole and in pages of 500
//  - watch fan-out: BENCH_STORE_WATCHERS watches (default 100) on the prefix; from a write's
//    acknowledgement until every watch has its event (p50/p99), and events delivered per second
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EtcdStore } from '../../native/orchestrator/store/etcd.ts';
import { etcdBinary, startEtcd } from '../../native/orchestrator/store/etcd-process.ts';
import { MemoryStore } from '../../native/orchestrator/store/memory.ts';
import { SqliteStore } from '../../native/orchestrator/store/sqlite.ts';
import type { Store, WatchEvent } from '../../native/orchestrator/store/store.ts';

const objects = Number(process.env.BENCH_STORE_OBJECTS ?? 1000);
const watchers = Number(process.env.BENCH_STORE_WATCHERS ?? 100);
const fanoutWrites = 200;

function pod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: 'bench',
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6d' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b6d', uid: 'x', controller: true },
      ],
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          env: Array.from({ length: 8 }, (_, k) => ({ name: `VAR_${k}`, value: 'v'.repeat(40) })),
          volumeMounts: [
            { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
          ],
        },
      ],
      nodeName: 'berth',
      restartPolicy: 'Always',
      volumes: [
        { name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
    },
    status: {
      phase: 'Running',
      podIP: `10.42.0.${i % 250}`,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: '2026-01-01T00:00:01Z',
      })),
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Figures {
  seqWrites: number;
  concWrites: number;
  getP50: number;
  getP99: number;
  listP50: number;
  listP99: number;
  pagedP50: number;
  fanP50: number;
  fanP99: number;
  eventsPerSec: number;
}

async function measure(store: Store): Promise<Figures> {
  // Sequential writes.
  const seqN = Math.min(objects, 500);
  let t0 = performance.now();
  for (let i = 0; i < seqN; i++) await store.create(`/registry/seq/bench/web-${i}`, pod(i));
  const seqWrites = seqN / ((performance.now() - t0) / 1000);
  // Concurrent writers fill the list prefix.
  t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < objects; i = next++)
        await store.create(`/registry/pods/bench/web-${i}`, pod(i));
    }),
  );
  const concWrites = objects / ((performance.now() - t0) / 1000);
  const gets: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await store.get(`/registry/pods/bench/web-${(i * 7) % objects}`);
    gets.push(performance.now() - t);
  }
  const lists: number[] = [];
  const paged: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    const all = await store.list('/registry/pods/bench/');
    if (all.items.length !== objects) throw new Error(`listed ${all.items.length} of ${objects}`);
    lists.push(performance.now() - t);
    t = performance.now();
    let cont: string | undefined;
    do cont = (await store.list('/registry/pods/bench/', { limit: 500, continue: cont })).continue;
    while (cont);
    paged.push(performance.now() - t);
  }
  // Watch fan-out.
  const abort = new AbortController();
  // One signal for every watch here (the API server gives each watch its own).
  setMaxListeners(watchers + 10, abort.signal);
  const from = await store.revision();
  const arrivals = new Map<number, number[]>();
  const counts = Array.from({ length: watchers }, () => 0);
  let done: () => void = () => undefined;
  const allDone = new Promise<void>((r) => {
    done = r;
  });
  let finished = 0;
  const consumers = Array.from({ length: watchers }, async (_, w) => {
    for await (const e of store.watch('/registry/fan/', from, abort.signal) as AsyncIterable<WatchEvent>) {
      if (e.type === 'PROGRESS') continue;
      const at = arrivals.get(e.object.revision) ?? [];
      at.push(performance.now());
      arrivals.set(e.object.revision, at);
      if (++counts[w] === fanoutWrites && ++finished === watchers) done();
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const acked = new Map<number, number>();
  t0 = performance.now();
  for (let i = 0; i < fanoutWrites; i++) {
    const w = await store.create(`/registry/fan/x-${i}`, pod(i));
    acked.set(w.revision, performance.now());
  }
  await Promise.race([
    allDone,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`fan-out incomplete: ${counts}`)), 120_000)),
  ]);
  const elapsed = (performance.now() - t0) / 1000;
  abort.abort();
  await Promise.allSettled(consumers);
  const fan = [...acked].map(([rev, at]) => Math.max(...(arrivals.get(rev) ?? [Number.NaN])) - at);
  return {
    seqWrites,
    concWrites,
    getP50: pct(gets, 50),
    getP99: pct(gets, 99),
    listP50: pct(lists, 50),
    listP99: pct(lists, 99),
    pagedP50: pct(paged, 50),
    fanP50: pct(fan, 50),
    fanP99: pct(fan, 99),
    eventsPerSec: (fanoutWrites * watchers) / elapsed,
  };
}

const results: [string, Figures][] = [];
{
  const store = new MemoryStore();
  results.push(['memory', await measure(store)]);
  await store.close();
}
{
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-sqlite-'));
  const store = SqliteStore.open(path.join(dir, 'state.db'));
  results.push(['sqlite', await measure(store)]);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
if (etcdBinary()) {
  const etcd = await startEtcd();
  const store = new EtcdStore(etcd.endpoint);
  try {
    results.push(['etcd', await measure(store)]);
  } finally {
    await store.close();
    await etcd.stop();
  }
} else {
  console.log('etcd is not installed (Debian package etcd-server): no etcd column');
}

const rows: [string, keyof Figures, string, number][] = [
  ['writes/s, one writer', 'seqWrites', '/s', 0],
  ['writes/s, 32 writers', 'concWrites', '/s', 0],
  ['get p50', 'getP50', 'ms', 2],
  ['get p99', 'getP99', 'ms', 2],
  [`list ${objects} p50`, 'listP50', 'ms', 1],
  [`list ${objects} p99`, 'listP99', 'ms', 1],
  [`list ${objects} by 500 p50`, 'pagedP50', 'ms', 1],
  [`watch fan-out x${watchers} p50`, 'fanP50', 'ms', 1],
  [`watch fan-out x${watchers} p99`, 'fanP99', 'ms', 1],
  [`events delivered/s (x${watchers})`, 'eventsPerSec', '/s', 0],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
console.log(`\n${'metric'.padEnd(w0)} ${results.map(([n]) => n.padStart(12)).join(' ')}`);
for (const [label, key, unit, digits] of rows)
  console.log(
    `${label.padEnd(w0)} ${results.map(([, f]) => `${f[key].toFixed(digits)} ${unit}`.padStart(12)).join(' ')}`,
  );
