// Tests' side of transfers: read a download as the web server would, send an upload as the renderer does.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import type { Result, TransferTicket } from '../../../electron/contract/index.ts';
import { dispatchInvoke, type Handlers } from '../../../electron/main/ipc/handlers.ts';

/** The bytes of a download. */
export async function readDownload(h: Handlers, ticket: TransferTicket): Promise<Buffer> {
  const t = h.transfers?.take(ticket.id);
  assert.ok(t, `download ${ticket.id} is offered`);
  const chunks: Buffer[] = [];
  await pipeline(
    t.body,
    t.counter,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
  );
  t.finished();
  return Buffer.concat(chunks);
}

/** Sends bytes to an upload in chunks of `chunk` bytes; the result of `transfers.finish`. */
export async function sendUpload(
  h: Handlers,
  ticket: TransferTicket,
  bytes: Buffer,
  chunk = 64 * 1024,
): Promise<Result<undefined>> {
  for (let i = 0; i < bytes.length; i += chunk) {
    const w = await dispatchInvoke(h, 'transfers.write', {
      id: ticket.id,
      base64: bytes.subarray(i, i + chunk).toString('base64'),
    });
    if (!w.ok) return w;
  }
  return dispatchInvoke(h, 'transfers.finish', { id: ticket.id });
}

export type TarEntry = Partial<tarStream.Header> & { name: string; data?: string };

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const { data, ...h } of entries) pack.entry(h as tarStream.Header, data ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `name` (and `=text` for files), sorted. */
export async function tarNames(tar: Buffer): Promise<string[]> {
  const extract = tarStream.extract();
  extract.end(tar);
  const out: string[] = [];
  for await (const e of extract) {
    let text = '';
    for await (const c of e) text += String(c);
    out.push(`${e.header.name}${e.header.type === 'file' ? `=${text.trim()}` : ''}`);
  }
  return out.sort();
}
