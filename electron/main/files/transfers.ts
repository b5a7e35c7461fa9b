// Transfers: byte streams that go around the contract's one-message answers. A download is offered
// with its stream already open (so the engine's refusal was the action's answer) and is taken once: by
// the web server's GET /transfers/{id}, or by `transfers.save` in the desktop app. An upload is a sink
// that `transfers.write` fills chunk by chunk and `transfers.finish` ends, answering with the outcome
// of the action behind it. What is not taken or not fed for a while is given up.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type TransferTicket, transferChunkBytes } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';

export type TransferChannels =
  | 'transfers.write'
  | 'transfers.finish'
  | 'transfers.cancel'
  | 'transfers.wait'
  | 'transfers.save';

/** Where a download goes in the desktop app: the path the user chose, or null when they cancelled. */
export type ChooseSavePath = (suggestedName: string) => Promise<string | null>;

export interface DownloadOffer {
  name: string;
  size?: number;
  contentType?: string;
  body: Readable;
}

export interface UploadOffer {
  name: string;
  sink: Writable;
  /**
   * Settles with the outcome of the action once the sink has ended, or failed (a cancelled or idle
   * upload destroys the sink): the action undoes what it can itself (an import removes the volume it made).
   */
  done: Promise<void>;
}

/** A download being sent: the web server reports how it ended. */
export interface TakenDownload {
  ticket: TransferTicket;
  contentType: string;
  body: Readable;
  /** Counts the bytes that pass; pipe the body through it. */
  counter: Transform;
  /** Bytes through the counter so far. */
  bytes(): number;
  finished(): void;
  failed(err: unknown): void;
}

interface Download {
  kind: 'download';
  offer: DownloadOffer;
  taken: boolean;
  bytes: number;
  result: Promise<{ bytes: number }>;
  settle(err?: unknown): void;
}

interface Upload {
  kind: 'upload';
  offer: UploadOffer;
  failure?: unknown;
  outcome: Promise<void>;
}

const gone = (id: string) =>
  new HandlerError('not_found', 'transfer.not_found', `no transfer ${id}: it finished, failed or expired`);

export class Transfers {
  private readonly open = new Map<string, Download | Upload>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** `idleMs`: how long a transfer may wait to be taken, or between two chunks. */
  constructor(private readonly idleMs = 120_000) {}

  download(offer: DownloadOffer): TransferTicket {
    const id = randomBytes(16).toString('hex');
    let settle: (err?: unknown) => void = () => undefined;
    const d: Download = {
      kind: 'download',
      offer,
      taken: false,
      bytes: 0,
      result: new Promise<{ bytes: number }>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve({ bytes: d.bytes }));
      }),
      settle: (err) => settle(err),
    };
    d.result.catch(() => undefined);
    offer.body.on('error', () => undefined);
    this.open.set(id, d);
    this.touch(id);
    return this.ticket(id, offer);
  }

  upload(offer: UploadOffer): TransferTicket {
    const id = randomBytes(16).toString('hex');
    const u: Upload = { kind: 'upload', offer, outcome: offer.done };
    offer.done.catch((err: unknown) => {
      u.failure = err;
    });
    offer.sink.on('error', (err) => {
      u.failure ??= err;
    });
    this.open.set(id, u);
    this.touch(id);
    return this.ticket(id, offer);
  }

  /** The web server's side of a download; undefined when there is no such download or it was taken. */
  take(id: string): TakenDownload | undefined {
    const d = this.open.get(id);
    if (d?.kind !== 'download' || d.taken) return undefined;
    d.taken = true;
    this.untouch(id);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        d.bytes += chunk.length;
        cb(null, chunk);
      },
    });
    return {
      ticket: this.ticket(id, d.offer),
      contentType: d.offer.contentType ?? 'application/octet-stream',
      body: d.offer.body,
      counter,
      bytes: () => d.bytes,
      // The outcome stays a while for a `transfers.wait` that comes after a quick download.
      finished: () => {
        d.settle();
        this.touch(id);
      },
      failed: (err) => {
        d.offer.body.destroy();
        d.settle(err);
        this.touch(id);
      },
    };
  }

  async write(id: string, bytes: Buffer): Promise<void> {
    const u = this.uploadOf(id);
    if (bytes.length > transferChunkBytes) {
      throw new HandlerError('invalid_argument', 'transfer.chunk_too_big', 'a chunk is at most 1 MiB');
    }
    this.touch(id);
    if (u.failure) throw this.fail(id, u);
    if (!u.offer.sink.write(bytes)) {
      // The engine reads slowly, or stopped reading because it refused: wait for either.
      await Promise.race([once(u.offer.sink, 'drain'), u.outcome.then(() => undefined)]).catch(
        () => undefined,
      );
    }
    if (u.failure) throw this.fail(id, u);
  }

  async finish(id: string): Promise<void> {
    const u = this.uploadOf(id);
    this.untouch(id);
    u.offer.sink.end();
    try {
      await u.outcome;
    } finally {
      this.open.delete(id);
    }
  }

  async cancel(id: string): Promise<void> {
    const t = this.open.get(id);
    if (!t) return;
    this.open.delete(id);
    this.untouch(id);
    if (t.kind === 'download') {
      if (t.taken) return;
      t.offer.body.destroy();
      t.settle(new HandlerError('internal', 'transfer.cancelled', 'the download was cancelled'));
      return;
    }
    t.offer.sink.destroy();
    await t.outcome.catch(() => undefined);
  }

  async wait(id: string): Promise<{ bytes: number }> {
    const d = this.open.get(id);
    if (d?.kind !== 'download') throw gone(id);
    return d.result;
  }

  /** Writes a download to a file (the desktop app's save dialog chose it). */
  async save(id: string, file: string): Promise<{ path: string; bytes: number }> {
    const d = this.take(id);
    if (!d) throw gone(id);
    try {
      await pipeline(d.body, d.counter, createWriteStream(file));
      d.finished();
    } catch (err) {
      d.failed(err);
      throw err;
    }
    return { path: file, bytes: d.bytes() };
  }

  handlers(choosePath?: ChooseSavePath): Pick<InvokeHandlers, TransferChannels> {
    return {
      'transfers.write': async ({ id, base64 }) => {
        await this.write(id, Buffer.from(base64, 'base64'));
      },
      'transfers.finish': async ({ id }) => {
        await this.finish(id);
      },
      'transfers.cancel': async ({ id }) => {
        await this.cancel(id);
      },
      'transfers.wait': async ({ id }) => this.wait(id),
      'transfers.save': async ({ id }) => {
        const d = this.open.get(id);
        if (d?.kind !== 'download') throw gone(id);
        if (!choosePath) {
          throw new HandlerError(
            'unsupported',
            'transfer.no_save_dialog',
            'web mode: the browser downloads the file itself',
          );
        }
        const file = await choosePath(d.offer.name);
        if (!file) {
          await this.cancel(id);
          return null;
        }
        return this.save(id, file);
      },
    };
  }

  private uploadOf(id: string): Upload {
    const u = this.open.get(id);
    if (u?.kind !== 'upload') throw gone(id);
    return u;
  }

  /** An upload whose action failed: it is over. */
  private fail(id: string, u: Upload): unknown {
    this.open.delete(id);
    this.untouch(id);
    u.offer.sink.destroy();
    return u.failure;
  }

  private ticket(id: string, o: { name: string; size?: number }): TransferTicket {
    return { id, name: o.name, ...(o.size === undefined ? {} : { size: o.size }) };
  }

  private touch(id: string): void {
    this.untouch(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.cancel(id);
    }, this.idleMs);
    timer.unref?.();
    this.timers.set(id, timer);
  }

  private untouch(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}
