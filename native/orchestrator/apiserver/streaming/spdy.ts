// SPDY/3.1 framing as kubectl's port-forward speaks it (moby/spdystream, tunnelled through a WebSocket
// since kubectl 1.31): control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY,
// HEADERS, WINDOW_UPDATE) and data frames, and header blocks compressed with one zlib stream per
// direction for the whole connection, primed with SPDY/3's dictionary and sync-flushed after each
// block. spdystream does no flow control, so WINDOW_UPDATE is parsed and never needed.
import zlib from 'node:zlib';
import { spdyDictionary } from './spdy-dictionary.ts';

export const spdyVersion = 3;

export const FrameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

/** FLAG_FIN for data and control frames alike; FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const Flags = { fin: 0x01, unidirectional: 0x02 } as const;

export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
} as const;

export type RawFrame =
  | { control: false; streamId: number; flags: number; data: Buffer }
  | { control: true; version: number; type: number; flags: number; payload: Buffer };

/** Headers as name → values (lower-case names; several values travel NUL-separated). */
export type SpdyHeaders = Record<string, string[]>;

/** SPDY frames out of a byte stream (the WebSocket tunnel is one, whatever its message boundaries). */
export class SpdyFrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RawFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: RawFrame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const flags = this.buf[4];
      const body = Buffer.from(this.buf.subarray(8, 8 + len));
      if (this.buf[0] & 0x80)
        out.push({
          control: true,
          version: this.buf.readUInt16BE(0) & 0x7fff,
          type: this.buf.readUInt16BE(2),
          flags,
          payload: body,
        });
      else out.push({ control: false, streamId: this.buf.readUInt32BE(0) & 0x7fffffff, flags, data: body });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > 0xffffff) throw new Error('SPDY frame too large');
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | spdyVersion, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  if (data.length > 0xffffff) throw new Error('SPDY frame too large');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? Flags.fin : 0) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

/** SYN_STREAM with an already compressed header block (a client's; used by tests as kubectl). */
export function encodeSynStream(
  streamId: number,
  compressedHeaders: Buffer,
  opts: { flags?: number; associatedTo?: number; priority?: number } = {},
): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE((opts.associatedTo ?? 0) & 0x7fffffff, 4);
  p[8] = ((opts.priority ?? 0) & 0x7) << 5;
  p[9] = 0;
  return controlFrame(FrameType.synStream, opts.flags ?? 0, Buffer.concat([p, compressedHeaders]));
}

export function encodeSynReply(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(FrameType.synReply, fin ? Flags.fin : 0, Buffer.concat([p, compressedHeaders]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.rstStream, 0, p);
}

export function encodePing(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.ping, 0, p);
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.goAway, 0, p);
}

export type ControlFrame =
  | {
      type: 'synStream';
      streamId: number;
      associatedTo: number;
      priority: number;
      flags: number;
      headerBlock: Buffer;
    }
  | { type: 'synReply' | 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

/** A control frame's fields (header blocks still compressed); throws on a truncated one. */
export function decodeControl(f: Extract<RawFrame, { control: true }>): ControlFrame {
  const p = f.payload;
  const need = (n: number) => {
    if (p.length < n) throw new Error(`SPDY control frame ${f.type} too short`);
  };
  const id = (at: number) => p.readUInt32BE(at) & 0x7fffffff;
  switch (f.type) {
    case FrameType.synStream:
      need(10);
      return {
        type: 'synStream',
        streamId: id(0),
        associatedTo: id(4),
        priority: p[8] >> 5,
        flags: f.flags,
        headerBlock: p.subarray(10),
      };
    case FrameType.synReply:
    case FrameType.headers:
      need(4);
      return {
        type: f.type === FrameType.synReply ? 'synReply' : 'headers',
        streamId: id(0),
        flags: f.flags,
        headerBlock: p.subarray(4),
      };
    case FrameType.rstStream:
      need(8);
      return { type: 'rstStream', streamId: id(0), status: p.readUInt32BE(4) };
    case FrameType.settings: {
      need(4);
      const n = p.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const at = 4 + i * 8;
        entries.push({ flags: p[at], id: p.readUInt32BE(at) & 0xffffff, value: p.readUInt32BE(at + 4) });
      }
      return { type: 'settings', entries };
    }
    case FrameType.ping:
      need(4);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.goAway:
      need(8);
      return { type: 'goAway', lastGoodStreamId: id(0), status: p.readUInt32BE(4) };
    case FrameType.windowUpdate:
      need(8);
      return { type: 'windowUpdate', streamId: id(0), delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: f.type };
  }
}

/** A header block before compression: a count, then length-prefixed names and values (32-bit). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  let at = 0;
  const u32 = () => {
    if (at + 4 > block.length) throw new Error('SPDY header block truncated');
    const n = block.readUInt32BE(at);
    at += 4;
    return n;
  };
  const bytes = (n: number) => {
    if (at + n > block.length) throw new Error('SPDY header block truncated');
    const s = block.subarray(at, at + n).toString();
    at += n;
    return s;
  };
  const count = u32();
  const out: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    if (name !== name.toLowerCase()) throw new Error(`SPDY header name ${name} is not lower case`);
    out[name] = [...(out[name] ?? []), ...bytes(u32()).split('\0')];
  }
  return out;
}

/**
 * One direction's header compression: a single zlib stream for the connection, each block
 * sync-flushed so the peer can decode it at once. Calls are serialized; each resolves with exactly
 * the bytes its block produced (for the compressor) or the block it decoded (for the decompressor).
 */
class ZlibContext {
  private readonly out: Buffer[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;

  constructor(private readonly stream: zlib.Deflate | zlib.Inflate) {
    stream.on('data', (c: Buffer) => this.out.push(c));
    stream.on('error', (err) => {
      this.failed = err;
    });
  }

  process(input: Buffer): Promise<Buffer> {
    const run = () =>
      new Promise<Buffer>((resolve, reject) => {
        if (this.failed) return reject(this.failed);
        this.stream.write(input);
        this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          if (this.failed) return reject(this.failed);
          resolve(Buffer.concat(this.out.splice(0)));
        });
      });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.stream.destroy();
  }
}

export class HeaderCompressor {
  private readonly z = new ZlibContext(zlib.createDeflate({ dictionary: spdyDictionary }));
  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.z.process(encodeHeaderBlock(headers));
  }
  close(): void {
    this.z.close();
  }
}

export class HeaderDecompressor {
  private readonly z = new ZlibContext(zlib.createInflate({ dictionary: spdyDictionary }));
  async decompress(block: Buffer): Promise<SpdyHeaders> {
    return decodeHeaderBlock(await this.z.process(block));
  }
  close(): void {
    this.z.close();
  }
}
