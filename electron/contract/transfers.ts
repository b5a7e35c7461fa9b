// Byte streams too big for one message: a download the renderer fetches (web mode) or main saves
// (desktop app), and an upload the renderer sends in chunks. An action that moves bytes (a download,
// an export, an upload, an import) answers with a ticket; the bytes then go through these channels.
import type { ChannelList } from './channel-list.ts';

export interface TransferTicket {
  id: string;
  /** The name to save a download as (a file's name, `<volume>.tar`). */
  name: string;
  /** Bytes, when known before the transfer. */
  size?: number;
}

/** Web mode serves a download's bytes at this path + its id (GET, same token as the page). */
export const transferUrlPrefix = '/transfers/';

/** The most bytes one `transfers.write` carries (before base64). */
export const transferChunkBytes = 1024 * 1024;

export interface TransfersInvoke {
  /** Upload: the next bytes, base64; answers once they are passed on (so a slow engine slows the sender). */
  'transfers.write': { req: { id: string; base64: string }; res: undefined };
  /** Upload: the end of the bytes; answers with the outcome of the action the upload is for. */
  'transfers.finish': { req: { id: string }; res: undefined };
  /** Gives up an upload or a download that is not taken; nothing is left half done where it can be undone. */
  'transfers.cancel': { req: { id: string }; res: undefined };
  /** Download, web mode: answers once the browser has fetched every byte, or with why it failed. */
  'transfers.wait': { req: { id: string }; res: { bytes: number } };
  /** Download, desktop app: asks where to save it and writes it there; null when the user cancelled. */
  'transfers.save': { req: { id: string }; res: { path: string; bytes: number } | null };
}

export const transfersChannels: ChannelList<TransfersInvoke> = {
  'transfers.write': true,
  'transfers.finish': true,
  'transfers.cancel': true,
  'transfers.wait': true,
  'transfers.save': true,
};
