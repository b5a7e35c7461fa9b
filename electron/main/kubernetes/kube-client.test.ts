// The client and the shared live lists against a small API server of the test's (real HTTP and TLS on
// 127.0.0.1), and the problems each failure is said as.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeWatchEvent } from '../../contract/index.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from '../ipc/handlers.ts';
import { KubeContexts, memoryActiveContext } from './contexts.ts';
import { KubeApiError } from './kube-client.ts';
import { Kubernetes, kubernetesHandlers, kubernetesStreams } from './kubernetes.ts';
import { LiveLists } from './live-lists.ts';
import { kubeProblem } from './problems.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kube-client-'));
const watches = new Set<http.ServerResponse>();
let lists = 0;
let server: http.Server;
let tlsServer: https.Server;
let port = 0;
let tlsPort = 0;
let closedPort = 0;

const podJson = (name: string, rv: string, phase: string) => ({
  metadata: { uid: `u-${name}`, name, namespace: 'default', resourceVersion: rv },
  spec: { containers: [{ name: 'c' }] },
  status: { phase },
});

/** TLS handshakes the server made; `dropNext` drops the next request that comes on a used connection. */
let tlsConnections = 0;
let dropNext = false;
const served = new WeakMap<object, number>();

function api(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  served.set(req.socket, (served.get(req.socket) ?? 0) + 1);
  if (dropNext && (served.get(req.socket) ?? 0) > 1) {
    // As a server whose idle timeout closed the connection just as the request went out.
    dropNext = false;
    req.socket.destroy();
    return;
  }
  const auth = req.headers.authorization;
  const send = (code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (auth !== 'Bearer good' && auth !== 'Bearer jane') {
    return send(401, { kind: 'Status', code: 401, message: 'Unauthorized', reason: 'Unauthorized' });
  }
  if (auth === 'Bearer jane' && url.pathname === '/api/v1/pods') {
    return send(403, {
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message:
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope',
    });
  }
  if (url.pathname === '/api/v1/pods' && url.searchParams.get('watch') === 'true') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    watches.add(res);
    res.on('close', () => watches.delete(res));
    return;
  }
  if (url.pathname === '/api/v1/pods' || url.pathname === '/api/v1/namespaces') {
    lists++;
    return send(200, {
      kind: 'List',
      metadata: { resourceVersion: '10' },
      items: url.pathname.endsWith('pods') ? [podJson('a', '5', 'Pending')] : [],
    });
  }
  send(404, {
    kind: 'Status',
    code: 404,
    message: `the server could not find ${url.pathname}`,
    reason: 'NotFound',
  });
}

const listen = (s: http.Server | https.Server) =>
  new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

before(async () => {
  server = http.createServer(api);
  port = await listen(server);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  tlsServer = https.createServer(
    { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
    api,
  );
  tlsServer.on('secureConnection', () => tlsConnections++);
  tlsPort = await listen(tlsServer);
  const probe = http.createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
  writeFileSync(
    path.join(dir, 'config'),
    `apiVersion: v1
kind: Config
clusters:
- {name: local, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}
- {name: tls, cluster: {server: "https://127.0.0.1:${tlsPort}"}}
- {name: down, cluster: {server: "http://127.0.0.1:${closedPort}", insecure-skip-tls-verify: true}}
- {name: tls-trusted, cluster: {server: "https://127.0.0.1:${tlsPort}", certificate-authority: "${path.join(dir, 'cert.pem')}"}}
users:
- {name: admin, user: {token: good}}
- {name: jane, user: {token: jane}}
- {name: nobody, user: {token: bad}}
contexts:
- {name: local, context: {cluster: local, user: admin}}
- {name: jane, context: {cluster: local, user: jane}}
- {name: stranger, context: {cluster: local, user: nobody}}
- {name: tls, context: {cluster: tls, user: admin}}
- {name: down, context: {cluster: down, user: admin}}
- {name: tls-trusted, context: {cluster: tls-trusted, user: admin}}
current-context: local
`,
  );
});
after(async () => {
  for (const w of watches) w.destroy();
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => tlsServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const contexts = () =>
  new KubeContexts({ env: { KUBECONFIG: path.join(dir, 'config') }, active: memoryActiveContext() });

describe('problems, from real failures', () => {
  const listPods = async (context: string) => {
    const c = await contexts().client(context);
    return c.request('GET', '/api/v1/pods').then(
      () => assert.fail('listed'),
      (err: unknown) => err,
    );
  };

  test('403: forbidden, in the server own words', async () => {
    const err = await listPods('jane');
    assert.ok(err instanceof KubeApiError);
    assert.deepEqual(kubeProblem(err), {
      kind: 'forbidden',
      message:
        'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope',
    });
  });

  test('401: unauthorized', async () => {
    assert.deepEqual(kubeProblem(await listPods('stranger')), {
      kind: 'unauthorized',
      message: 'the cluster did not accept the credentials (401 Unauthorized): Unauthorized',
    });
  });

  test('a refused connection: unreachable; an untrusted certificate: certificate', async () => {
    const down = kubeProblem(await listPods('down'));
    assert.equal(down.kind, 'unreachable');
    assert.match(down.message, new RegExp(`ECONNREFUSED 127.0.0.1:${closedPort}`));
    const tls = kubeProblem(await listPods('tls'));
    assert.equal(tls.kind, 'certificate');
    assert.match(tls.message, /self[- ]signed certificate/);
  });

  test('handlers answer contract errors: a missing context is not_found, a 404 says what was missing', async () => {
    const h = {
      invoke: kubernetesHandlers(new Kubernetes({ env: { KUBECONFIG: path.join(dir, 'config') } })),
    };
    const missing = await dispatchInvoke(h as Handlers, 'kube.get', {
      context: 'nope',
      kind: 'pods',
      namespace: 'default',
      name: 'x',
    });
    assert.deepEqual(missing, {
      ok: false,
      error: {
        kind: 'not_found',
        code: 'kube.context_not_found',
        message: 'the kubeconfig has no context nope',
      },
    });
    const gone = await dispatchInvoke(h as Handlers, 'kube.get', {
      context: 'local',
      kind: 'pods',
      namespace: 'default',
      name: 'x',
    });
    assert.deepEqual(gone, {
      ok: false,
      error: {
        kind: 'not_found',
        code: 'kube.not_found',
        message: 'the server could not find /api/v1/namespaces/default/pods/x',
      },
    });
    const forbidden = await dispatchInvoke(h as Handlers, 'kube.delete', {
      context: 'down',
      kind: 'pods',
      namespace: 'default',
      names: ['a'],
    });
    assert.ok(forbidden.ok, 'delete answers per name');
    assert.match(forbidden.value.failed[0]?.message ?? '', /ECONNREFUSED/);
  });
});

describe('connections', () => {
  test('requests to one server share a kept-alive TLS connection; one the server dropped goes again', async () => {
    const before = tlsConnections;
    for (let i = 0; i < 3; i++) {
      // A client of its own each time, as each handler makes one.
      const c = await contexts().client('tls-trusted');
      assert.equal((await c.request<{ kind: string }>('GET', '/api/v1/namespaces')).kind, 'List');
    }
    assert.equal(tlsConnections - before, 1, 'one handshake for three requests');
    dropNext = true;
    const c = await contexts().client('tls-trusted');
    assert.equal((await c.request<{ kind: string }>('GET', '/api/v1/namespaces')).kind, 'List');
    assert.equal(dropNext, false, 'the server dropped one');
    assert.equal(tlsConnections - before, 2, 'the dropped request went again, on a new connection');
  });
});

describe('shared live lists', () => {
  test('two views of one list share one list and one watch; the watch closes when the last leaves', async () => {
    const ll = new LiveLists(contexts());
    const seen: KubeWatchEvent[][] = [[], []];
    const before = lists;
    const params = { context: 'local', kind: 'pods' as const, namespace: null };
    const off1 = await ll.subscribe(params, (e) => seen[0].push(e));
    const off2 = await ll.subscribe(params, (e) => seen[1].push(e));
    const deadline = Date.now() + 5000;
    while (watches.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lists - before, 1);
    assert.equal(watches.size, 1);
    assert.equal(ll.open, 1);
    const [w] = watches;
    w.write(`${JSON.stringify({ type: 'MODIFIED', object: podJson('a', '11', 'Running') })}\n`);
    w.write(`${JSON.stringify({ type: 'ADDED', object: podJson('b', '12', 'Pending') })}\n`);
    while (seen[1].filter((e) => e.type === 'changes').length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const s of seen) {
      const changes = s.filter((e) => e.type === 'changes');
      assert.equal(changes.length, 1, 'both changes in one event');
      assert.deepEqual(
        changes[0].type === 'changes' &&
          changes[0].upserts.map((r) => [r.name, r.kind === 'pods' && r.status]),
        [
          ['a', 'Running'],
          ['b', 'Pending'],
        ],
      );
    }
    off1();
    assert.equal(watches.size, 1, 'one view still open');
    off2();
    while (watches.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(watches.size, 0, 'the watch is closed');
    assert.equal(ll.open, 0);
  });

  test('kube.watch through the dispatcher: a forbidden list says so, another kind still lists', async () => {
    const k = new Kubernetes({ env: { KUBECONFIG: path.join(dir, 'config') } });
    const h = { invoke: kubernetesHandlers(k), streams: kubernetesStreams(k) } as unknown as Handlers;
    const got = (kind: 'pods' | 'namespaces') =>
      new Promise<KubeWatchEvent[]>((resolve) => {
        const events: KubeWatchEvent[] = [];
        const stop = dispatchStream(h, 'kube.watch', { context: 'jane', kind, namespace: null }, (m) => {
          if (m.type !== 'event') return;
          events.push(m.event);
          if (m.event.type === 'state' && (m.event.state === 'error' || m.event.state === 'live')) {
            stop();
            resolve(events);
          }
        });
      });
    const pods = await got('pods');
    assert.deepEqual(pods.at(-1), {
      type: 'state',
      state: 'error',
      problem: {
        kind: 'forbidden',
        message:
          'pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope',
      },
    });
    const ns = await got('namespaces');
    assert.deepEqual(
      ns.map((e) => (e.type === 'state' ? e.state : e.type)),
      ['syncing', 'snapshot', 'live'],
    );
    k.dispose();
  });
});
