import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { JobChannel, JobMessage } from './layer-workers.ts';

/**
 * A layer worker's job (layer-workers.ts) run on the main thread, for when no worker is up yet: the
 * same messages in and out. Only the hashing runs on this thread; inflating and writing go to libuv's
 * threads. Messages are handled in order, one at a time.
 */
export function inlineJob(onMessage: (m: JobMessage) => void): JobChannel {
  const tell = (m: Omit<JobMessage, 'id'>) => onMessage({ id: 0, ...m });
  let file: FileHandle | undefined;
  let gz: Gunzip | undefined;
  const blobHash: Hash = createHash('sha256');
  const diffHash: Hash = createHash('sha256');
  let failed = false;
  let closed = false;
  /** Messages, one after another. */
  let queue: Promise<void> = Promise.resolve();
  /** Writes of the tar, in order. */
  let writes: Promise<unknown> = Promise.resolve();

  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    gz?.destroy();
    void writes.finally(() => file?.close().catch(() => undefined));
    tell({ error: String((err as Error)?.message ?? err) });
  };
  const out = (b: Buffer) => {
    diffHash.update(b);
    writes = writes
      .then(async () => {
        if (!failed) await file?.write(b);
      })
      .catch(fail);
  };
  const finish = async () => {
    await writes;
    if (failed) return;
    tell({
      done: true,
      digest: `sha256:${blobHash.digest('hex')}`,
      diffId: `sha256:${diffHash.digest('hex')}`,
    });
    try {
      await file?.sync();
      await file?.close();
    } catch (err) {
      return fail(err);
    }
    tell({ synced: true });
  };

  const handle = async (m: Record<string, unknown>) => {
    if (failed) return;
    if (m.start) {
      const start = m.start as { file: string; gzip: boolean };
      file = await open(start.file, 'wx', 0o600);
      if (start.gzip) {
        gz = createGunzip({ chunkSize: 256 << 10 });
        gz.on('data', out);
        gz.on('error', fail);
      }
    } else if (m.abort) {
      failed = true;
      gz?.destroy();
      await writes.catch(() => undefined);
      await file?.close().catch(() => undefined);
      tell({ aborted: true });
    } else if (m.chunk) {
      const b = Buffer.from(m.chunk as Uint8Array);
      blobHash.update(b);
      if (gz) {
        const g = gz;
        await new Promise<void>((resolve) => g.write(b, () => resolve()));
      } else out(b);
      if (!failed) tell({ ack: b.length });
    } else if (m.end) {
      if (gz) {
        const g = gz;
        await new Promise<void>((resolve) => {
          g.once('end', resolve);
          g.once('error', () => resolve());
          g.end();
        });
      }
      await finish();
    }
  };

  return {
    post(message) {
      if (closed) return;
      queue = queue.then(() => handle(message)).catch(fail);
    },
    close() {
      closed = true;
    },
  };
}
