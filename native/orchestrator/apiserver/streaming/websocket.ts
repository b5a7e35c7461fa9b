// The server side of RFC 6455 WebSockets, as small as exec, attach and port-forward need: the opening
// handshake (Sec-WebSocket-Accept, subprotocol choice), frames in and out (client frames masked,
// fragmented messages reassembled, control frames between fragments), ping/pong, and the closing
// handshake with status codes. No extensions: a frame with an RSV bit set is a protocol error.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../status.ts';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** Close codes of RFC 6455 §7.4.1 that this server sends. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Never sent: what a connection that ended without a close frame reports. */
  abnormal: 1006,
  invalidPayload: 1007,
  tooBig: 1009,
  internalError: 1011,
} as const;

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export const acceptKey = (key: string) =>
  createHash('sha1')
    .update(key + acceptGuid)
    .digest('base64');

export interface Frame {
  fin: boolean;
  /** RSV1–3 as the three bits above the opcode. */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked. */
  payload: Buffer;
}

/** Encodes one frame; `mask` (4 bytes) masks it as a client must. */
export function encodeFrame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; mask?: Buffer; rsv?: number } = {},
): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const extra = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const maskLen = opts.mask ? 4 : 0;
  const out = Buffer.allocUnsafe(2 + extra + maskLen + len);
  out[0] = (fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  const maskBit = opts.mask ? 0x80 : 0;
  if (extra === 0) out[1] = maskBit | len;
  else if (extra === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const at = 2 + extra + maskLen;
  if (opts.mask) {
    opts.mask.copy(out, 2 + extra, 0, 4);
    for (let i = 0; i < len; i++) out[at + i] = payload[i] ^ opts.mask[i & 3];
  } else payload.copy(out, at);
  return out;
}

/** A violation of the protocol by the peer, with the close code to answer it with. */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const isControl = (opcode: number) => opcode >= 0x8;
const knownOpcodes = new Set<number>(Object.values(Opcode));

/**
 * Frames out of a byte stream. `requireMask` is the server's rule (every client frame is masked);
 * `maxPayload` bounds one frame (a message is bounded by the connection).
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly opts: { requireMask: boolean; maxPayload: number }) {}

  /** The frames the bytes complete; throws a ProtocolError on a malformed one. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const fin = (b[0] & 0x80) !== 0;
    const rsv = (b[0] >> 4) & 0x7;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let at = 2;
    if (rsv !== 0) throw new ProtocolError(CloseCode.protocolError, 'RSV bits set without an extension');
    if (!knownOpcodes.has(opcode))
      throw new ProtocolError(CloseCode.protocolError, `unknown opcode ${opcode}`);
    if (isControl(opcode) && (!fin || len > 125))
      throw new ProtocolError(CloseCode.protocolError, 'control frames are short and never fragmented');
    if (this.opts.requireMask && !masked)
      throw new ProtocolError(CloseCode.protocolError, 'client frames must be masked');
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.opts.maxPayload)) throw new ProtocolError(CloseCode.tooBig, 'frame too large');
      len = Number(big);
      at = 10;
    }
    if (len > this.opts.maxPayload) throw new ProtocolError(CloseCode.tooBig, 'frame too large');
    const maskAt = at;
    if (masked) at += 4;
    if (b.length < at + len) return undefined;
    const payload = Buffer.from(b.subarray(at, at + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskAt + (i & 3)];
    this.buf = b.subarray(at + len);
    return { fin, rsv, opcode, masked, payload };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(b: Buffer): boolean {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Close codes a peer may send (RFC 6455 §7.4: 1004–1006 and 1015 are reserved, 1012–1014 IANA's). */
const validCloseCode = (c: number) =>
  (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface WebSocketOptions {
  /** The largest message accepted (reassembled); larger ones close the connection with 1009. */
  maxMessage?: number;
  /** How long to wait for the peer's close frame after ours before dropping the connection. */
  closeTimeoutMs?: number;
}

/**
 * One accepted WebSocket connection over the upgraded socket. Messages arrive through `onMessage`;
 * `send` writes one unfragmented message and returns false when the socket's buffer is full (await
 * `drain()` then); `closed` settles once the TCP connection is gone.
 */
export class WebSocketConnection {
  onMessage: (data: Buffer, binary: boolean) => void = () => undefined;
  /** The peer's close frame (or 1006 when the connection dropped without one). */
  onClose: (info: CloseInfo) => void = () => undefined;
  readonly closed: Promise<CloseInfo>;
  private readonly parser: FrameParser;
  private fragments: Buffer[] = [];
  private fragmentSize = 0;
  private fragmentOpcode = 0;
  private sentClose = false;
  private gotClose: CloseInfo | undefined;
  private ended = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly maxMessage: number;
  private readonly closeTimeoutMs: number;

  constructor(
    private readonly socket: Duplex,
    readonly protocol: string,
    head: Buffer,
    opts: WebSocketOptions = {},
  ) {
    this.maxMessage = opts.maxMessage ?? 16 * 1024 * 1024;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.parser = new FrameParser({ requireMask: true, maxPayload: this.maxMessage });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        clearTimeout(this.closeTimer);
        const info = this.gotClose ?? { code: CloseCode.abnormal, reason: '' };
        if (!this.gotClose) this.onClose(info);
        resolve(info);
      });
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => socket.end());
    if (head.length) queueMicrotask(() => this.receive(head));
  }

  get isOpen(): boolean {
    return !this.sentClose && !this.ended;
  }

  send(data: Buffer | string, binary = typeof data !== 'string'): boolean {
    if (this.sentClose || this.ended) return false;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    return this.socket.write(encodeFrame(binary ? Opcode.binary : Opcode.text, payload));
  }

  /** Resolves when the socket can take more (or has gone). */
  drain(): Promise<void> {
    if (this.ended || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Stops reading from the peer (what it sends is waiting on a slower consumer). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (this.isOpen) this.socket.write(encodeFrame(Opcode.ping, data));
  }

  /** Starts the closing handshake; the connection ends once the peer answers or after a timeout. */
  close(code: number = CloseCode.normal, reason = ''): void {
    if (this.ended) return;
    if (!this.sentClose) {
      this.sentClose = true;
      const r = Buffer.from(reason).subarray(0, 123);
      const payload = Buffer.alloc(2 + r.length);
      payload.writeUInt16BE(code, 0);
      r.copy(payload, 2);
      this.socket.write(encodeFrame(Opcode.close, payload));
    }
    if (this.gotClose) this.socket.end();
    else {
      this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
      this.closeTimer.unref?.();
    }
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.gotClose) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    for (const f of frames) {
      try {
        this.frame(f);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (this.gotClose) return;
    }
  }

  private fail(err: unknown): void {
    const code = err instanceof ProtocolError ? err.code : CloseCode.internalError;
    this.gotClose = { code: CloseCode.abnormal, reason: (err as Error).message };
    this.onClose(this.gotClose);
    this.close(code, (err as Error).message);
    this.socket.end();
  }

  private frame(f: Frame): void {
    switch (f.opcode) {
      case Opcode.ping:
        if (!this.sentClose) this.socket.write(encodeFrame(Opcode.pong, f.payload));
        return;
      case Opcode.pong:
        return;
      case Opcode.close:
        this.peerClosed(f.payload);
        return;
      case Opcode.continuation:
        if (!this.fragmentOpcode) throw new ProtocolError(CloseCode.protocolError, 'continuation of nothing');
        this.fragment(f);
        return;
      default:
        if (this.fragmentOpcode)
          throw new ProtocolError(CloseCode.protocolError, 'a new message inside a fragmented one');
        if (f.fin) this.message(f.opcode, f.payload);
        else {
          this.fragmentOpcode = f.opcode;
          this.fragment(f);
        }
    }
  }

  private fragment(f: Frame): void {
    this.fragmentSize += f.payload.length;
    if (this.fragmentSize > this.maxMessage) throw new ProtocolError(CloseCode.tooBig, 'message too large');
    this.fragments.push(f.payload);
    if (!f.fin) return;
    const data = Buffer.concat(this.fragments);
    const opcode = this.fragmentOpcode;
    this.fragments = [];
    this.fragmentSize = 0;
    this.fragmentOpcode = 0;
    this.message(opcode, data);
  }

  private message(opcode: number, data: Buffer): void {
    if (opcode === Opcode.text && !validUtf8(data))
      throw new ProtocolError(CloseCode.invalidPayload, 'text message is not UTF-8');
    if (!this.sentClose) this.onMessage(data, opcode === Opcode.binary);
  }

  private peerClosed(payload: Buffer): void {
    let info: CloseInfo = { code: 1005, reason: '' };
    if (payload.length === 1) throw new ProtocolError(CloseCode.protocolError, 'close frame of one byte');
    if (payload.length >= 2) {
      const code = payload.readUInt16BE(0);
      const reason = payload.subarray(2);
      if (!validCloseCode(code)) throw new ProtocolError(CloseCode.protocolError, `close code ${code}`);
      if (!validUtf8(reason)) throw new ProtocolError(CloseCode.invalidPayload, 'close reason is not UTF-8');
      info = { code, reason: reason.toString() };
    }
    this.gotClose = info;
    this.onClose(info);
    // Echo the code (RFC 6455 §5.5.1), then the server closes TCP first (§7.1.1).
    this.close(info.code === 1005 ? CloseCode.normal : info.code);
  }
}

/** The protocols a client offers, in its order of preference. */
export function offeredProtocols(req: http.IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  if (!raw) return [];
  return (Array.isArray(raw) ? raw.join(',') : raw)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function isWebSocketRequest(req: http.IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/**
 * The first protocol the client offers that the server speaks ('' when the client offered none and
 * '' is acceptable), as Kubernetes' wsstream chooses; undefined when there is none.
 */
export function chooseProtocol(offered: string[], supported: readonly string[]): string | undefined {
  if (offered.length === 0) return supported.includes('') ? '' : undefined;
  return offered.find((p) => p !== '' && supported.includes(p));
}

/**
 * Checks a request as an RFC 6455 opening handshake and picks its subprotocol; throws the ApiError to
 * answer instead (400, or 426 for another WebSocket version) so that the upgrade fails as a response.
 */
export function checkHandshake(req: http.IncomingMessage, supported: readonly string[]): string {
  if (!isWebSocketRequest(req)) throw badRequest('Upgrade request required');
  if (req.method !== 'GET') throw badRequest('a WebSocket upgrade must be a GET');
  if (!/\bupgrade\b/i.test(req.headers.connection ?? ''))
    throw badRequest('Connection: Upgrade is required for a WebSocket upgrade');
  if (req.headers['sec-websocket-version'] !== '13')
    throw new ApiError(426, 'BadRequest', 'unsupported WebSocket version: only 13 is spoken');
  const key = req.headers['sec-websocket-key'] ?? '';
  if (Buffer.from(key, 'base64').length !== 16)
    throw badRequest('Sec-WebSocket-Key is not 16 bytes in base64');
  const offered = offeredProtocols(req);
  const protocol = chooseProtocol(offered, supported);
  if (protocol === undefined)
    throw badRequest(
      `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.filter(Boolean).join(' ')}]`,
    );
  return protocol;
}

/** Answers the handshake with 101 and returns the connection. */
export function acceptWebSocket(
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
  opts?: WebSocketOptions,
): WebSocketConnection {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}`,
  ];
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return new WebSocketConnection(socket, protocol, head, opts);
}
