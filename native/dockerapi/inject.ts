import type { IncomingHttpHeaders } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { silentLogger } from '../core/log.ts';
import { ApiRequest, type RequestLike, type ResponseLike } from './http.ts';
import type { Router } from './router.ts';
import { dispatcher } from './server.ts';

export interface InjectRequest {
  method?: string;
  /** Path and query, e.g. `/v1.47/containers/json?all=1`. */
  url: string;
  headers?: Record<string, string>;
  /** Bytes or text as is; anything else is sent as JSON. */
  body?: Buffer | string | Readable | object;
}

export interface InjectResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** A response that records what a route writes instead of sending it. */
class RecordedResponse extends Writable implements ResponseLike {
  status = 0;
  headers: Record<string, string> = {};
  readonly chunks: Buffer[] = [];

  writeHead(status: number, headers: Record<string, string | number>): this {
    this.status = status;
    for (const [k, v] of Object.entries(headers)) this.headers[k.toLowerCase()] = String(v);
    return this;
  }

  flushHeaders(): void {}

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
}

function requestOf(r: InjectRequest): RequestLike {
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: Readable;
  if (r.body instanceof Readable) body = r.body;
  else {
    const bytes =
      r.body === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(r.body) || typeof r.body === 'string'
          ? Buffer.from(r.body)
          : Buffer.from(JSON.stringify(r.body));
    if (r.body !== undefined && !Buffer.isBuffer(r.body) && typeof r.body !== 'string')
      headers['content-type'] ??= 'application/json';
    headers['content-length'] ??= String(bytes.length);
    body = Readable.from(bytes.length ? [bytes] : []);
  }
  return Object.assign(body, { method: r.method ?? 'GET', url: r.url, headers });
}

/**
 * Sends a request through the router without a socket, as Fastify's `inject` does, and resolves
 * with the whole response once the route has finished it. For routes that stream until the client
 * goes away (events, stats with stream=1), it would wait forever: ask them for one answer.
 */
export async function inject(router: Router, r: InjectRequest): Promise<InjectResponse> {
  const res = new RecordedResponse();
  const finished = new Promise<void>((resolve) => res.on('close', () => resolve()));
  await dispatcher(router, silentLogger)(new ApiRequest(requestOf(r), res, undefined, undefined));
  if (!res.writableFinished && !res.destroyed) await finished;
  const body = Buffer.concat(res.chunks);
  return {
    status: res.status,
    headers: res.headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}
