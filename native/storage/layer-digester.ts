import { Worker } from 'node:worker_threads';

/**
 * Hashes a layer blob as it arrives, decompresses it, hashes the result (the diffID) and writes the
 * uncompressed tar to a file, on a worker thread: on a pull these are most of the CPU work, and off
 * the main thread they run beside the extraction of other layers.
 *
 * The worker is plain CommonJS in a string so that it runs the same from the sources and from the
 * esbuild bundle.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { file, gzip } = workerData;
const blobHash = crypto.createHash('sha256');
const diffHash = crypto.createHash('sha256');
const fd = fs.openSync(file, 'wx', 0o600);
let failed = false;
const fail = (err) => {
  if (failed) return;
  failed = true;
  try { fs.closeSync(fd); } catch {}
  parentPort.postMessage({ error: String((err && err.message) || err) });
};
const out = (buf) => {
  if (failed) return;
  diffHash.update(buf);
  try { fs.writeSync(fd, buf); } catch (err) { fail(err); }
};
const finish = () => {
  if (failed) return;
  fs.closeSync(fd);
  parentPort.postMessage({ done: true, digest: 'sha256:' + blobHash.digest('hex'), diffId: 'sha256:' + diffHash.digest('hex') });
};
const gz = gzip ? zlib.createGunzip({ chunkSize: 1 << 20 }) : null;
if (gz) {
  gz.on('data', out);
  gz.on('error', fail);
  gz.on('end', finish);
}
parentPort.on('message', (m) => {
  if (m.chunk) {
    const b = Buffer.from(m.chunk);
    blobHash.update(b);
    if (gz) gz.write(b, () => parentPort.postMessage({ ack: b.length }));
    else { out(b); parentPort.postMessage({ ack: b.length }); }
  } else if (m.end) {
    if (gz) gz.end(); else finish();
  }
});
`;

export interface DigestResult {
  /** sha256 of the bytes as they arrived. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
}

const maxInFlight = 8 * 1024 * 1024;

export class LayerDigester {
  private readonly worker: Worker;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private readonly result: Promise<DigestResult>;
  private error: Error | undefined;

  constructor(file: string, gzip: boolean) {
    this.worker = new Worker(workerSource, { eval: true, workerData: { file, gzip } });
    this.result = new Promise<DigestResult>((resolve, reject) => {
      this.worker.on(
        'message',
        (m: { ack?: number; done?: boolean; error?: string } & Partial<DigestResult>) => {
          if (m.ack !== undefined) {
            this.inFlight -= m.ack;
            if (this.inFlight < maxInFlight) this.release();
          } else if (m.error !== undefined) {
            this.error = new Error(m.error);
            this.release();
            reject(this.error);
          } else if (m.done) {
            resolve({ digest: m.digest as string, diffId: m.diffId as string });
          }
        },
      );
      this.worker.on('error', (err) => {
        this.error = err;
        this.release();
        reject(err);
      });
    });
    this.result.catch(() => undefined);
  }

  private release(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Hands a chunk to the worker; waits while too much is queued. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    // The worker must own what it gets: a chunk that is a whole buffer of its own is handed over as is,
    // a view into a shared pool is copied.
    const whole =
      chunk.byteOffset === 0 &&
      chunk.byteLength === chunk.buffer.byteLength &&
      !(chunk.buffer instanceof SharedArrayBuffer);
    const copy = whole ? chunk : new Uint8Array(chunk);
    this.inFlight += copy.byteLength;
    this.worker.postMessage({ chunk: copy }, [copy.buffer as ArrayBuffer]);
    if (this.inFlight >= maxInFlight) await new Promise<void>((r) => (this.wake = r));
    if (this.error) throw this.error;
  }

  async end(): Promise<DigestResult> {
    this.worker.postMessage({ end: true });
    try {
      return await this.result;
    } finally {
      await this.worker.terminate();
    }
  }

  async abort(): Promise<void> {
    await this.worker.terminate();
  }
}
