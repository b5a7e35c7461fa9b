// The etcd backend (`--kube-store=etcd --kube-etcd-endpoint=http://127.0.0.1:2379`), spoken through
// etcd's own JSON gateway to its gRPC API (`/v3/kv/*`, `/v3/watch`) with Node's fetch: no gRPC stack,
// no dependency, and the same revisions, compare-and-swap transactions, watches and compaction that
// Kubernetes' apiserver uses. Keys and values travel base64-encoded, 64-bit integers as strings.
//
// A watch's PROGRESS events say what the watch has certainly seen: its start, the revision of its last
// event, or etcd's own progress notifications (sent only to a watch that has caught up; etcd sends them
// every 10 minutes unless started with --experimental-watch-progress-notify-interval).
import { decodeContinue, encodeContinue, encodeValue, rangeEnd } from './keys.ts';
import {
  type ListOptions,
  type ListResult,
  type Revision,
  type Store,
  type StoredObject,
  StoreError,
  type WatchEvent,
} from './store.ts';

interface KeyValue {
  key: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}

interface Header {
  revision?: string;
}

interface RangeResponse {
  header: Header;
  kvs?: KeyValue[];
  more?: boolean;
  count?: string;
}

interface TxnResponse {
  header: Header;
  succeeded?: boolean;
  responses?: {
    response_range?: RangeResponse;
    response_delete_range?: { prev_kvs?: KeyValue[] };
  }[];
}

interface WatchResult {
  header?: Header;
  created?: boolean;
  canceled?: boolean;
  cancel_reason?: string;
  compact_revision?: string;
  events?: { type?: 'PUT' | 'DELETE'; kv: KeyValue; prev_kv?: KeyValue }[];
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

export class EtcdStore implements Store {
  private readonly endpoints: string[];
  private readonly watches = new Set<AbortController>();
  private closed = false;

  /** `endpoints`: one or more etcd client URLs, comma-separated; the next is tried when one is down. */
  constructor(endpoints: string) {
    this.endpoints = endpoints
      .split(',')
      .map((e) => e.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    if (this.endpoints.length === 0) throw new StoreError('invalid', 'no etcd endpoint given');
    for (const e of this.endpoints)
      if (!/^https?:\/\//.test(e)) throw new StoreError('invalid', `not an etcd client URL: ${e}`);
  }

  /** One request to the gateway, on the first endpoint that answers. */
  private async call(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    if (this.closed) throw new StoreError('unavailable', 'the store is closed');
    let lastError: unknown;
    for (let i = 0; i < this.endpoints.length; i++) {
      const endpoint = this.endpoints[0];
      try {
        const res = await fetch(`${endpoint}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal,
        });
        if (!res.ok)
          throw etcdError(
            (await res.json().catch(() => ({ message: res.statusText }))) as { message?: string },
          );
        return res;
      } catch (err) {
        if (err instanceof StoreError || signal?.aborted) throw err;
        lastError = err;
        // Try the others first from now on.
        this.endpoints.push(this.endpoints.shift()!);
      }
    }
    const cause = (lastError as { cause?: Error })?.cause?.message ?? String(lastError);
    throw new StoreError('unavailable', `etcd at ${this.endpoints.join(',')} does not answer: ${cause}`);
  }

  private async json<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.call(path, body)).json()) as T;
  }

  async get(key: string): Promise<StoredObject | null> {
    const r = await this.json<RangeResponse>('/v3/kv/range', { key: b64(key) });
    return r.kvs?.[0] ? toStored(r.kvs[0]) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let revision = opts.revision ?? 0;
    let after = '';
    if (opts.continue) ({ revision, after } = decodeContinue(opts.continue, prefix));
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const r = await this.json<RangeResponse>('/v3/kv/range', {
      key: b64(after ? `${after}\0` : prefix),
      range_end: b64(rangeEnd(prefix)),
      limit: String(limit),
      revision: String(revision),
    });
    const consistent = revision || Number(r.header.revision);
    const items = (r.kvs ?? []).map(toStored);
    if (!r.more || items.length === 0) return { items, revision: consistent };
    return {
      items,
      revision: consistent,
      continue: encodeContinue({ revision: consistent, after: items[items.length - 1].key }),
      remaining: Number(r.count ?? 0) - items.length,
    };
  }

  async create(key: string, value: unknown): Promise<StoredObject> {
    const json = encodeValue(value);
    const r = await this.json<TxnResponse>('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: b64(key), value: b64(json) } }],
    });
    if (!r.succeeded) throw new StoreError('exists', `${key} exists`);
    return { key, value: JSON.parse(json), revision: Number(r.header.revision) };
  }

  async update(key: string, value: unknown, expected?: Revision): Promise<StoredObject> {
    const json = encodeValue(value);
    const r = await this.json<TxnResponse>('/v3/kv/txn', {
      compare: [precondition(key, expected)],
      success: [{ request_put: { key: b64(key), value: b64(json) } }],
      failure: [{ request_range: { key: b64(key) } }],
    });
    if (!r.succeeded) throw failed(key, expected, r);
    return { key, value: JSON.parse(json), revision: Number(r.header.revision) };
  }

  async delete(key: string, expected?: Revision): Promise<StoredObject> {
    const r = await this.json<TxnResponse>('/v3/kv/txn', {
      compare: [precondition(key, expected)],
      success: [{ request_delete_range: { key: b64(key), prev_kv: true } }],
      failure: [{ request_range: { key: b64(key) } }],
    });
    if (!r.succeeded) throw failed(key, expected, r);
    const prev = r.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new StoreError('not-found', `${key} not found`);
    return { key, value: JSON.parse(unb64(prev.value)), revision: Number(r.header.revision) };
  }

  async *watch(
    prefix: string,
    after: Revision,
    signal: AbortSignal,
    opts: { progressMs?: number } = {},
  ): AsyncIterable<WatchEvent> {
    if (signal.aborted) return;
    const abort = new AbortController();
    const queue: WatchEvent[] = [];
    let failure: unknown;
    let ended = false;
    let wake: (() => void) | undefined;
    const push = (e: WatchEvent) => {
      queue.push(e);
      wake?.();
    };
    let timer: NodeJS.Timeout | undefined;
    // Released on abort or close, not only when the generator next resumes (see local-watch.ts).
    const onAbort = () => abort.abort();
    abort.signal.addEventListener('abort', () => {
      if (timer) clearInterval(timer);
      this.watches.delete(abort);
      signal.removeEventListener('abort', onAbort);
      queue.length = 0;
      wake?.();
    });
    signal.addEventListener('abort', onAbort);
    this.watches.add(abort);
    // Every change up to `seen` has been delivered (in revision order, as etcd sends them).
    let seen = after;
    const pump = async () => {
      const res = await this.call(
        '/v3/watch',
        {
          create_request: {
            key: b64(prefix),
            range_end: b64(rangeEnd(prefix)),
            start_revision: String(after + 1),
            prev_kv: true,
            progress_notify: true,
          },
        },
        abort.signal,
      );
      let buffered = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as { result?: WatchResult; error?: { message?: string } };
          if (msg.error) throw etcdError(msg.error);
          const w = msg.result ?? {};
          if (w.compact_revision && Number(w.compact_revision) > 0)
            throw new StoreError(
              'gone',
              `revision ${after} has been compacted (etcd is at ${w.compact_revision})`,
            );
          if (w.canceled)
            throw new StoreError('unavailable', `etcd ended the watch: ${w.cancel_reason ?? ''}`);
          if (w.created) continue;
          if (!w.events?.length) {
            // A progress notification: etcd sends it only once the watch has caught up.
            seen = Math.max(seen, Number(w.header?.revision ?? 0));
            if (opts.progressMs) push({ type: 'PROGRESS', revision: seen });
            continue;
          }
          for (const e of w.events) {
            const revision = Number(e.kv.mod_revision);
            seen = revision;
            if (e.type === 'DELETE') {
              const last = e.prev_kv?.value ?? e.kv.value;
              push({
                type: 'DELETED',
                object: { key: unb64(e.kv.key), value: JSON.parse(unb64(last)), revision },
              });
            } else {
              push({ type: e.kv.version === '1' ? 'ADDED' : 'MODIFIED', object: toStored(e.kv) });
            }
          }
        }
      }
    };
    pump().then(
      () => {
        ended = true;
        wake?.();
      },
      (err) => {
        if (!abort.signal.aborted) failure = err instanceof StoreError ? err : unavailable(err);
        ended = true;
        wake?.();
      },
    );
    if (opts.progressMs)
      timer = setInterval(() => {
        if (queue.length === 0) push({ type: 'PROGRESS', revision: seen });
      }, opts.progressMs);
    try {
      while (!abort.signal.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        if (failure) throw failure;
        if (ended) throw new StoreError('unavailable', 'etcd closed the watch');
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    } finally {
      abort.abort();
    }
  }

  async revision(): Promise<Revision> {
    const r = await this.json<RangeResponse>('/v3/kv/range', { key: b64('\0'), count_only: true });
    return Number(r.header.revision);
  }

  async compact(revision: Revision): Promise<void> {
    try {
      await this.json('/v3/kv/compaction', { revision: String(revision) });
    } catch (err) {
      // Compacting to a revision already compacted is nothing to do, as in the other backends.
      if (err instanceof StoreError && err.kind === 'gone') return;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches) w.abort();
  }
}

function precondition(key: string, expected: Revision | undefined) {
  return expected === undefined
    ? { key: b64(key), target: 'CREATE', result: 'GREATER', create_revision: '0' }
    : { key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(expected) };
}

/** Why a guarded write failed, from the failure branch's read of the key. */
function failed(key: string, expected: Revision | undefined, r: TxnResponse): StoreError {
  const cur = r.responses?.[0]?.response_range?.kvs?.[0];
  if (!cur) return new StoreError('not-found', `${key} not found`);
  const at = Number(cur.mod_revision);
  return new StoreError('conflict', `${key} is at revision ${at}, not ${expected}`, at);
}

function toStored(kv: KeyValue): StoredObject {
  return { key: unb64(kv.key), value: JSON.parse(unb64(kv.value)), revision: Number(kv.mod_revision) };
}

/** etcd's gRPC errors in the store's words. */
function etcdError(e: { message?: string; error?: string }): StoreError {
  const msg = e.message ?? e.error ?? 'unknown error';
  if (msg.includes('required revision has been compacted')) return new StoreError('gone', `etcd: ${msg}`);
  if (msg.includes('future revision')) return new StoreError('invalid', `etcd: ${msg}`);
  return new StoreError('unavailable', `etcd: ${msg}`);
}

function unavailable(err: unknown): StoreError {
  return new StoreError('unavailable', `etcd watch failed: ${(err as Error)?.message ?? String(err)}`);
}
