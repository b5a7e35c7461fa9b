import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/**
 * HTTP for the registry client, on node:http and node:https rather than the global fetch: fetch is
 * undici, which Node loads on first use (about 7 MB and a few hundred milliseconds of compiling on a
 * busy machine, paid by a daemon's first pull), and whose web-stream bodies cost more per chunk than
 * a socket's own buffers. Connections are kept alive between the manifest, config and blob requests of
 * a pull, as Go's transport does for dockerd.
 */

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** No byte sent or received for this long (connecting, waiting for headers, reading the body) fails it. */
  idleTimeoutMs: number;
  /** Redirects followed at most (fetch's limit). */
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  headers: { get(name: string): string | null };
  /** The body as it arrives: Buffers, each a whole ArrayBuffer of its own. */
  body: AsyncIterable<Buffer>;
  buffer(): Promise<Buffer>;
  text(): Promise<string>;
  /** Reads and drops the body, so that the connection goes back to the pool. */
  drain(): Promise<void>;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000 }),
};

function wrap(res: IncomingMessage, url: string): HttpResponse {
  let consumed = false;
  const take = () => {
    if (consumed) throw new TypeError('body already read');
    consumed = true;
    return res;
  };
  const buffer = async () => {
    const chunks: Buffer[] = [];
    for await (const c of take()) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    status: res.statusCode ?? 0,
    url,
    headers: {
      get(name) {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    get body() {
      return take() as AsyncIterable<Buffer>;
    },
    buffer,
    text: async () => (await buffer()).toString('utf8'),
    drain: async () => {
      if (consumed) return;
      consumed = true;
      // The socket goes back to the pool at the body's end, once it has been read.
      if (!res.readableEnded && !res.destroyed)
        await new Promise<void>((r) => res.once('end', r).once('close', r).resume());
    },
  };
}

function once(url: URL, opts: HttpOptions): Promise<IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!mod) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'User-Agent': 'berth', ...opts.headers };
    if (opts.body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['Content-Length'] = String(opts.body.length);
    const req = mod.request(url, {
      method: opts.method ?? 'GET',
      headers,
      agent: agents[url.protocol as 'http:' | 'https:'],
    });
    req.setTimeout(opts.idleTimeoutMs, () =>
      req.destroy(new Error(`no answer for ${opts.idleTimeoutMs / 1000} s (timeout)`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      // A stall while the body is read ends the body with this error.
      res.on('error', () => undefined);
      resolve(res);
    });
    req.end(opts.body);
  });
}

/**
 * One request, following redirects as fetch does: 303 (and 301/302 after a POST) become a GET
 * without a body, and the Authorization header is not sent to another origin (a registry's blob
 * redirect to object storage carries its own signature, which a second credential would break).
 */
export async function httpRequest(target: string | URL, opts: HttpOptions): Promise<HttpResponse> {
  let url = new URL(target);
  let current = { ...opts, headers: { ...(opts.headers ?? {}) } };
  for (let hops = 0; ; hops++) {
    const res = await once(url, current);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(status) || !location) return wrap(res, url.toString());
    res.resume();
    if (hops >= (opts.maxRedirects ?? 20)) throw new Error('redirect count exceeded');
    const next = new URL(location, url);
    const method = (current.method ?? 'GET').toUpperCase();
    if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
      const headers = Object.fromEntries(
        Object.entries(current.headers).filter(
          ([h]) => !/^content-(type|length|encoding|language|location)$/i.test(h),
        ),
      );
      current = { ...current, method: 'GET', body: undefined, headers };
    }
    if (next.origin !== url.origin)
      current = {
        ...current,
        headers: Object.fromEntries(
          Object.entries(current.headers).filter(([h]) => !/^(authorization|cookie)$/i.test(h)),
        ),
      };
    url = next;
  }
}
