import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { ManualClock } from '../core/manual-clock.ts';
import { LayerDigester } from './layer-digester.ts';
import { type JobMessage, LayerWorkerPool, workerSource } from './layer-workers.ts';

async function until(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts the workers a pool starts, and ends them all when the test is over. */
function counting(source = workerSource) {
  const started: Worker[] = [];
  return {
    started,
    spawn: () => {
      const w = new Worker(source, { eval: true });
      started.push(w);
      return w;
    },
    end: () => Promise.all(started.map((w) => w.terminate())),
  };
}

const ignore = () => undefined;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('with no worker up, a job runs on the main thread while one boots, with the same results', async () => {
  const w = counting();
  const pool = new LayerWorkerPool({ max: 2, idleMs: 1000, clock: new ManualClock(), spawn: w.spawn });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-pool-'));
  try {
    pool.warm();
    const tar = Buffer.alloc(3 << 20, 5);
    const blob = gzipSync(tar);
    const file = path.join(dir, 'inline');
    const d = new LayerDigester(file, true, pool);
    // The worker is booting and has no job: this one runs here.
    assert.deepEqual(pool.state(), [{ online: false, jobs: 0 }]);
    for (let o = 0; o < blob.length; o += 65536) await d.write(new Uint8Array(blob.subarray(o, o + 65536)));
    const r = await d.end();
    await r.synced;
    assert.equal(r.digest, sha(blob));
    assert.equal(r.diffId, sha(tar));
    assert.equal(sha(await fs.readFile(file)), sha(tar));
    // A corrupt stream fails here as it does on a worker.
    const bad = new LayerDigester(path.join(dir, 'bad'), true, new LayerWorkerPool({ max: 0 }));
    await bad.write(new Uint8Array(Buffer.from('not gzip')));
    await assert.rejects(bad.end(), /header|incorrect/i);
  } finally {
    await w.end();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('jobs go to running workers, and another starts while all are busy', async () => {
  const clock = new ManualClock();
  const w = counting();
  const pool = new LayerWorkerPool({ max: 2, jobsPerWorker: 1, idleMs: 1000, clock, spawn: w.spawn });
  try {
    assert.deepEqual(pool.state(), []);
    pool.warm();
    pool.warm();
    assert.equal(w.started.length, 1);
    await until('the first worker online', () => pool.state()[0]?.online);
    const first = pool.open(ignore, ignore);
    assert.deepEqual(pool.state(), [{ online: true, jobs: 1 }]);
    // The only running worker is busy: a second one starts, and meanwhile the job waits on no boot.
    const second = pool.open(ignore, ignore);
    assert.equal(w.started.length, 2);
    assert.deepEqual(
      pool.state().map((s) => s.jobs),
      [2, 0],
    );
    // No third worker beyond max, nor a second one booting at once.
    const third = pool.open(ignore, ignore);
    assert.equal(w.started.length, 2);
    await until('the second worker online', () => pool.state()[1]?.online);
    first.close();
    second.close();
    // Both running: the next job goes to the least busy.
    const fourth = pool.open(ignore, ignore);
    assert.deepEqual(
      pool.state().map((s) => s.jobs),
      [1, 1],
    );
    third.close();
    fourth.close();
  } finally {
    await w.end();
  }
});

test('idle workers end after idleMs, so an idle daemon holds none; a job keeps its worker', async () => {
  const clock = new ManualClock();
  const w = counting();
  const pool = new LayerWorkerPool({ max: 2, jobsPerWorker: 1, idleMs: 1000, clock, spawn: w.spawn });
  try {
    pool.warm();
    await until('online', () => pool.state()[0]?.online);
    const a = pool.open(ignore, ignore);
    await clock.advance(5000);
    assert.equal(pool.state().length, 1);
    const b = pool.open(ignore, ignore);
    assert.equal(pool.state().length, 2);
    a.close();
    await clock.advance(999);
    b.close();
    assert.equal(pool.state().length, 2);
    await clock.advance(1);
    // The second worker, started at the same time as the first went idle, never had a job.
    assert.deepEqual(pool.state(), [{ online: true, jobs: 0 }]);
    await clock.advance(1000);
    assert.deepEqual(pool.state(), []);
    assert.equal(w.started.length, 2);
  } finally {
    await w.end();
  }
});
test('jobs on one worker are told apart, and a worker that dies fails its jobs only', async () => {
  const w = counting(`
    const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (m) => {
      if (m.die) throw new Error('boom');
      parentPort.postMessage({ id: m.id, ack: m.n });
    });
  `);
  const pool = new LayerWorkerPool({ max: 1, idleMs: 1000, clock: new ManualClock(), spawn: w.spawn });
  try {
    pool.warm();
    await until('online', () => pool.state()[0]?.online);
    const heard: Record<string, number[]> = { a: [], b: [] };
    const crashes: string[] = [];
    const a = pool.open(
      (m: JobMessage) => heard.a.push(m.ack ?? -1),
      (e) => crashes.push(`a: ${e.message}`),
    );
    const b = pool.open(
      (m: JobMessage) => heard.b.push(m.ack ?? -1),
      (e) => crashes.push(`b: ${e.message}`),
    );
    a.post({ n: 1 });
    b.post({ n: 2 });
    a.post({ n: 3 });
    await until('three answers', () => heard.a.length + heard.b.length === 3);
    assert.deepEqual(heard, { a: [1, 3], b: [2] });
    b.close();
    a.post({ die: true });
    await until('the crash', () => crashes.length > 0);
    assert.deepEqual(crashes, ['a: boom']);
    assert.deepEqual(pool.state(), []);
    // The next pull's warm-up starts a new worker.
    pool.warm();
    assert.equal(w.started.length, 2);
  } finally {
    await w.end();
  }
});
