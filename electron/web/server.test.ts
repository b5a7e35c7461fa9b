// Web mode's guard: token (query, header or cookie), Host and Origin; and the contract over WebSocket.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { testDir } from '../../native/core/test-dir.ts';
import type { ServerMessage } from '../contract/index.ts';
import { createEngineClient, createHandlers, dispatchInvoke, type Handlers } from '../main/index.ts';
import { contentDisposition, createWebApp, type WebApp } from './server.ts';

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('web mode server', () => {
  let app: WebApp;
  let url: URL;
  let handlers: Handlers;
  before(async () => {
    const dir = testDir('berth-web-');
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
    // No engine behind it: the guard is what is under test, and the contract must still answer.
    handlers = createHandlers(createEngineClient('unix:///tmp/berth-no-engine.sock'));
    app = createWebApp({ handlers, staticDir: dir });
    url = new URL(await app.listen());
  });
  after(() => app.close());

  const base = () => `http://127.0.0.1:${url.port}`;

  test('listen returns the URL with the token', () => {
    assert.match(url.href, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  test('no token, a wrong token, a foreign Origin or Host: 403', async () => {
    assert.equal((await get(`${base()}/`)).status, 403);
    assert.equal((await get(`${base()}/?token=wrong`)).status, 403);
    assert.equal((await get(url.href, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(url.href, { host: 'evil.example' })).status, 403);
  });

  test('the token in query, header or cookie is accepted; the page has a strict CSP', async () => {
    const q = await get(url.href);
    assert.equal(q.status, 200);
    assert.match(q.body, /Berth/);
    assert.match(String(q.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(q.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await get(`${base()}/`, { 'x-berth-token': app.token })).status, 200);
    assert.equal((await get(`${base()}/`, { cookie: `berth_token=${app.token}` })).status, 200);
    assert.equal((await get(url.href, { origin: base() })).status, 200);
  });

  test('a download offered by an action: once, with the token, named; transfers.wait tells it ended', async () => {
    const transfers = handlers.transfers;
    assert.ok(transfers);
    const ticket = transfers.download({
      name: 'data ü.tar',
      size: 5,
      body: Readable.from([Buffer.from('hello')]),
    });
    const waited = dispatchInvoke(handlers, 'transfers.wait', { id: ticket.id });
    assert.equal((await get(`${base()}/transfers/${ticket.id}`)).status, 403, 'not without the token');
    const r = await get(`${base()}/transfers/${ticket.id}`, { cookie: `berth_token=${app.token}` });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'hello');
    assert.equal(r.headers['content-length'], '5');
    assert.equal(r.headers['content-disposition'], contentDisposition('data ü.tar'));
    assert.deepEqual(await waited, { ok: true, value: { bytes: 5 } });
    const twice = await get(`${base()}/transfers/${ticket.id}`, { cookie: `berth_token=${app.token}` });
    assert.equal(twice.status, 404, 'a download is taken once');
    assert.equal(
      contentDisposition('data ü "x".tar'),
      `attachment; filename="data _ _x_.tar"; filename*=UTF-8''data%20%C3%BC%20%22x%22.tar`,
    );
  });

  test('WebSocket: refused without the token or from another Origin', async () => {
    const refused = (u: string, origin?: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(u, { origin });
        ws.on('open', () => {
          ws.close();
          resolve(false);
        });
        ws.on('error', () => resolve(true));
      });
    assert.ok(await refused(`ws://127.0.0.1:${url.port}/ws`));
    assert.ok(await refused(`ws://127.0.0.1:${url.port}/ws?token=${app.token}`, 'http://evil.example'));
  });

  test('a browser with the cookie alone gets the page and its WebSocket; one without it is asked for the token', async () => {
    const withCookie = { cookie: `berth_token=${app.token}`, origin: base() };
    const opens = (u: string, headers: Record<string, string>) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(u, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(true);
        });
        ws.on('error', () => resolve(false));
      });
    assert.ok(await opens(`ws://127.0.0.1:${url.port}/ws`, withCookie), 'cookie, no token in the URL');
    assert.ok(await opens(`ws://127.0.0.1:${url.port}/ws?token=`, withCookie), 'cookie, an empty token');
    assert.equal(await opens(`ws://127.0.0.1:${url.port}/ws?token=wrong`, withCookie), false);
    assert.equal(
      await opens(`ws://127.0.0.1:${url.port}/ws`, { cookie: 'berth_token=old', origin: base() }),
      false,
    );
    const html = { accept: 'text/html,application/xhtml+xml' };
    const page = await get(`${base()}/`, html);
    assert.equal(page.status, 403);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /<form method="get" action="\/">/);
    assert.match(page.body, /<input name="token"/);
    assert.equal(page.headers['set-cookie'], undefined);
    assert.equal((await get(`${base()}/`, { ...html, cookie: 'berth_token=old' })).status, 403);
    assert.equal((await get(`${base()}/`, { ...html, host: 'evil.example' })).body.includes('<form'), false);
  });

  test('WebSocket: invoke answers with a typed result (engine unreachable here)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws?token=${app.token}`, { origin: base() });
    await new Promise((r) => ws.on('open', r));
    const reply = new Promise<ServerMessage>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ op: 'invoke', id: 7, channel: 'engine.info', req: null }));
    const msg = await reply;
    assert.equal(msg.op, 'result');
    assert.equal(msg.id, 7);
    if (msg.op === 'result') {
      assert.equal(msg.result.ok, false);
      if (!msg.result.ok) assert.equal(msg.result.error.kind, 'unreachable');
    }
    const unknown = new Promise<ServerMessage>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ op: 'invoke', id: 8, channel: 'fs.readFile', req: '/etc/passwd' }));
    const u = await unknown;
    assert.ok(u.op === 'result' && !u.result.ok && u.result.error.code === 'channel.unknown');
    ws.close();
  });
});
