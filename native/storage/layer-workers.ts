import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Clock, systemClock } from '../core/clock.ts';
import { inlineJob } from './layer-inline.ts';

/**
 * The threads that hash, decompress and write pulled layers (see LayerDigester), shared by every
 * pull. Each runs several jobs at once, told apart by id.
 *
 * Starting a worker costs a Node bootstrap: tens of milliseconds of CPU on an idle machine, whole
 * seconds on a busy one, which a daemon's first pull used to wait for (three of them at once); and a
 * worker holds about 8 MB, too much to keep one for a pull that may never come. So a pull `warm`s the
 * pool as it starts, and a job that finds no worker up runs on the main thread instead (inline.ts:
 * hashing there, inflating and writing on libuv's threads, as the worker does) while one boots; jobs
 * go to workers once they are up. More workers (up to `max`) start in the background while every
 * running one is busy. Idle workers end after a while, so an idle daemon holds none.
 *
 * The worker is plain CommonJS in a string so that it runs the same from the sources and from the
 * esbuild bundle. A job is `start`, `chunk`s (each acknowledged once consumed), `end` or `abort`.
 */
export const workerSource = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const jobs = new Map();
const post = (id, m) => parentPort.postMessage(Object.assign({ id }, m));
const fail = (j, err) => {
  if (j.failed) return;
  j.failed = true;
  jobs.delete(j.id);
  try { fs.closeSync(j.fd); } catch {}
  post(j.id, { error: String((err && err.message) || err) });
};
const out = (j, buf) => {
  if (j.failed) return;
  j.diffHash.update(buf);
  try { fs.writeSync(j.fd, buf); } catch (err) { fail(j, err); }
};
const finish = (j) => {
  if (j.failed) return;
  jobs.delete(j.id);
  post(j.id, { done: true, digest: 'sha256:' + j.blobHash.digest('hex'), diffId: 'sha256:' + j.diffHash.digest('hex') });
  // Durable before it is committed, but the caller need not wait for the disk to start using it.
  try { fs.fsyncSync(j.fd); fs.closeSync(j.fd); } catch (err) { return fail(j, err); }
  post(j.id, { synced: true });
};
parentPort.on('message', (m) => {
  if (m.start) {
    const j = { id: m.id, failed: false, blobHash: crypto.createHash('sha256'), diffHash: crypto.createHash('sha256'), gz: null, fd: -1 };
    jobs.set(m.id, j);
    try { j.fd = fs.openSync(m.start.file, 'wx', 0o600); } catch (err) { return fail(j, err); }
    if (m.start.gzip) {
      j.gz = zlib.createGunzip({ chunkSize: 256 << 10 });
      j.gz.on('data', (b) => out(j, b));
      j.gz.on('error', (err) => fail(j, err));
      j.gz.on('end', () => finish(j));
    }
    return;
  }
  const j = jobs.get(m.id);
  if (!j || j.failed) return;
  if (m.abort) {
    j.failed = true;
    jobs.delete(j.id);
    if (j.gz) j.gz.destroy();
    try { fs.closeSync(j.fd); } catch {}
    post(j.id, { aborted: true });
    return;
  }
  if (m.chunk) {
    const b = Buffer.from(m.chunk);
    j.blobHash.update(b);
    if (j.gz) j.gz.write(b, () => post(j.id, { ack: b.length }));
    else { out(j, b); post(j.id, { ack: b.length }); }
  } else if (m.end) {
    if (j.gz) j.gz.end(); else finish(j);
  }
});
`;

/** What a worker says about one job. */
export type JobMessage = {
  id: number;
  ack?: number;
  done?: boolean;
  synced?: boolean;
  aborted?: boolean;
  error?: string;
  digest?: string;
  diffId?: string;
};

/** One job's line to its worker: `post` to it, `onMessage` to hear it, `close` once it is over. */
export interface JobChannel {
  post(message: Record<string, unknown>, transfer?: ArrayBuffer[]): void;
  close(): void;
}

interface Slot {
  worker: Worker;
  online: boolean;
  /** Handlers of the jobs running on it, by id. */
  jobs: Map<number, { onMessage(m: JobMessage): void; onCrash(err: Error): void }>;
  idleTimer?: { cancel(): void };
}

export interface PoolOptions {
  /** Workers at most (each runs several jobs). */
  max?: number;
  /** Jobs on one worker before another is started beside it. */
  jobsPerWorker?: number;
  /** How long a worker without jobs stays. */
  idleMs?: number;
  clock?: Clock;
  spawn?: () => Worker;
}

export class LayerWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private readonly max: number;
  private readonly jobsPerWorker: number;
  private readonly idleMs: number;
  private readonly clock: Clock;
  private readonly spawnWorker: () => Worker;

  constructor(opts: PoolOptions = {}) {
    this.max = opts.max ?? Math.min(3, Math.max(1, availableParallelism()));
    this.jobsPerWorker = opts.jobsPerWorker ?? 1;
    this.idleMs = opts.idleMs ?? 15_000;
    this.clock = opts.clock ?? systemClock;
    this.spawnWorker = opts.spawn ?? (() => new Worker(workerSource, { eval: true }));
  }

  /** Starts a worker unless one runs already. Cheap to call; it does not wait. */
  warm(): void {
    if (this.slots.length === 0) this.start();
  }

  /** Workers running, and whether each is up and how many jobs it has: for tests and logs. */
  state(): Array<{ online: boolean; jobs: number }> {
    return this.slots.map((s) => ({ online: s.online, jobs: s.jobs.size }));
  }

  /**
   * Opens a job on the least busy running worker, starting another beside it when all are busy; on
   * the main thread when none is up yet.
   */
  open(onMessage: (m: JobMessage) => void, onCrash: (err: Error) => void): JobChannel {
    const slot = this.pick();
    if (!slot) return inlineJob(onMessage);
    const id = this.nextId++;
    slot.idleTimer?.cancel();
    slot.idleTimer = undefined;
    if (slot.jobs.size === 0) slot.worker.ref();
    slot.jobs.set(id, { onMessage, onCrash });
    let open = true;
    return {
      post: (message, transfer) => {
        if (open) slot.worker.postMessage({ ...message, id }, transfer);
      },
      close: () => {
        if (!open) return;
        open = false;
        slot.jobs.delete(id);
        if (slot.jobs.size === 0 && this.slots.includes(slot)) this.idle(slot);
      },
    };
  }

  private pick(): Slot | undefined {
    const online = this.slots.filter((s) => s.online).sort((a, b) => a.jobs.size - b.jobs.size);
    const free = online.find((s) => s.jobs.size < this.jobsPerWorker);
    if (free) return free;
    // Everything running is busy: one more worker starts, and takes jobs once it is up.
    if (this.slots.length < this.max && this.slots.every((s) => s.online)) this.start();
    return online[0];
  }

  private start(): Slot {
    const worker = this.spawnWorker();
    const slot: Slot = { worker, online: false, jobs: new Map() };
    worker.unref();
    worker.once('online', () => {
      slot.online = true;
    });
    worker.on('message', (m: JobMessage) => slot.jobs.get(m.id)?.onMessage(m));
    worker.on('error', (err) => this.crashed(slot, err));
    worker.on('exit', (code) => this.crashed(slot, new Error(`layer worker exited with code ${code}`)));
    this.slots.push(slot);
    // Started for jobs that others took meanwhile, it may never get one: it ends as an idle one does.
    this.idle(slot);
    return slot;
  }

  private crashed(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.idleTimer?.cancel();
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const j of jobs) j.onCrash(err);
    void slot.worker.terminate();
  }

  /** A worker without jobs ends after a while. */
  private idle(slot: Slot): void {
    slot.worker.unref();
    slot.idleTimer = this.clock.setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.jobs.size > 0 || !this.slots.includes(slot)) return;
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }, this.idleMs);
  }
}

/** The daemon's pool, warmed by each pull as it starts. */
export const layerWorkers = new LayerWorkerPool();
