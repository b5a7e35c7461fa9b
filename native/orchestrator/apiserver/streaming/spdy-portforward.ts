// The kubelet's side of port-forward over SPDY (its httpstream handler), on any byte transport — here
// the WebSocket tunnel kubectl ≥1.31 dials. For each forwarded connection kubectl opens an error stream
// and a data stream with the same requestID and port; once both exist the backend connects to the port,
// bytes go both ways on the data stream, and a failure is written to the error stream as text. Each
// stream gets a SYN_REPLY before any of its data (spdystream drops data on an unreplied stream), and
// ends with FIN on both streams (kubectl reads the error stream to its end before it lets go).
import type { Duplex } from 'node:stream';
import {
  type ControlFrame,
  decodeControl,
  encodeData,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  HeaderCompressor,
  HeaderDecompressor,
  RstStatus,
  SpdyFrameParser,
  type SpdyHeaders,
} from './spdy.ts';

/** The byte transport under the session. */
export interface SessionIo {
  /** false: the transport's buffer is full, await drain(). */
  write(bytes: Buffer): boolean;
  drain(): Promise<void>;
  /** Stop and restart reading from the client (a pod connection is not keeping up). */
  pause(): void;
  resume(): void;
  close(): void;
}

interface Pair {
  requestId: string;
  port?: number;
  portHeader?: string;
  dataId?: number;
  errorId?: number;
  conn?: Duplex;
  /** Client data that came before the pod connection did. */
  early: Buffer[];
  clientFin: boolean;
  started: boolean;
  finished: boolean;
}

interface StreamState {
  pair: Pair;
  kind: 'data' | 'error';
  /** We sent FIN or the client reset it: nothing more may be sent on it. */
  sendClosed: boolean;
}

const first = (h: SpdyHeaders, name: string) => h[name]?.[0];

export class SpdyPortForwardSession {
  private readonly parser = new SpdyFrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, StreamState>();
  private readonly pairs = new Map<string, Pair>();
  private inbox: Promise<void> = Promise.resolve();
  private outbox: Promise<void> = Promise.resolve();
  private pauses = 0;
  private closed = false;

  constructor(
    private readonly io: SessionIo,
    private readonly connect: (port: number) => Promise<Duplex>,
    /** The error text for a failed forward, in the kubelet's words. */
    private readonly describeError: (port: number, err: Error) => string,
  ) {}

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    let frames: ReturnType<SpdyFrameParser['push']>;
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const f of frames)
      this.inbox = this.inbox.then(() =>
        (f.control ? this.control(decodeControl(f)) : this.data(f.streamId, f.flags, f.data)).catch(() =>
          this.close(),
        ),
      );
  }

  /** The transport is gone (or the session failed): every pod connection goes too. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pairs.values()) p.conn?.destroy();
    this.pairs.clear();
    this.streams.clear();
    this.compressor.close();
    this.decompressor.close();
    this.io.close();
  }

  /** Queues bytes in order; resolves once written (and the transport drained if it had to). */
  private send(produce: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.outbox.then(async () => {
      if (this.closed) return;
      const bytes = await produce();
      if (!this.closed && !this.io.write(bytes)) await this.io.drain();
    });
    this.outbox = next.catch(() => this.close());
    return this.outbox;
  }

  private async control(f: ControlFrame): Promise<void> {
    switch (f.type) {
      case 'synStream':
        return this.synStream(f.streamId, await this.decompressor.decompress(f.headerBlock), f.flags);
      case 'headers':
        // Decoded to keep the compression context in step; port-forward has no use for the values.
        await this.decompressor.decompress(f.headerBlock);
        return;
      case 'synReply':
        await this.decompressor.decompress(f.headerBlock);
        return;
      case 'rstStream':
        return this.reset(f.streamId);
      case 'ping':
        // The client's pings (odd ids) come back as they are; a server sends none of its own.
        if (f.id % 2 === 1) void this.send(() => encodePing(f.id));
        return;
      case 'goAway':
        return this.close();
      default:
        return;
    }
  }

  private synStream(id: number, headers: SpdyHeaders, flags: number): void {
    const type = first(headers, 'streamtype');
    if (type !== 'data' && type !== 'error') {
      void this.send(() => encodeRstStream(id, RstStatus.refusedStream));
      return;
    }
    // Old clients sent no requestID; the kubelet pairs their data stream with the error stream before.
    const requestId = first(headers, 'requestid') ?? String(type === 'error' ? id : id - 2);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = { requestId, early: [], clientFin: false, started: false, finished: false };
      this.pairs.set(requestId, pair);
    }
    if ((type === 'data' ? pair.dataId : pair.errorId) !== undefined) {
      void this.send(() => encodeRstStream(id, RstStatus.protocolError));
      return;
    }
    if (type === 'data') pair.dataId = id;
    else pair.errorId = id;
    pair.portHeader ??= first(headers, 'port');
    this.streams.set(id, { pair, kind: type, sendClosed: false });
    if (type === 'data' && flags & 0x01) pair.clientFin = true;
    void this.send(async () => encodeSynReply(id, await this.compressor.compress({})));
    if (pair.dataId !== undefined && pair.errorId !== undefined && !pair.started) void this.start(pair);
  }

  private async start(pair: Pair): Promise<void> {
    pair.started = true;
    const raw = pair.portHeader ?? '';
    const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
      const why = raw ? `invalid port header "${raw}"` : 'missing port header';
      await this.fail(pair, new Error(why), 0);
      return;
    }
    pair.port = port;
    let conn: Duplex;
    try {
      conn = await this.connect(port);
    } catch (err) {
      await this.fail(pair, err as Error, port);
      return;
    }
    if (this.closed || pair.finished) {
      conn.destroy();
      return;
    }
    pair.conn = conn;
    const dataId = pair.dataId!;
    conn.on('data', (chunk: Buffer) => {
      conn.pause();
      void this.send(() => encodeData(dataId, chunk)).then(() => conn.resume());
    });
    conn.on('end', () => void this.finish(pair));
    conn.on('error', (err) => void this.fail(pair, err, port));
    conn.on('close', () => void this.finish(pair));
    for (const b of pair.early.splice(0)) conn.write(b);
    if (pair.clientFin) conn.end();
  }

  private async data(id: number, flags: number, data: Buffer): Promise<void> {
    const s = this.streams.get(id);
    if (s?.kind !== 'data') return;
    const pair = s.pair;
    if (data.length) {
      if (!pair.conn) pair.early.push(data);
      else if (!pair.conn.write(data)) {
        // The pod is slower than the client: stop reading the tunnel until it catches up.
        if (this.pauses++ === 0) this.io.pause();
        pair.conn.once('drain', () => {
          if (--this.pauses === 0) this.io.resume();
        });
      }
    }
    if (flags & 0x01) {
      pair.clientFin = true;
      pair.conn?.end();
    }
  }

  private reset(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.sendClosed = true;
    this.streams.delete(id);
    if (s.kind === 'data') void this.finish(s.pair);
  }

  private async fail(pair: Pair, err: Error, port: number): Promise<void> {
    if (pair.finished) return;
    const errorStream = pair.errorId === undefined ? undefined : this.streams.get(pair.errorId);
    if (errorStream && !errorStream.sendClosed) {
      const text = Buffer.from(this.describeError(port, err));
      void this.send(() => encodeData(pair.errorId!, text));
    }
    await this.finish(pair);
  }

  /** Ends a forwarded connection: FIN on both streams (unless reset), the pod connection closed. */
  private async finish(pair: Pair): Promise<void> {
    if (pair.finished) return;
    pair.finished = true;
    this.pairs.delete(pair.requestId);
    const sends: Promise<void>[] = [];
    for (const id of [pair.dataId, pair.errorId]) {
      if (id === undefined) continue;
      const s = this.streams.get(id);
      this.streams.delete(id);
      if (s && !s.sendClosed) {
        s.sendClosed = true;
        sends.push(this.send(() => encodeData(id, Buffer.alloc(0), true)));
      }
    }
    await Promise.all(sends);
    pair.conn?.destroy();
  }
}
