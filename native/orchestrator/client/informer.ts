// Informers: a kind's objects listed once, then kept current from a watch, in a cache the
// controllers read instead of the store, with handlers called on each change. One informer per kind
// is shared by every part of the orchestrator (Informers), as client-go's shared informer factory
// does, so three controllers that care about pods cost one watch. Controllers are event-driven: no
// part of the orchestrator polls the store.
import type { Logger } from '../../core/log.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import type { KindRef, KubeClient } from './client.ts';

export interface Handlers {
  add?(obj: KubeObject): void;
  update?(obj: KubeObject, old: KubeObject): void;
  delete?(obj: KubeObject): void;
}

/** `namespace/name`, or `name` for a cluster-scoped object: the key of the caches and work queues. */
export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name}` : (obj.metadata?.name ?? '');
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: Handlers[] = [];
  private resourceVersion = '';
  private markSynced!: () => void;
  /** Resolves once the first list is in the cache (and its add handlers ran). */
  readonly synced = new Promise<void>((resolve) => {
    this.markSynced = resolve;
  });

  constructor(
    private readonly client: KubeClient,
    readonly kind: KindRef,
    private readonly log: Logger,
    /** Wait before watching again after a failure (tests make it short). */
    private readonly retryMs = 1000,
  ) {}

  /** Handlers added after the first list get an `add` for each object already there. */
  on(h: Handlers): void {
    this.handlers.push(h);
    for (const obj of this.cache.values()) h.add?.(obj);
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The cached objects, of one namespace when given. */
  list(namespace?: string): KubeObject[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  /** Lists and watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        this.markSynced();
        for await (const e of this.client.watch(this.kind, this.resourceVersion, signal)) {
          if (e.type === 'BOOKMARK') {
            this.resourceVersion = e.resourceVersion;
            continue;
          }
          this.resourceVersion = e.object.metadata?.resourceVersion ?? this.resourceVersion;
          if (e.type === 'DELETED') this.remove(keyOf(e.object));
          else this.put(e.object);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.code === 410) {
          this.resourceVersion = '';
          continue;
        }
        this.log.warn(`watch of ${this.kind.kind} failed; watching again`, { error: String(err) });
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
  }

  /** The whole list again: what changed or went while the watch was gone is told to the handlers. */
  private async relist(): Promise<void> {
    const list = await this.client.list(this.kind);
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(keyOf(obj));
      this.put(obj);
    }
    for (const key of [...this.cache.keys()]) if (!seen.has(key)) this.remove(key);
    this.resourceVersion = list.resourceVersion;
  }

  private put(obj: KubeObject): void {
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.cache.set(key, obj);
    for (const h of this.handlers) {
      try {
        if (old) h.update?.(obj, old);
        else h.add?.(obj);
      } catch (err) {
        this.log.error(`a ${this.kind.kind} handler failed`, { error: String(err) });
      }
    }
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    for (const h of this.handlers) {
      try {
        h.delete?.(old);
      } catch (err) {
        this.log.error(`a ${this.kind.kind} handler failed`, { error: String(err) });
      }
    }
  }
}

/** One informer per kind, started on first use and stopped together. */
export class Informers {
  private readonly byKind = new Map<string, Informer>();
  private readonly stops = new Map<string, AbortController>();
  private readonly abort = new AbortController();

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {}

  for(kind: KindRef): Informer {
    const id = `${kind.group}/${kind.kind}`;
    let inf = this.byKind.get(id);
    if (!inf) {
      inf = new Informer(this.client, kind, this.log, this.retryMs);
      this.byKind.set(id, inf);
      const stop = new AbortController();
      this.stops.set(id, stop);
      void inf.run(AbortSignal.any([this.abort.signal, stop.signal]));
    }
    return inf;
  }

  /**
   * Stops and forgets the informer of a kind that is no longer served (a custom resource whose CRD
   * went); a later `for` starts a new one.
   */
  drop(kind: KindRef): void {
    const id = `${kind.group}/${kind.kind}`;
    this.stops.get(id)?.abort();
    this.stops.delete(id);
    this.byKind.delete(id);
  }

  /** Resolves once every informer made so far has its first list. */
  async synced(): Promise<void> {
    await Promise.all([...this.byKind.values()].map((i) => i.synced));
  }

  stop(): void {
    this.abort.abort();
  }
}
