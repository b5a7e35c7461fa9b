// npm run bench (images part): berthd against dockerd, same docker CLI, in one run.
//  - pull of a 4-layer image of >= 100 MB (made here, pushed to a local docker-registry) into a cold store:
//    the median of 5 pulls, each after `docker rmi` and a `sync` (one pull alone varies by ±20% here);
//    and, apart, the first pull of a freshly started daemon (the pull users see most: a fresh machine,
//    a CI job): the median over 3 fresh starts of each daemon, the first of them being the daemon
//    that then does the rest; the registry has served the image once before any of them
//  - berthd's resident memory at idle: once started, and once the pulls have settled (its layer
//    workers end 15 s after their last job)
//  - rebuild of a 10-step Dockerfile with a warm cache
//  - docker save | docker load of the big image
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Daemon, fixturesOut, loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { startRegistry } from '../conformance/registry.ts';
import { busyboxEntries, dockerSaveTar, type Entry, image } from '../fixtures/images.ts';
import { printComparison } from './table.ts';

function noise(seed: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let h = createHash('sha256').update(seed).digest();
  for (let o = 0; o < bytes; o += 32) {
    h = createHash('sha256').update(h).digest();
    h.copy(out, o);
  }
  return out;
}

async function bigImage(): Promise<string> {
  const layers: Entry[][] = [busyboxEntries()];
  for (let i = 1; i <= 4; i++)
    layers.push([{ name: `data${i}.bin`, data: noise(`layer${i}`, 26 * 1024 * 1024) }]);
  const img = await image(layers, ['busybox', 'data1', 'data2', 'data3', 'data4']);
  const file = path.join(fixturesOut, 'bench-big.tar');
  writeFileSync(file, await dockerSaveTar(img, 'bench/big:1'));
  return file;
}

function timed(d: Daemon, args: string[]): number {
  const t0 = performance.now();
  const r = d.docker(args, { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${d.kind}: docker ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

function dockerfileContext(): string {
  const dir = mkdtempSync('/tmp/bench-ctx-');
  const steps = [
    'FROM busybox',
    'ENV A=1',
    'WORKDIR /app',
    'COPY a.txt /app/',
    'RUN echo one > /one',
    'RUN echo two > /two',
    'COPY b.txt /app/',
    'LABEL bench=1',
    'RUN cat /app/a.txt /app/b.txt > /app/c.txt',
    'CMD ["cat", "/app/c.txt"]',
  ];
  writeFileSync(path.join(dir, 'Dockerfile'), `${steps.join('\n')}\n`);
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  writeFileSync(path.join(dir, 'b.txt'), 'b\n');
  return dir;
}

const registry = await startRegistry();
const tar = await bigImage();
const ref = `${registry.host}/bench/big:1`;
const seeder = await startDaemon('berthd');
try {
  seeder.docker(['load', '-i', tar]);
  seeder.docker(['tag', 'bench/big:1', ref]);
  const push = seeder.docker(['push', ref], { timeoutMs: 600_000 });
  if (push.code !== 0) throw new Error(`push failed: ${push.stderr}`);
  // The registry serves the image once before either daemon's first pull, so that neither pays for
  // the registry's own first reads.
  seeder.docker(['rmi', ref]);
  const warm = seeder.docker(['pull', ref], { timeoutMs: 600_000 });
  if (warm.code !== 0) throw new Error(`pull failed: ${warm.stderr}`);
} finally {
  await stopDaemon(seeder);
}

const pulls = Number(process.env.BENCH_PULLS ?? 5);
const firstPulls = Number(process.env.BENCH_FIRST_PULLS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Resident memory of a process, in MB. */
function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const results: Record<string, { firstPull: number; pull: number; rebuild: number; saveLoad: number }> = {};
const memory: { started: number; settled: number } = { started: 0, settled: 0 };
const kinds: Array<'berthd' | 'dockerd'> = ['berthd'];
if (spawnSync('sh', ['-c', 'command -v dockerd']).status === 0) {
  console.log('starting Debian dockerd on a temporary root and socket for comparison');
  kinds.push('dockerd');
}
const ctx = dockerfileContext();
const daemonArgs = (kind: 'berthd' | 'dockerd') =>
  // The harness gives each reference dockerd a bridge of its own (never docker0).
  kind === 'dockerd' ? ['--insecure-registry', registry.host] : [];

/** A daemon started on fresh roots, given busybox, and timed on its first pull. */
async function firstPullOfFreshDaemon(kind: 'berthd' | 'dockerd'): Promise<number> {
  const d = await startDaemon(kind, daemonArgs(kind));
  try {
    await loadBusybox(d);
    spawnSync('sync');
    return timed(d, ['pull', ref]);
  } finally {
    await stopDaemon(d);
  }
}

try {
  for (const kind of kinds) {
    const firsts: number[] = [];
    for (let i = 1; i < firstPulls; i++) firsts.push(await firstPullOfFreshDaemon(kind));
    const d = await startDaemon(kind, daemonArgs(kind));
    try {
      if (kind === 'berthd') {
        await sleep(2000);
        memory.started = rssMb(d.pid());
      }
      await loadBusybox(d);
      const times: number[] = [];
      for (let i = 0; i < pulls; i++) {
        if (i > 0) timed(d, ['rmi', ref]);
        spawnSync('sync');
        times.push(timed(d, ['pull', ref]));
      }
      const pull = median(times);
      if (kind === 'berthd') {
        await sleep(20_000);
        memory.settled = rssMb(d.pid());
      }
      timed(d, ['build', '-q', '-t', 'bench/build:1', ctx]);
      const rebuild = timed(d, ['build', '-q', '-t', 'bench/build:1', ctx]);
      const t0 = performance.now();
      const sl = spawnSync('sh', ['-c', `docker save ${ref} | docker load`], {
        env: { ...process.env, DOCKER_HOST: d.host },
      });
      if (sl.status !== 0) throw new Error(`${kind}: save|load: ${sl.stderr}`);
      firsts.push(times[0]);
      console.log(
        `${kind}: first pulls ${firsts.map((t) => t.toFixed(0)).join(', ')} ms; pulls ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
      );
      results[kind] = { firstPull: median(firsts), pull, rebuild, saveLoad: performance.now() - t0 };
    } finally {
      await stopDaemon(d);
    }
  }
} finally {
}
await registry.stop();

const b = results.berthd;
const k = results.dockerd;
printComparison(
  (
    [
      [`pull 4-layer 105 MB image, cold store (median of ${pulls})`, 'pull', 'ratio <= 0.7'],
      [`first pull after a fresh start (median of ${firstPulls} starts)`, 'firstPull', 'ratio <= 0.7'],
      ['rebuild 10-step Dockerfile, warm cache', 'rebuild', 'ratio <= 0.7'],
      ['docker save | docker load of that image', 'saveLoad', 'ratio <= 0.7'],
    ] as const
  ).map(([metric, key, target]) => ({
    metric,
    berthd: b[key],
    dockerd: k?.[key],
    unit: 'ms',
    target,
  })),
);

const mb = (v: number) => `${v.toFixed(1)} MB`;
console.log(`\n${'berthd resident memory (VmRSS)'.padEnd(58)} ${'value'.padStart(9)}  target`);
for (const [name, v] of [
  ['idle, 2 s after it answers /_ping', memory.started],
  ['idle, 20 s after the last of the pulls', memory.settled],
] as const)
  console.log(`${name.padEnd(58)} ${mb(v).padStart(9)}  <= 60 MB ${v <= 60 ? '✔' : '✖'}`);
