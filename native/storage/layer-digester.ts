import { Worker } from 'node:worker_threads';

/**
 * Hashes a layer blob as it arrives, decompresses it, hashes the result (the diffID) and writes the
 * uncompressed tar to a file, on a worker thread: on a pull these are most of the CPU work, and off
 * the main thread they run beside the extraction of other layers. The digests are reported before the
 * file's fsync, which then runs while the caller extracts the layer; `synced` says when it is durable.
 *
 * Workers are kept in a small pool and reused: starting one costs tens of milliseconds of CPU, as much
 * as hashing a large layer. Idle ones exit after a while, so an idle daemon holds none.
 *
 * The worker is plain CommonJS in a string so that it runs the same from the sources and from the
 * esbuild bundle. It runs one job at a time: `start`, `chunk`s, `end`.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
let job;
const fail = (j, err) => {
  if (j.failed) return;
  j.failed = true;
  try { fs.closeSync(j.fd); } catch {}
  parentPort.postMessage({ error: String((err && err.message) || err) });
};
const out = (j, buf) => {
  if (j.failed) return;
  j.diffHash.update(buf);
  try { fs.writeSync(j.fd, buf); } catch (err) { fail(j, err); }
};
const finish = (j) => {
  if (j.failed) return;
  parentPort.postMessage({ done: true, digest: 'sha256:' + j.blobHash.digest('hex'), diffId: 'sha256:' + j.diffHash.digest('hex') });
  // Durable before it is committed, but the caller need not wait for the disk to start using it.
  try { fs.fsyncSync(j.fd); fs.closeSync(j.fd); } catch (err) { return fail(j, err); }
  parentPort.postMessage({ synced: true });
};
parentPort.on('message', (m) => {
  if (m.start) {
    const j = { failed: false, blobHash: crypto.createHash('sha256'), diffHash: crypto.createHash('sha256'), gz: null, fd: -1 };
    job = j;
    try { j.fd = fs.openSync(m.start.file, 'wx', 0o600); } catch (err) { return fail(j, err); }
    if (m.start.gzip) {
      j.gz = zlib.createGunzip({ chunkSize: 1 << 20 });
      j.gz.on('data', (b) => out(j, b));
      j.gz.on('error', (err) => fail(j, err));
      j.gz.on('end', () => finish(j));
    }
    return;
  }
  const j = job;
  if (!j || j.failed) return;
  if (m.abort) {
    j.failed = true;
    if (j.gz) j.gz.destroy();
    try { fs.closeSync(j.fd); } catch {}
    parentPort.postMessage({ aborted: true });
    return;
  }
  if (m.chunk) {
    const b = Buffer.from(m.chunk);
    j.blobHash.update(b);
    if (j.gz) j.gz.write(b, () => parentPort.postMessage({ ack: b.length }));
    else { out(j, b); parentPort.postMessage({ ack: b.length }); }
  } else if (m.end) {
    if (j.gz) j.gz.end(); else finish(j);
  }
});
`;

export interface DigestResult {
  /** sha256 of the bytes as they arrived. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
}

type WorkerMessage = {
  ack?: number;
  done?: boolean;
  synced?: boolean;
  aborted?: boolean;
  error?: string;
} & Partial<DigestResult>;

const maxInFlight = 8 * 1024 * 1024;
const batchBytes = 512 * 1024;
const idleExitMs = 15_000;

/** Idle workers, newest last, each with the timer that ends it. */
const idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];

function acquire(): Worker {
  const free = idle.pop();
  if (free) {
    clearTimeout(free.timer);
    free.worker.ref();
    return free.worker;
  }
  return new Worker(workerSource, { eval: true });
}

function giveBack(worker: Worker): void {
  worker.removeAllListeners('message');
  worker.removeAllListeners('error');
  worker.unref();
  const entry = {
    worker,
    timer: setTimeout(() => {
      const i = idle.indexOf(entry);
      if (i >= 0) idle.splice(i, 1);
      void worker.terminate();
    }, idleExitMs),
  };
  entry.timer.unref();
  idle.push(entry);
}

export class LayerDigester {
  private readonly worker: Worker;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private readonly result: Promise<DigestResult>;
  private readonly durable: Promise<void>;
  private error: Error | undefined;
  private finished = false;
  private batch: Uint8Array[] = [];
  private batchBytes = 0;

  constructor(file: string, gzip: boolean) {
    this.worker = acquire();
    let synced: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    this.durable = new Promise<void>((resolve, reject) => {
      synced = resolve;
      failed = reject;
    });
    this.result = new Promise<DigestResult>((resolve, reject) => {
      const fail = (err: Error, reusable: boolean) => {
        this.error ??= err;
        this.release();
        reject(err);
        failed(err);
        this.retire(reusable);
      };
      this.worker.on('message', (m: WorkerMessage) => {
        if (m.ack !== undefined) {
          this.inFlight -= m.ack;
          if (this.inFlight < maxInFlight) this.release();
        } else if (m.error !== undefined) {
          // The worker closed its file and is ready for another job.
          fail(new Error(m.error), true);
        } else if (m.aborted) {
          fail(new Error('aborted'), true);
        } else if (m.done) {
          resolve({ digest: m.digest as string, diffId: m.diffId as string });
        } else if (m.synced) {
          synced();
          this.retire(true);
        }
      });
      this.worker.on('error', (err) => fail(err, false));
    });
    this.result.catch(() => undefined);
    this.durable.catch(() => undefined);
    this.worker.postMessage({ start: { file, gzip } });
  }

  /** Back to the pool once its job is over; a worker that crashed is ended instead. */
  private retire(clean: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (clean) giveBack(this.worker);
    else void this.worker.terminate();
  }

  private release(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /**
   * Hands a chunk to the worker, in batches of `batchBytes` (HTTP bodies come in pieces of 30-64 KiB,
   * and each message costs both threads a wakeup); waits while too much is queued.
   */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    this.batch.push(chunk);
    this.batchBytes += chunk.byteLength;
    if (this.batchBytes >= batchBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.batchBytes) return;
    // The worker must own what it gets: one chunk that is a whole buffer of its own is handed over as
    // is; anything else is copied into a fresh buffer.
    const one = this.batch.length === 1 ? this.batch[0] : undefined;
    const whole =
      one !== undefined &&
      one.byteOffset === 0 &&
      one.byteLength === one.buffer.byteLength &&
      !(one.buffer instanceof SharedArrayBuffer);
    let out: Uint8Array;
    if (whole) out = one;
    else {
      out = new Uint8Array(this.batchBytes);
      let at = 0;
      for (const c of this.batch) {
        out.set(c, at);
        at += c.byteLength;
      }
    }
    this.batch = [];
    this.batchBytes = 0;
    this.inFlight += out.byteLength;
    this.worker.postMessage({ chunk: out }, [out.buffer as ArrayBuffer]);
    if (this.inFlight >= maxInFlight) await new Promise<void>((r) => (this.wake = r));
    if (this.error) throw this.error;
  }

  /** The digests once the last byte is through; `synced` resolves when the file is on disk. */
  async end(): Promise<DigestResult & { synced: Promise<void> }> {
    await this.flush();
    this.worker.postMessage({ end: true });
    const r = await this.result;
    return { ...r, synced: this.durable };
  }

  /** Stops the job: the worker closes its file (the caller removes it) and goes back to the pool. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.worker.postMessage({ abort: true });
    await this.durable.catch(() => undefined);
  }
}
