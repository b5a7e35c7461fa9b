// `kube.logs`: a pod container's log from the API server's log endpoint, in the batches the container
// log viewer takes (containers.logs's LogBatch). The endpoint sends plain lines (no stream frames, no
// stderr apart), so the decoder runs in its raw mode; a followed log is gathered for a moment per
// message as container logs are. A refusal (no such pod, no previous container) keeps the server's words.
import type { Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LogBatch } from '../../contract/index.ts';
import { chunkGatherer, LogBatchDecoder } from '../containers/log-lines.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { StreamHandler } from '../ipc/handlers.ts';
import { openRequest, responseError } from './kube-request.ts';

export interface PodLogParams {
  namespace: string;
  pod: string;
  container?: string;
  follow: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tail?: number;
  sinceSeconds?: number;
}

const bad = (message: string) => new HandlerError('invalid_argument', 'kube.bad_request', message);

function query(p: PodLogParams): Record<string, string | number | boolean | undefined> {
  const count = (v: unknown, what: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw bad(`${what} must be a whole number ≥ 0`);
    return v;
  };
  return {
    container: p.container || undefined,
    follow: p.follow === true,
    previous: p.previous === true || undefined,
    timestamps: p.timestamps === true || undefined,
    tailLines: count(p.tail, 'tail'),
    sinceSeconds: count(p.sinceSeconds, 'sinceSeconds') || undefined,
  };
}

/** Streams the log to `emit` until it ends (not following, or the container stopped) or `signal` aborts. */
export async function streamPodLog(
  kc: KubeConfig,
  p: PodLogParams,
  emit: (batch: LogBatch) => void,
  signal: AbortSignal,
): Promise<void> {
  for (const [k, v] of [
    ['namespace', p?.namespace],
    ['pod', p?.pod],
  ] as const)
    if (typeof v !== 'string' || !v) throw bad(`${k} must be a non-empty string`);
  const path = `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.pod)}/log`;
  let res: Readable & { statusCode?: number };
  try {
    res = await openRequest(kc, { path, query: query(p), signal });
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {}
    throw responseError({ status: res.statusCode ?? 0, body, text });
  }
  const decoder = new LogBatchDecoder(false, p.timestamps === true);
  const send = (b: LogBatch | null) => {
    if (b) emit(b);
  };
  await new Promise<void>((resolve, reject) => {
    const gather = chunkGatherer((chunk) => send(decoder.push(chunk)));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      gather.flush();
      send(decoder.flush());
      resolve();
    };
    const stop = () => {
      done = true;
      res.destroy();
      resolve();
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    res.on('data', (c: Buffer) => gather.push(c));
    res.on('end', finish);
    res.on('close', finish);
    res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
  });
}

export function podLogStream(configFor: (context: string) => KubeConfig): StreamHandler<'kube.logs'> {
  return (params, emit, signal) => streamPodLog(configFor(params?.context), params, emit, signal);
}
