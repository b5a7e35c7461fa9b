import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { EngineError, type ErrorKind, errorMessage, invalid } from '../core/errors.ts';
import type { StdioSession } from '../services/stdio.ts';
import { sendStdio, stdioContentType } from './streams.ts';

export const statusOf: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  internal: 500,
  'not-implemented': 501,
  unavailable: 503,
};

/** A bidirectional byte stream to the client: a hijacked socket, or a streaming response. */
export interface ClientStream {
  write(data: Buffer | string): boolean;
  end(): void;
  /** Bytes the client sends after the request (stdin of attach and exec). */
  input: NodeJS.ReadableStream | undefined;
  onClose(cb: () => void): void;
  readonly closed: boolean;
}

/**
 * What a route reads of a request: its line, its headers and its body as a byte stream. Node's
 * IncomingMessage is one; so is a plain object made by `inject` (routes are tested without a socket).
 */
export interface RequestLike extends Readable {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/** What a response is written to: Node's ServerResponse, or an injected one that records it. */
export interface ResponseLike extends Writable {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  flushHeaders(): void;
}

export class ApiRequest {
  readonly url: URL;
  params: Record<string, string> = {};
  private bodyBuf?: Promise<Buffer>;
  private responded = false;

  constructor(
    readonly raw: RequestLike,
    readonly res: ResponseLike | undefined,
    readonly socket: Duplex | undefined,
    private readonly head: Buffer | undefined,
  ) {
    this.url = new URL(raw.url ?? '/', 'http://docker');
  }

  get method(): string {
    return this.raw.method ?? 'GET';
  }

  /** A request header's (first) value. */
  header(name: string): string | undefined {
    const h = this.raw.headers[name.toLowerCase()];
    return Array.isArray(h) ? h[0] : h;
  }

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  get upgraded(): boolean {
    return this.socket !== undefined;
  }

  get isResponded(): boolean {
    return this.responded;
  }

  bool(name: string, dflt = false): boolean {
    const v = this.query.get(name);
    if (v === null) return dflt;
    return !(v === '' || v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'no');
  }

  int(name: string): number | undefined {
    const v = this.query.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw invalid(`invalid value for ${name}: ${v}`);
    return n;
  }

  /** The request body; for upgraded requests it is read from the socket by Content-Length. */
  body(): Promise<Buffer> {
    if (!this.bodyBuf) this.bodyBuf = this.upgraded ? this.readUpgradeBody() : readAll(this.raw);
    return this.bodyBuf;
  }

  private leftover: Buffer = Buffer.alloc(0);

  private readUpgradeBody(): Promise<Buffer> {
    const len = Number(this.raw.headers['content-length'] ?? 0);
    let buf: Buffer = this.head ?? Buffer.alloc(0);
    const sock = this.socket!;
    return new Promise((resolve) => {
      const done = () => {
        sock.off('data', onData);
        this.leftover = buf.subarray(len);
        if (this.leftover.length) sock.unshift(this.leftover);
        resolve(buf.subarray(0, len));
      };
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= len) {
          sock.pause();
          done();
        }
      };
      if (buf.length >= len) return done();
      sock.on('data', onData);
    });
  }

  async json<T = unknown>(): Promise<T | undefined> {
    const b = await this.body();
    if (b.length === 0) return undefined;
    try {
      return JSON.parse(b.toString('utf8')) as T;
    } catch (err) {
      throw invalid(`invalid JSON: ${errorMessage(err)}`);
    }
  }

  /** Sends a complete response. */
  send(status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (this.responded) return;
    this.responded = true;
    const isJson = body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
    const payload =
      body === undefined ? '' : isJson ? `${JSON.stringify(body)}\n` : (body as string | Buffer);
    const h: Record<string, string | number> = {
      'Content-Type': isJson ? 'application/json' : 'text/plain; charset=utf-8',
      'Api-Version': apiVersion,
      Server: serverHeader,
      ...headers,
    };
    if (status !== 204 && status !== 304) h['Content-Length'] = Buffer.byteLength(payload);
    if (this.res) {
      this.res.writeHead(status, h);
      this.res.end(status === 204 || status === 304 ? undefined : payload);
    } else if (this.socket) {
      let head = `HTTP/1.1 ${status} ${statusText(status)}\r\n`;
      for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
      this.socket.end(`${head}\r\n${status === 204 || status === 304 ? '' : payload}`);
    }
  }

  error(err: unknown): void {
    const kind: ErrorKind = err instanceof EngineError ? err.kind : 'internal';
    const status = statusOf[kind];
    this.send(status, status === 304 ? undefined : { message: errorMessage(err) });
  }

  /** Starts a streaming (chunked) response, e.g. logs, events, stats, load progress. */
  stream(contentType: string, status = 200, headers: Record<string, string> = {}): ClientStream {
    this.responded = true;
    if (this.res) {
      const res = this.res;
      res.writeHead(status, {
        'Content-Type': contentType,
        'Api-Version': apiVersion,
        Server: serverHeader,
        ...headers,
      });
      res.flushHeaders();
      return clientStream(res, undefined);
    }
    const sock = this.socket!;
    let extra = '';
    for (const [k, v] of Object.entries(headers)) extra += `${k}: ${v}\r\n`;
    sock.write(
      `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: ${contentType}\r\nApi-Version: ${apiVersion}\r\n${extra}Connection: close\r\n\r\n`,
    );
    return clientStream(sock, undefined);
  }

  /**
   * Takes over the connection for attach and exec: `101 UPGRADED` on an upgrade request, or a raw
   * streaming 200 response whose request body carries stdin otherwise.
   */
  hijack(contentType: string): ClientStream {
    this.responded = true;
    if (this.socket) {
      const sock = this.socket;
      sock.write(
        `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ${apiVersion}\r\n\r\n`,
      );
      // Input stays paused (and buffered by the kernel) until the attach is wired: the client may send
      // stdin, and half-close, before the container has even started.
      sock.pause();
      return clientStream(sock, sock);
    }
    const res = this.res!;
    res.writeHead(200, { 'Content-Type': contentType, 'Api-Version': apiVersion, Server: serverHeader });
    res.flushHeaders();
    return clientStream(res, this.raw);
  }

  /**
   * Connects a client to a service's stdio (attach, exec): the service is opened with the client's
   * input (paused until the service wires it) and may refuse with a plain error; then the connection
   * is taken over and the session's chunks go out as Docker streams them.
   */
  async attachStdio(open: (input: NodeJS.ReadableStream | undefined) => StdioSession): Promise<void> {
    this.socket?.pause();
    const session = open(this.socket ?? this.raw);
    await sendStdio(this.hijack(stdioContentType(session.tty)), session);
  }
}

/** A client stream over a hijacked socket or a response: both are writables that close once. */
function clientStream(
  out: {
    write(d: Buffer | string): boolean;
    end(): void;
    on(ev: 'close' | 'error', cb: () => void): unknown;
  },
  input: NodeJS.ReadableStream | undefined,
): ClientStream {
  let closed = false;
  const cbs: Array<() => void> = [];
  const fire = () => {
    if (closed) return;
    closed = true;
    for (const cb of cbs) cb();
  };
  out.on('close', fire);
  out.on('error', fire);
  return {
    write: (d) => (closed ? false : out.write(d)),
    end: () => {
      if (!closed) out.end();
    },
    input,
    onClose: (cb) => (closed ? cb() : cbs.push(cb)),
    get closed() {
      return closed;
    },
  };
}

export const apiVersion = '1.47';
export const minApiVersion = '1.24';
export const serverHeader = 'Berth (linux)';

function statusText(code: number): string {
  const t: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    204: 'No Content',
    304: 'Not Modified',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    500: 'Internal Server Error',
    501: 'Not Implemented',
    503: 'Service Unavailable',
  };
  return t[code] ?? 'Status';
}

export function readAll(stream: NodeJS.ReadableStream, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (d: Buffer) => {
      size += d.length;
      if (size > limit) {
        reject(invalid('request body too large'));
        return;
      }
      chunks.push(d);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
