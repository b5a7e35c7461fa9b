// A tar of the user's files, built as a Blob whose parts are the headers and the File objects
// themselves: the browser reads each file's bytes only as the Blob is read, so an upload of gigabytes
// never holds them in memory. ustar headers, with a PAX header for long or non-ASCII names and for
// files of 8 GiB and more.

export interface TarItem {
  /** Relative, `/`-separated: `a.txt`, `photos/2024/x.jpg`. */
  path: string;
  /** The file's bytes; absent for a folder. */
  file?: Blob;
  /** Milliseconds since the epoch. */
  mtime?: number;
}

const block = 512;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function put(header: Uint8Array<ArrayBuffer>, offset: number, text: string): void {
  header.set(encoder.encode(text), offset);
}

function padTo(n: number): Uint8Array<ArrayBuffer> {
  const rest = n % block;
  return new Uint8Array(rest ? block - rest : 0);
}

/** A 512-byte header; `name` must fit in 100 bytes. */
function header(
  name: string,
  size: number,
  type: '0' | '5' | 'x',
  mode: number,
  mtime: number,
): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(block);
  put(h, 0, name);
  put(h, 100, octal(mode, 8));
  put(h, 108, octal(0, 8));
  put(h, 116, octal(0, 8));
  put(h, 124, octal(size, 12));
  put(h, 136, octal(Math.max(0, Math.floor(mtime / 1000)), 12));
  put(h, 148, '        ');
  put(h, 156, type);
  put(h, 257, 'ustar\u000000');
  put(h, 265, 'root');
  put(h, 297, 'root');
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** One PAX record: its length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = encoder.encode(body).length;
  let len = n + String(n).length;
  if (String(len).length > String(n).length) len = n + String(len).length;
  return `${len}${body}`;
}

const maxOctalSize = 8 ** 11 - 1;

function entryParts(item: TarItem): BlobPart[] {
  const isDir = !item.file;
  const path = item.path.replace(/^\/+|\/+$/g, '') + (isDir ? '/' : '');
  const size = item.file?.size ?? 0;
  const mtime = item.mtime ?? Date.now();
  const parts: BlobPart[] = [];
  const pax: string[] = [];
  const long = encoder.encode(path).length > 100 || /[^\x20-\x7e]/.test(path);
  if (long) pax.push(paxRecord('path', path));
  if (size > maxOctalSize) pax.push(paxRecord('size', String(size)));
  if (pax.length) {
    const body = new Uint8Array(encoder.encode(pax.join('')));
    parts.push(header('PaxHeader', body.length, 'x', 0o644, mtime), body, padTo(body.length));
  }
  const shortName = long ? path.replace(/[^\x20-\x7e]/g, '_').slice(-100) : path;
  parts.push(
    header(shortName, Math.min(size, maxOctalSize), isDir ? '5' : '0', isDir ? 0o755 : 0o644, mtime),
  );
  if (item.file) parts.push(item.file, padTo(size));
  return parts;
}

export function tarBlob(items: TarItem[]): Blob {
  const parts = items.flatMap(entryParts);
  parts.push(new Uint8Array(block * 2));
  return new Blob(parts, { type: 'application/x-tar' });
}

/** The first part of each item's path, once: what lands in the folder the tar is extracted into. */
export function topNames(items: TarItem[]): string[] {
  return [...new Set(items.map((i) => i.path.replace(/^\/+/, '').split('/')[0]).filter(Boolean))];
}
