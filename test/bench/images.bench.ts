// npm run bench (images part): berthd against dockerd, same docker CLI, in one run.
//  - pull of a 4-layer image of >= 100 MB (made here, pushed to a local docker-registry) into a cold store:
//    the median of 5 pulls, each after `docker rmi` and a `sync` (one pull alone varies by ±20% here);
//    the first of them, in a daemon that has not pulled before, is printed too
//  - rebuild of a 10-step Dockerfile with a warm cache
//  - docker save | docker load of the big image
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
} finally {
  await stopDaemon(seeder);
}

const pulls = Number(process.env.BENCH_PULLS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const results: Record<string, { firstPull: number; pull: number; rebuild: number; saveLoad: number }> = {};
const kinds: Array<'berthd' | 'dockerd'> = ['berthd'];
if (spawnSync('sh', ['-c', 'command -v dockerd']).status === 0) {
  console.log('starting Debian dockerd on a temporary root and socket for comparison');
  kinds.push('dockerd');
}
const ctx = dockerfileContext();
for (const kind of kinds) {
  const d = await startDaemon(kind, kind === 'dockerd' ? ['--insecure-registry', registry.host] : []);
  try {
    await loadBusybox(d);
    const times: number[] = [];
    for (let i = 0; i < pulls; i++) {
      if (i > 0) timed(d, ['rmi', ref]);
      spawnSync('sync');
      times.push(timed(d, ['pull', ref]));
    }
    const pull = median(times);
    timed(d, ['build', '-q', '-t', 'bench/build:1', ctx]);
    const rebuild = timed(d, ['build', '-q', '-t', 'bench/build:1', ctx]);
    const t0 = performance.now();
    const sl = spawnSync('sh', ['-c', `docker save ${ref} | docker load`], {
      env: { ...process.env, DOCKER_HOST: d.host },
    });
    if (sl.status !== 0) throw new Error(`${kind}: save|load: ${sl.stderr}`);
    results[kind] = { firstPull: times[0], pull, rebuild, saveLoad: performance.now() - t0 };
  } finally {
    await stopDaemon(d);
  }
}
await registry.stop();

const b = results.berthd;
const k = results.dockerd;
printComparison(
  (
    [
      [`pull 4-layer 105 MB image, cold store (median of ${pulls})`, 'pull', 'ratio <= 0.7'],
      ['  the first of those pulls', 'firstPull', '(for information)'],
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
