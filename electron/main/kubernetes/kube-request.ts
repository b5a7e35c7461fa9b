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
export async function applyCredentials(kc: KubeConfig, opts: https.RequestOptions, url: URL): Promise<void> {
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
export class StaleSocket extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

export const staleSocket = (req: http.ClientRequest, err: NodeJS.ErrnoException): boolean =>
  req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');

/** Runs `attempt` again while it fails on a stale kept-alive connection (a few times at most). */
export async function retryStale<T>(attempt: () => Promise<T>, orElse: (err: Error) => Error): Promise<T> {
  for (let left = 3; ; left--) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      if (left === 0) throw orElse(err.original);
    }
  }
}

/** Starts a request and resolves with the response as it begins (the body not read yet). */
export async function openRequest(kc: KubeConfig, spec: RequestSpec): Promise<http.IncomingMessage> {
  const u = url(kc, spec);
  const opts: https.RequestOptions = {
    method: spec.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(spec.body !== undefined ? { 'Content-Type': spec.contentType ?? 'application/json' } : {}),
    },
  };
  const lib = u.protocol === 'http:' ? http : https;
  await applyCredentials(kc, opts, u);
  const attempt = () =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(u, opts, resolve);
      req.on('error', (err) =>
        reject(
          spec.signal?.aborted
            ? err
            : staleSocket(req, err)
              ? new StaleSocket(err)
              : connectionError(err, u.origin),
        ),
      );
      if (spec.timeoutMs) req.setTimeout(spec.timeoutMs, () => req.destroy(new Error('timed out')));
      if (spec.signal) {
        if (spec.signal.aborted) req.destroy();
        else spec.signal.addEventListener('abort', () => req.destroy(), { once: true });
      }
      req.end(spec.body);
    });
  return await retryStale(attempt, (err) => connectionError(err, u.origin));
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
