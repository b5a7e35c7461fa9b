import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { httpRequest } from './http.ts';

interface Seen {
  server: 'a' | 'b';
  method: string;
  path: string;
  auth?: string;
  body: string;
  port: number;
}

const seen: Seen[] = [];
let a: http.Server;
let b: http.Server;
let baseA: string;
let baseB: string;

function serve(name: 'a' | 'b'): http.Server {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({
        server: name,
        method: req.method ?? '',
        path: req.url ?? '',
        auth: req.headers.authorization,
        body,
        port: req.socket.remotePort ?? 0,
      });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/to-b') res.writeHead(307, { Location: `${baseB}/blob` }).end();
      else if (url.pathname === '/see-other') res.writeHead(303, { Location: '/landing' }).end();
      else if (url.pathname === '/loop') res.writeHead(302, { Location: '/loop' }).end();
      else if (url.pathname === '/stall') {
        res.writeHead(200, { 'Content-Length': '10' });
        res.write('12345');
      } else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${name}:${url.pathname}`);
    });
  });
}

const listen = (s: http.Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

before(async () => {
  a = serve('a');
  b = serve('b');
  baseA = await listen(a);
  baseB = await listen(b);
});
after(async () => {
  for (const s of [a, b]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

test('a redirect to another origin is followed without the Authorization header', async () => {
  seen.length = 0;
  const res = await httpRequest(`${baseA}/to-b`, {
    headers: { Authorization: 'Bearer secret' },
    idleTimeoutMs: 5000,
  });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'b:/blob');
  assert.equal(res.url, `${baseB}/blob`);
  assert.deepEqual(
    seen.map((s) => [s.server, s.path, s.auth]),
    [
      ['a', '/to-b', 'Bearer secret'],
      ['b', '/blob', undefined],
    ],
  );
});

test('303 turns a POST into a GET without its body; same-origin redirects keep the credentials', async () => {
  seen.length = 0;
  const res = await httpRequest(`${baseA}/see-other`, {
    method: 'POST',
    headers: { Authorization: 'Basic x', 'Content-Type': 'text/plain' },
    body: Buffer.from('payload'),
    idleTimeoutMs: 5000,
  });
  assert.equal(await res.text(), 'a:/landing');
  assert.deepEqual(
    seen.map((s) => [s.method, s.path, s.body, s.auth]),
    [
      ['POST', '/see-other', 'payload', 'Basic x'],
      ['GET', '/landing', '', 'Basic x'],
    ],
  );
});

test('a redirect loop ends with an error', async () => {
  await assert.rejects(httpRequest(`${baseA}/loop`, { idleTimeoutMs: 5000 }), /redirect count exceeded/);
});

test('requests to one origin share a kept-alive connection', async () => {
  seen.length = 0;
  for (const p of ['/one', '/two', '/three']) {
    const res = await httpRequest(`${baseA}${p}`, { idleTimeoutMs: 5000 });
    await res.drain();
  }
  assert.equal(seen.length, 3);
  assert.equal(new Set(seen.map((s) => s.port)).size, 1);
});

test('a body that stalls fails after the idle timeout instead of hanging', async () => {
  const res = await httpRequest(`${baseA}/stall`, { idleTimeoutMs: 300 });
  assert.equal(res.status, 200);
  const t0 = Date.now();
  await assert.rejects(res.text());
  assert.ok(Date.now() - t0 < 5000);
});
