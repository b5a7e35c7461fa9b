// The renderer's side of transfers (see electron/contract/transfers.ts): a download goes to the
// browser's own downloads in web mode, or to the file the desktop app asks for; an upload is read
// from a Blob a chunk at a time and sent, so no file is ever held whole in memory or in one message.
import {
  type ContractError,
  type Result,
  type TransferTicket,
  transferChunkBytes,
  transferUrlPrefix,
} from '../../../electron/contract/index.ts';
import { api } from './client.ts';

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Takes a download; resolves when every byte is saved, with null when the user cancelled the save. */
export async function receive(ticket: TransferTicket): Promise<Result<{ bytes: number } | null>> {
  if (window.berth) return api().invoke('transfers.save', { id: ticket.id });
  const done = api().invoke('transfers.wait', { id: ticket.id });
  const a = document.createElement('a');
  a.href = `${transferUrlPrefix}${encodeURIComponent(ticket.id)}`;
  a.download = ticket.name;
  document.body.append(a);
  a.click();
  a.remove();
  return done;
}

/** Sends a Blob to an upload; `onProgress` gets the bytes sent so far. Answers with the action's outcome. */
export async function send(
  ticket: TransferTicket,
  blob: Blob,
  onProgress?: (sent: number, total: number) => void,
): Promise<ContractError | null> {
  for (let at = 0; at < blob.size; at += transferChunkBytes) {
    const chunk = new Uint8Array(await blob.slice(at, at + transferChunkBytes).arrayBuffer());
    const r = await api().invoke('transfers.write', { id: ticket.id, base64: bytesToBase64(chunk) });
    if (!r.ok) {
      void api().invoke('transfers.cancel', { id: ticket.id });
      return r.error;
    }
    onProgress?.(Math.min(at + transferChunkBytes, blob.size), blob.size);
  }
  const r = await api().invoke('transfers.finish', { id: ticket.id });
  return r.ok ? null : r.error;
}
