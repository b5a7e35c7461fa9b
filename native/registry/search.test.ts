import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { searchImages } from './search.ts';

const cfg = { insecureRegistries: [], mirrors: [] };

test('search says which index it could not reach', async () => {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  await assert.rejects(
    searchImages(`127.0.0.1:${port}/busybox`, undefined, cfg),
    (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'unavailable');
      assert.match(
        err.message,
        new RegExp(`Error searching 127\\.0\\.0\\.1:${port}: cannot reach http://127\\.0\\.0\\.1:${port}`),
      );
      return true;
    },
  );
});

test('search asks the v1 API and limits the results', async () => {
  let asked = '';
  const srv = http.createServer((req, res) => {
    asked = req.url ?? '';
    if (!asked.startsWith('/v1/search')) return void res.writeHead(404).end();
    const results = ['a', 'b', 'c'].map((n) => ({
      name: n,
      description: '',
      star_count: 1,
      is_official: false,
      is_automated: false,
    }));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    const found = await searchImages(`${host}/box`, 2, cfg);
    assert.deepEqual(
      found.map((f) => f.name),
      ['a', 'b'],
    );
    assert.equal(asked, '/v1/search?q=box&n=2');
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
