// A file's preview for the file browsers: the start of a text, or a small picture, read from the
// file's stream without reading more of it than is shown.
import { type FilePreview, previewImageBytes, previewTextBytes } from '../../contract/index.ts';

const imageTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
};

export function imageTypeOf(name: string): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext ? imageTypes[ext] : undefined;
}

/** How many bytes of a file its preview needs. */
export function previewBytesFor(name: string, size: number): number {
  return imageTypeOf(name) && size <= previewImageBytes ? previewImageBytes : previewTextBytes;
}

/** Reads up to `limit` bytes of a stream and stops it. */
export async function readHead(stream: AsyncIterable<unknown> & { destroy(): void }, limit: number) {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    chunks.push(b);
    total += b.length;
    if (total >= limit) break;
  }
  stream.destroy();
  const all = Buffer.concat(chunks);
  return all.length > limit ? all.subarray(0, limit) : all;
}

/** UTF-8 text without NUL bytes; a character cut at the end of `head` is dropped. */
function asText(head: Buffer, cut: boolean): string | undefined {
  if (head.subarray(0, 8192).includes(0)) return undefined;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let drop = 0; drop <= (cut ? 3 : 0); drop++) {
    try {
      return decoder.decode(head.subarray(0, head.length - drop));
    } catch {
      // a cut character, or not UTF-8
    }
  }
  return undefined;
}

/** The preview of a file named `name` of `size` bytes whose first bytes are `head`. */
export function previewOf(name: string, size: number, head: Buffer): FilePreview {
  const mime = imageTypeOf(name);
  if (mime && size <= previewImageBytes && head.length === size) {
    return { name, size, kind: 'image', mime, base64: head.toString('base64'), truncated: false };
  }
  const truncated = size > head.length;
  const text = asText(head.subarray(0, previewTextBytes), truncated || head.length > previewTextBytes);
  if (text === undefined || mime) return { name, size, kind: 'binary', truncated: false };
  return { name, size, kind: 'text', text, truncated: truncated || head.length > previewTextBytes };
}
