// For tests: the API server app over plain HTTP on 127.0.0.1 (an ephemeral port), with a bearer
// token as its authenticator, a manual clock and berthd's default store, SQLite, in a directory of
// its own. BERTH_KUBE_STORE=memory|etcd runs the same tests on another backend (etcd: a private
// etcd-server per test server).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../core/log.ts';
import { ManualClock } from '../../core/manual-clock.ts';
import { startEtcd } from '../store/etcd-process.ts';
import { openStore, type StoreKind, storeKinds } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createKubeApi } from './app.ts';
import { tokenAuthenticator, type UserInfo } from './authn.ts';
import { ensureCerts } from './certs.ts';
import { bootstrap } from './main.ts';
import type { Registry } from './registry.ts';
import { defaultRegistry } from './resources/index.ts';
import type { ServiceRanges } from './service-alloc.ts';

export const testToken = 'test-token';

export interface TestServer {
  url: string;
  /** With `tls`: the CA that signed the server's certificate (kubectl sends a token only over TLS). */
  caCert?: string;
  store: Store;
  clock: ManualClock;
  /** A request with the test token; the body is JSON unless a Buffer or string. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
    json: () => Record<string, unknown>;
  }>;
  /** Opens a watch and collects its events. */
  watch(path: string): Promise<WatchStream>;
  close(): Promise<void>;
}

export interface WatchStream {
  status: number;
  events: { type: string; object: Record<string, unknown> }[];
  /** Resolves when `n` events have arrived (or rejects after a timeout). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

export async function startTestServer(
  opts: {
    bookmarkIntervalMs?: number;
    configure?: (registry: Registry) => void;
    serviceRanges?: ServiceRanges;
    /** HTTPS with a certificate from a CA of its own (the bearer token still authenticates). */
    tls?: boolean;
    /**
     * More users, by bearer token (send `authorization: Bearer <token>` in a request's headers); the
     * test token's user is in system:masters, so RBAC allows it everything.
     */
    users?: Record<string, UserInfo>;
  } = {},
): Promise<TestServer> {
  const { store, cleanup } = await openTestStore();
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const registry = defaultRegistry();
  opts.configure?.(registry);
  await bootstrap({ store, registry, clock, log: silentLogger }, registry, opts.serviceRanges);
  const handler = createKubeApi({
    store,
    registry,
    clock,
    log: silentLogger,
    authenticate: tokenAuthenticator(
      new Map([
        [testToken, { name: 'tester', groups: ['system:masters'] }],
        ...Object.entries(opts.users ?? {}),
      ]),
    ),
    serverAddress: '127.0.0.1:6443',
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    serviceRanges: opts.serviceRanges,
  });
  const certDir = opts.tls ? mkdtempSync(path.join(os.tmpdir(), 'berth-kube-certs-')) : undefined;
  const certs = certDir ? await ensureCerts(certDir) : undefined;
  const server = certs
    ? https.createServer({ key: certs.serverKey, cert: certs.serverCert }, handler)
    : http.createServer(handler);
  server.on('upgrade', handler.upgrade);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `${certs ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { authorization: `Bearer ${testToken}` };
  const client = {
    request: (target: string, options: https.RequestOptions, cb: (res: http.IncomingMessage) => void) =>
      certs ? https.request(target, { ...options, ca: certs.caCert }, cb) : http.request(target, options, cb),
  };
  const request: TestServer['request'] = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const data =
        body === undefined
          ? undefined
          : Buffer.isBuffer(body) || typeof body === 'string'
            ? body
            : JSON.stringify(body);
      const req = client.request(
        `${url}${path}`,
        {
          method,
          headers: {
            ...auth,
            ...(data !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: () => JSON.parse(text),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  const watch = (path: string): Promise<WatchStream> =>
    new Promise((resolve, reject) => {
      const req = client.request(`${url}${path}`, { headers: auth }, (res) => {
        const events: WatchStream['events'] = [];
        const waiters: { n: number; resolve: () => void }[] = [];
        let buffered = '';
        let endResolve: () => void = () => undefined;
        const ended = new Promise<void>((r) => {
          endResolve = r;
        });
        res.on('data', (c: Buffer) => {
          buffered += c.toString();
          let nl = buffered.indexOf('\n');
          while (nl >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) events.push(JSON.parse(line));
            nl = buffered.indexOf('\n');
          }
          for (const w of waiters.filter((x) => events.length >= x.n)) w.resolve();
        });
        res.on('end', () => {
          if (buffered.trim() && res.statusCode !== 200) events.push(JSON.parse(buffered));
          endResolve();
        });
        res.on('error', () => endResolve());
        resolve({
          status: res.statusCode ?? 0,
          events,
          ended,
          waitFor(n, timeoutMs = 3000) {
            if (events.length >= n) return Promise.resolve();
            return new Promise((ok, fail) => {
              const t = setTimeout(
                () => fail(new Error(`got ${events.length} of ${n} events: ${JSON.stringify(events)}`)),
                timeoutMs,
              );
              waiters.push({
                n,
                resolve: () => {
                  clearTimeout(t);
                  ok();
                },
              });
            });
          },
          close: () => req.destroy(),
        });
      });
      req.on('error', (err) => {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
      });
      req.end();
    });
  return {
    url,
    caCert: certs?.caCert,
    store,
    clock,
    request,
    watch,
    async close() {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await cleanup();
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** The store of BERTH_KUBE_STORE (default sqlite), new and empty. */
export async function openTestStore(): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const kind = (process.env.BERTH_KUBE_STORE || 'sqlite') as StoreKind;
  if (!storeKinds.includes(kind)) throw new Error(`BERTH_KUBE_STORE: not one of ${storeKinds.join(', ')}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-kube-store-'));
  const etcd = kind === 'etcd' ? await startEtcd() : undefined;
  const store = openStore({ kind, etcdEndpoint: etcd?.endpoint }, dir);
  return {
    store,
    async cleanup() {
      await store.close();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
