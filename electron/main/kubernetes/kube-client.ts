// One context's API server, spoken to as kubectl does: the kubeconfig's credentials (client
// certificates, tokens, exec plugins: client-node's KubeConfig applies them), JSON requests, and watches
// read line by line. Lists and watches use the raw JSON (no model classes): rows are mapped straight from
// it, and a 1,000-pod list is not deserialised twice.
import http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { sendRequest } from './kube-request.ts';

/** The `Status` object the API server answers errors with. */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { field?: string; message?: string; reason?: string }[];
  };
}

/** The server answered with an error status; `message` is the server's own words when it gave some. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly status?: KubeStatus,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** For PATCH: `application/merge-patch+json`, `application/strategic-merge-patch+json`… */
  contentType?: string;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/** How long a request (or a watch, until its response starts) may take to answer. */
const answerTimeoutMs = 30_000;

export class KubeClient {
  constructor(
    readonly context: string,
    private readonly config: KubeConfig,
  ) {}

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const res = await this.send(method, path, opts.query, headers, body, opts.signal);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw apiError(res.statusCode ?? 500, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Watches `path` from `resourceVersion`: resolves when the server ends the stream, rejects when it
   * cannot start or breaks (a 410 Gone inside the stream is a KubeApiError 410).
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.send(
      'GET',
      path,
      { ...query, watch: 'true', allowWatchBookmarks: 'true' },
      { Accept: 'application/json' },
      undefined,
      signal,
    );
    if ((res.statusCode ?? 500) >= 400) throw apiError(res.statusCode ?? 500, await readAll(res));
    await new Promise<void>((resolve, reject) => {
      let rest = '';
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        res.destroy();
        reject(err);
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let nl = rest.indexOf('\n');
        while (nl >= 0 && !failed) {
          const line = rest.slice(0, nl).trim();
          rest = rest.slice(nl + 1);
          nl = rest.indexOf('\n');
          if (!line) continue;
          let e: WatchEvent;
          try {
            e = JSON.parse(line) as WatchEvent;
          } catch {
            continue;
          }
          if (e.type === 'ERROR') {
            const st = e.object as KubeStatus;
            fail(new KubeApiError(st.code ?? 500, st.message ?? 'the watch failed', st));
            return;
          }
          onEvent(e);
        }
      });
      res.on('end', () => {
        if (!failed) resolve();
      });
      res.on('error', fail);
      res.on('close', () => {
        if (signal.aborted) fail(new Error('aborted'));
        else if (!res.complete)
          fail(Object.assign(new Error('the watch connection broke'), { code: 'ECONNRESET' }));
        else if (!failed) resolve();
      });
    });
  }

  private async send(
    method: string,
    path: string,
    query: Record<string, string | undefined> | undefined,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<http.IncomingMessage> {
    const server = this.server;
    if (!server) throw new KubeApiError(0, `the context ${this.context} names no cluster server`);
    const url = new URL(server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, v);
    return await sendRequest(this.config, url, { method, headers, body, signal, answerTimeoutMs });
  }
}

function readAll(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function apiError(statusCode: number, text: string): KubeApiError {
  let status: KubeStatus | undefined;
  try {
    status = JSON.parse(text) as KubeStatus;
  } catch {}
  const message =
    status?.message ||
    text.trim() ||
    `the server answered ${statusCode} ${http.STATUS_CODES[statusCode] ?? ''}`;
  return new KubeApiError(statusCode, message.trim(), status);
}
