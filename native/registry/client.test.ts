import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { RegistryClient } from './client.ts';

interface Seen {
  method: string;
  url: string;
  auth?: string;
  range?: string;
  body: number;
}

/** A fake registry on 127.0.0.1 that demands Bearer tokens and hands out relative upload Locations. */
let server: http.Server;
let base: string;
const seen: Seen[] = [];
const blobs = new Map<string, Buffer>();
const uploads = new Map<string, Buffer[]>();

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', base);
      seen.push({
        method: req.method ?? '',
        url: url.pathname + url.search,
        auth: req.headers.authorization,
        range: req.headers['content-range'] as string | undefined,
        body: body.length,
      });
      if (url.pathname === '/token') {
        const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
        if (req.headers.authorization !== basic) {
          res.writeHead(401).end('{"details":"bad creds"}');
          return;
        }
        const scopes = url.searchParams.getAll('scope').join(' ');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ token: `tok ${scopes}` }));
        return;
      }
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer tok')) {
        res.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="${base}/token",service="fake",scope="repository:x:pull"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      const m = /^\/v2\/(.+)\/blobs\/(uploads\/?(.*)|sha256:[0-9a-f]+)$/.exec(url.pathname);
      if (url.pathname === '/v2/') {
        res.writeHead(200).end('{}');
      } else if (m && !m[2].startsWith('uploads')) {
        const b = blobs.get(m[2]);
        res
          .writeHead(b ? 200 : 404, { 'Content-Length': String(b?.length ?? 0) })
          .end(req.method === 'HEAD' ? undefined : b);
      } else if (m && req.method === 'POST' && url.searchParams.get('mount')) {
        const ok = blobs.has(url.searchParams.get('mount') ?? '');
        if (ok) res.writeHead(201).end();
        else {
          uploads.set('m', []);
          res.writeHead(202, { Location: '/v2/x/blobs/uploads/m?_state=mount' }).end();
        }
      } else if (m && req.method === 'POST') {
        uploads.set('u1', []);
        res.writeHead(202, { Location: 'u1?_state=a%2Bb' }).end();
      } else if (m && req.method === 'PATCH') {
        assert.equal(url.searchParams.get('_state'), 'a+b');
        uploads.get(m[3])?.push(body);
        res.writeHead(202, { Location: `${base}/v2/x/blobs/uploads/${m[3]}?_state=a%2Bb` }).end();
      } else if (m && req.method === 'PUT') {
        const all = Buffer.concat([...(uploads.get(m[3]) ?? []), body]);
        const digest = `sha256:${createHash('sha256').update(all).digest('hex')}`;
        if (digest !== url.searchParams.get('digest') || url.searchParams.get('_state') !== 'a+b') {
          res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID","message":"digest invalid"}]}');
          return;
        }
        blobs.set(digest, all);
        res.writeHead(201, { Location: `/v2/x/blobs/${digest}` }).end();
      } else if (m && req.method === 'DELETE') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('bearer flow: challenge, token per scope with basic credentials, retry', async () => {
  seen.length = 0;
  const c = new RegistryClient(base, { username: 'u', password: 'p' });
  await c.ping();
  assert.equal(seen.filter((s) => s.url.startsWith('/token')).length, 1);
  assert.equal(await c.blobExists('x', `sha256:${'0'.repeat(64)}`), undefined);
  const tokenReq = seen.filter((s) => s.url.startsWith('/token')).pop();
  assert.match(tokenReq?.url ?? '', /service=fake&scope=repository%3Ax%3Apull%2Cpush/);
  assert.equal(seen[seen.length - 1].auth, 'Bearer tok repository:x:pull,push');
});

test('bearer flow: wrong credentials are an unauthorized error', async () => {
  const c = new RegistryClient(base, { username: 'u', password: 'bad' });
  await assert.rejects(c.ping(), (err: Error & { kind?: string }) => err.kind === 'unauthorized');
});

test('chunked upload: PATCH with Content-Range, following relative and absolute Locations, then PUT', async () => {
  seen.length = 0;
  const c = new RegistryClient(base, { username: 'u', password: 'p' });
  const data = Buffer.alloc(2500, 7);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const sent: number[] = [];
  await c.uploadBlob(
    'x',
    digest,
    data.length,
    async (o, l) => data.subarray(o, o + l),
    (n) => sent.push(n),
    1000,
  );
  const patches = seen.filter((s) => s.method === 'PATCH' && s.auth);
  assert.deepEqual(
    patches.map((p) => p.range),
    ['0-999', '1000-1999', '2000-2499'],
  );
  const put = seen.filter((s) => s.method === 'PUT' && s.auth).pop();
  assert.match(put?.url ?? '', /^\/v2\/x\/blobs\/uploads\/u1\?_state=a%2Bb&digest=sha256%3A/);
  assert.equal(put?.body, 0);
  assert.deepEqual(blobs.get(digest), data);
  assert.equal(sent[sent.length - 1], 2500);
  assert.equal(await c.blobExists('x', digest), 2500);
});

test('monolithic upload and cross-repository mount', async () => {
  const c = new RegistryClient(base, { username: 'u', password: 'p' });
  const data = Buffer.from('small blob');
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  seen.length = 0;
  await c.uploadBlob(
    'x',
    digest,
    data.length,
    async (o, l) => data.subarray(o, o + l),
    () => undefined,
  );
  assert.equal(seen.filter((s) => s.method === 'PATCH').length, 0);
  assert.equal(seen.filter((s) => s.method === 'PUT' && s.auth).pop()?.body, data.length);
  assert.equal(await c.mountBlob('x', digest, 'other/repo'), true);
  const mountReq = seen.filter((s) => s.method === 'POST' && s.auth).pop();
  assert.match(mountReq?.url ?? '', /\?mount=sha256%3A[0-9a-f]{64}&from=other%2Frepo$/);
  assert.equal(await c.mountBlob('x', `sha256:${'f'.repeat(64)}`, 'other/repo'), false);
  // The upload the registry started instead of mounting is cancelled.
  assert.equal(seen[seen.length - 1].method, 'DELETE');
});

test('registry errors carry their code and message', async () => {
  const c = new RegistryClient(base, { username: 'u', password: 'p' });
  await assert.rejects(c.getManifest('x', 'nope'), /manifest unknown: manifest unknown/);
});
