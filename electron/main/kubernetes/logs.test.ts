// The pod log stream against a small HTTP server that answers as the API server's log endpoint does.
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { LogBatch } from '../../contract/index.ts';
import { batchLines } from '../containers/log-lines.ts';
import { streamPodLog } from './logs.ts';

const seen: URL[] = [];
let follower: http.ServerResponse | null = null;
const server = http.createServer((req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  seen.push(u);
  if (u.pathname === '/api/v1/namespaces/default/pods/gone/log') {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', code: 404, message: 'pods "gone" not found', reason: 'NotFound' }),
    );
    return;
  }
  if (u.searchParams.get('previous') === 'true') {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        code: 400,
        message: 'previous terminated container "main" in pod "web" not found',
      }),
    );
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write('one\ntw');
  if (u.searchParams.get('follow') === 'true') {
    follower = res;
    res.write('o\n');
    return;
  }
  res.end('o\nthree');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [
    {
      name: 'c',
      server: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      skipTLSVerify: true,
    },
  ],
  users: [{ name: 'u', token: 't' }],
  contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
  currentContext: 'ctx',
});

const lines = (batches: LogBatch[]) => batches.flatMap((b) => batchLines(b).map((l) => l.text));

test('a log comes as batches of whole lines; the options become the endpoint’s query', async () => {
  const got: LogBatch[] = [];
  await streamPodLog(
    kc,
    {
      namespace: 'default',
      pod: 'web',
      container: 'main',
      follow: false,
      tail: 10,
      timestamps: true,
      sinceSeconds: 60,
    },
    (b) => got.push(b),
    new AbortController().signal,
  );
  assert.deepEqual(lines(got), ['one', 'two', 'three']);
  const q = seen.at(-1)!.searchParams;
  assert.deepEqual(
    [q.get('container'), q.get('follow'), q.get('tailLines'), q.get('timestamps'), q.get('sinceSeconds')],
    ['main', 'false', '10', 'true', '60'],
  );
  assert.equal(q.get('previous'), null);
});

test('a followed log goes on until the view stops it', async () => {
  const got: LogBatch[] = [];
  const ctl = new AbortController();
  const done = streamPodLog(
    kc,
    { namespace: 'default', pod: 'web', follow: true },
    (b) => got.push(b),
    ctl.signal,
  );
  for (let i = 0; i < 100 && lines(got).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(lines(got), ['one', 'two']);
  follower?.write('a new line\n');
  for (let i = 0; i < 100 && lines(got).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(lines(got), ['one', 'two', 'a new line']);
  ctl.abort();
  await done;
  follower?.end();
});

test("a refusal keeps the server's words: no pod, no previous container", async () => {
  const signal = new AbortController().signal;
  await assert.rejects(
    streamPodLog(kc, { namespace: 'default', pod: 'gone', follow: false }, () => {}, signal),
    (e: Error & { kind?: string }) => e.kind === 'not_found' && e.message === 'pods "gone" not found',
  );
  await assert.rejects(
    streamPodLog(kc, { namespace: 'default', pod: 'web', follow: false, previous: true }, () => {}, signal),
    /previous terminated container "main" in pod "web" not found/,
  );
  await assert.rejects(
    streamPodLog(kc, { namespace: 'default', pod: 'web', follow: false, tail: -1 }, () => {}, signal),
    /tail must be a whole number/,
  );
});
