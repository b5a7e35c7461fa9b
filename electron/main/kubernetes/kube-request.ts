// Plain requests to a context's API server with its credentials (client-node's applyToHTTPSOptions):
// for what the generated clients do not say well — a server-side apply whose Status body we need
// whole, discovery, and a log stream whose refusal must keep the server's message.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ErrorKind } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';

export interface KubeResponse {
  status: number;
  /** The parsed JSON body (a Status for most failures), or null when it was not JSON. */
  body: unknown;
  text: string;
}

export interface KubeStatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

export interface RequestSpec {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const certificateCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** A connection that failed before any answer, in the words a screen shows. */
export function connectionError(err: unknown, server: string): HandlerError {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (certificateCodes.test(code))
    return new HandlerError(
      'unreachable',
      'kube.certificate',
      `the certificate of ${server} is not trusted: ${e.message}`,
    );
  if (code === 'ECONNREFUSED')
    return new HandlerError('unreachable', 'kube.refused', `connection refused by ${server}`);
  return new HandlerError('unreachable', 'kube.unreachable', `cannot reach ${server}: ${e?.message ?? e}`);
}

function url(kc: KubeConfig, spec: RequestSpec): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new HandlerError('not_found', 'kube.no_cluster', 'the context names no cluster');
  const u = new URL(cluster.server.replace(/\/+$/, '') + spec.path);
  for (const [k, v] of Object.entries(spec.query ?? {}))
    if (v !== undefined) u.searchParams.set(k, String(v));
  return u;
}

/** Keep-alive agents by the TLS material they present, so that requests to one server share connections. */
const agents = new Map<string, https.Agent>();
const tlsKeys = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * The context's credentials on `opts` (client-node's applyToHTTPSOptions: certificates, tokens, exec
 * plugins) for a request to `url`; over HTTPS with a keep-alive agent shared by every request that
 * presents the same TLS material: client-node makes a new agent for each request, so each one paid a
 * TLS handshake of its own.
 */
async function applyCredentials(kc: KubeConfig, opts: https.RequestOptions, url: URL): Promise<void> {
  await kc.applyToHTTPSOptions(opts);
  if (url.protocol !== 'https:') return;
  const material = Object.fromEntries(tlsKeys.map((k) => [k, opts[k]]));
  const key = createHash('sha256').update(JSON.stringify(material)).digest('hex');
  let agent = agents.get(key);
  if (!agent) {
    // A few sets of credentials at most (a context's rotate through an exec plugin): the oldest goes.
    if (agents.size >= 16) {
      const [oldest, old] = agents.entries().next().value as [string, https.Agent];
      old.destroy();
      agents.delete(oldest);
    }
    agent = new https.Agent({ ...material, keepAlive: true });
    agents.set(key, agent);
  }
  opts.agent = agent;
}

/**
 * The request went out on a kept-alive connection that the server had closed meanwhile (its idle
 * timeout): the server saw none of it, and it is sent again on a new connection.
 */
class StaleSocket extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

const staleSocket = (req: http.ClientRequest, err: NodeJS.ErrnoException): boolean =>
  req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');

/** Runs `attempt` again while it fails on a stale kept-alive connection (a few times at most). */
async function retryStale<T>(attempt: () => Promise<T>, orElse: (err: Error) => Error): Promise<T> {
  for (let left = 3; ; left--) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      if (left === 0) throw orElse(err.original);
    }
  }
}

export interface SendSpec {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Fails when no response has begun within this time; its body then takes as long as it takes. */
  answerTimeoutMs?: number;
  /** Fails when the connection stays idle this long, the body's reading included. */
  idleTimeoutMs?: number;
  /** A connection that failed (not an abort) in the caller's words; else the socket's own error. */
  connectionError?: (err: Error) => Error;
}

/**
 * One request to `target` with the context's credentials, resolved as its response begins (the body not
 * read yet). A kept-alive connection that the server had closed is tried again on a new one.
 */
export async function sendRequest(
  kc: KubeConfig,
  target: URL,
  spec: SendSpec,
): Promise<http.IncomingMessage> {
  const opts: https.RequestOptions = { method: spec.method, headers: { ...spec.headers } };
  await applyCredentials(kc, opts, target);
  const lib = target.protocol === 'https:' ? https : http;
  const { answerTimeoutMs, idleTimeoutMs } = spec;
  const failed = (err: Error) =>
    spec.signal?.aborted || !spec.connectionError ? err : spec.connectionError(err);
  const attempt = () =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(target, { ...opts, signal: spec.signal }, (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      const timer =
        answerTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const err = new Error(`${target.origin} did not answer within ${answerTimeoutMs / 1000} s`);
              req.destroy(Object.assign(err, { code: 'ETIMEDOUT' }));
            }, answerTimeoutMs);
      if (idleTimeoutMs) req.setTimeout(idleTimeoutMs, () => req.destroy(new Error('timed out')));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(staleSocket(req, err) ? new StaleSocket(err) : failed(err));
      });
      req.end(spec.body);
    });
  return await retryStale(attempt, failed);
}

/** Starts a request and resolves with the response as it begins (the body not read yet). */
export async function openRequest(kc: KubeConfig, spec: RequestSpec): Promise<http.IncomingMessage> {
  const u = url(kc, spec);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
  return await sendRequest(kc, u, {
    method: spec.method ?? 'GET',
    headers,
    body: spec.body,
    signal: spec.signal,
    idleTimeoutMs: spec.timeoutMs,
    connectionError: (err) => connectionError(err, u.origin),
  });
}

export async function kubeRequest(kc: KubeConfig, spec: RequestSpec): Promise<KubeResponse> {
  const res = await openRequest(kc, { timeoutMs: 30_000, ...spec });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.statusCode ?? 0, body, text };
}

const kindByStatus: Record<number, ErrorKind> = {
  400: 'invalid_argument',
  401: 'forbidden',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'invalid_argument',
};

/** The server's own message for a failed response. */
export function statusMessage(r: KubeResponse): string {
  const s = r.body as KubeStatusBody | null;
  if (s && typeof s.message === 'string' && s.message) return s.message;
  return r.text.trim() || `the server answered ${r.status}`;
}

/** A failed response as the contract's error, the server's message kept. */
export function responseError(r: KubeResponse): HandlerError {
  return new HandlerError(kindByStatus[r.status] ?? 'internal', `kube.http_${r.status}`, statusMessage(r));
}

/** The JSON body of a successful response; a failure throws with the server's message. */
export async function kubeJson<T>(kc: KubeConfig, spec: RequestSpec): Promise<T> {
  const r = await kubeRequest(kc, spec);
  if (r.status < 200 || r.status >= 300) throw responseError(r);
  return r.body as T;
}
