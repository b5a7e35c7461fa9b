import { type JobChannel, type JobMessage, type LayerWorkerPool, layerWorkers } from './layer-workers.ts';

export interface DigestResult {
  /** sha256 of the bytes as they arrived. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
}

const maxInFlight = 8 * 1024 * 1024;
const batchBytes = 512 * 1024;

/**
 * Hashes a layer blob as it arrives, decompresses it, hashes the result (the diffID) and writes the
 * uncompressed tar to a file, on a worker thread of the layer pool (layer-workers.ts): on a pull
 * these are most of the CPU work, and off the main thread they run beside the extraction of other
 * layers. The digests are reported before the file's fsync, which then runs while the caller extracts
 * the layer; `synced` says when it is durable.
 */
export class LayerDigester {
  private readonly job: JobChannel;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private readonly result: Promise<DigestResult>;
  private readonly durable: Promise<void>;
  private error: Error | undefined;
  private finished = false;
  private batch: Uint8Array[] = [];
  private batchBytes = 0;

  constructor(file: string, gzip: boolean, pool: LayerWorkerPool = layerWorkers) {
    let synced: () => void = () => undefined;
    let failed: (err: Error) => void = () => undefined;
    this.durable = new Promise<void>((resolve, reject) => {
      synced = resolve;
      failed = reject;
    });
    let onMessage: (m: JobMessage) => void = () => undefined;
    let onCrash: (err: Error) => void = () => undefined;
    this.result = new Promise<DigestResult>((resolve, reject) => {
      const fail = (err: Error) => {
        this.error ??= err;
        this.release();
        reject(err);
        failed(err);
        this.retire();
      };
      onMessage = (m) => {
        if (m.ack !== undefined) {
          this.inFlight -= m.ack;
          if (this.inFlight < maxInFlight) this.release();
        } else if (m.error !== undefined) {
          // The worker closed the job's file.
          fail(new Error(m.error));
        } else if (m.aborted) {
          fail(new Error('aborted'));
        } else if (m.done) {
          resolve({ digest: m.digest as string, diffId: m.diffId as string });
        } else if (m.synced) {
          synced();
          this.retire();
        }
      };
      onCrash = fail;
    });
    this.result.catch(() => undefined);
    this.durable.catch(() => undefined);
    this.job = pool.open(
      (m) => onMessage(m),
      (err) => onCrash(err),
    );
    this.job.post({ start: { file, gzip } });
  }

  /** The job is over: its worker can take others. */
  private retire(): void {
    if (this.finished) return;
    this.finished = true;
    this.job.close();
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
    this.job.post({ chunk: out }, [out.buffer as ArrayBuffer]);
    if (this.inFlight >= maxInFlight) await new Promise<void>((r) => (this.wake = r));
    if (this.error) throw this.error;
  }

  /** The digests once the last byte is through; `synced` resolves when the file is on disk. */
  async end(): Promise<DigestResult & { synced: Promise<void> }> {
    await this.flush();
    this.job.post({ end: true });
    const r = await this.result;
    return { ...r, synced: this.durable };
  }

  /** Stops the job: the worker closes its file (the caller removes it). */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.job.post({ abort: true });
    await this.durable.catch(() => undefined);
  }
}
