// Web mode: the contract over HTTP + WebSocket on 127.0.0.1, guarded by a random token and an Origin
// check. `createWebApp` builds the server; `listen` is separate so tests can pick the port.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import { type ServerMessage, transferUrlPrefix } from '../contract/index.ts';
import type { Transfers } from '../main/files/transfers.ts';
import type { Handlers } from '../main/ipc/handlers.ts';
import { ContractSession } from './session.ts';

export const tokenCookie = 'berth_token';
export const tokenHeader = 'x-berth-token';

export interface WebAppOptions {
  handlers: Handlers;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  token?: string;
}

export interface WebApp {
  server: http.Server;
  token: string;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const tokenPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth: open with its token</title>
<meta name="color-scheme" content="dark light">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:560px;margin:12vh auto;padding:0 20px}
input{font:inherit;padding:4px 8px;width:100%;box-sizing:border-box;margin:6px 0 10px}
code{font-size:13px}</style></head>
<body><main><h1>Berth needs its token</h1>
<p>This address serves Berth only with the token that <code>npm start</code> printed with it:
<code>http://127.0.0.1:PORT/?token=…</code>. Open that URL, or paste the token (what follows
<code>token=</code>) here.</p>
<form method="get" action="/"><label>Token<input name="token" autocomplete="off" required autofocus></label>
<button type="submit">Open Berth</button></form></main></body></html>
`;

function sameToken(a: string | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** `attachment` with the name as is for browsers that read filename*, and an ASCII stand-in for others. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A download offered by an action (see main/files/transfers.ts), streamed to the browser once. */
async function sendDownload(
  transfers: Transfers | undefined,
  id: string,
  res: http.ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const t = transfers?.take(id);
  if (!t) {
    res
      .writeHead(404, { ...headers, 'content-type': 'text/plain' })
      .end('no such download: it finished or expired\n');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': t.contentType,
    'content-disposition': contentDisposition(t.ticket.name),
    ...(t.ticket.size === undefined ? {} : { 'content-length': String(t.ticket.size) }),
  });
  try {
    await pipeline(t.body, t.counter, res);
    t.finished();
  } catch (err) {
    t.failed(err);
    res.destroy();
  }
}

export function createWebApp(opts: WebAppOptions): WebApp {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticDir = path.resolve(opts.staticDir);

  /** Host and Origin must name this server on loopback: no other site and no DNS rebinding. */
  const sameSite = (req: http.IncomingMessage): boolean => {
    const port = (server.address() as AddressInfo | null)?.port;
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!hosts.includes(req.headers.host ?? '')) return false;
    const origin = req.headers.origin;
    return origin === undefined || hosts.map((h) => `http://${h}`).includes(origin);
  };
  /** The token in the query, else the header, else the cookie (an empty `?token=` is no token). */
  const hasToken = (req: http.IncomingMessage): boolean => {
    const url = new URL(req.url ?? '/', 'http://x');
    const given =
      url.searchParams.get('token') || req.headers[tokenHeader]?.toString() || cookie(req, tokenCookie);
    return sameToken(given, token);
  };
  const allowed = (req: http.IncomingMessage) => sameSite(req) && hasToken(req);

  const deny = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A browser on this server without the token (or with an old one) is asked for it.
    if (sameSite(req) && req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '')) {
      res
        .writeHead(403, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
          'cache-control': 'no-store',
        })
        .end(tokenPage);
      return;
    }
    res
      .writeHead(403, { 'content-type': 'text/plain' })
      .end('forbidden: open the URL printed by `npm start`\n');
  };

  const server = http.createServer(async (req, res) => {
    if (!allowed(req)) return deny(req, res);
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'set-cookie': `${tokenCookie}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    if (url.pathname.startsWith(transferUrlPrefix) && req.method === 'GET') {
      return sendDownload(
        opts.handlers.transfers,
        url.pathname.slice(transferUrlPrefix.length),
        res,
        headers,
      );
    }
    let file = path.join(
      staticDir,
      path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''),
    );
    if (!file.startsWith(staticDir)) return deny(req, res);
    try {
      if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'index.html');
    } catch {
      file = path.join(staticDir, 'index.html'); // client-side routes
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, {
        ...headers,
        'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res
        .writeHead(404, { ...headers, 'content-type': 'text/plain' })
        .end('the renderer is not built: run `npm start`\n');
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (!allowed(req) || new URL(req.url ?? '/', 'http://x').pathname !== '/ws') {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ContractSession(opts.handlers, (msg: ServerMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
      });
      ws.on('message', (data) => void session.receive(data.toString()));
      ws.on('close', () => session.close());
    });
  });

  return {
    server,
    token,
    listen(port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          const { port: p } = server.address() as AddressInfo;
          resolve(`http://127.0.0.1:${p}/?token=${token}`);
        });
      });
    },
    close() {
      for (const c of wss.clients) c.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
