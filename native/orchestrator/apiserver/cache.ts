// The watch cache: every stored object, decoded once and kept current from one watch of the whole
// keyspace, so that lists — `kubectl get pods` over a thousand pods, every informer's first list —
// are served from memory instead of decoding the store's JSON again, as kube-apiserver's watch cache
// does. Reads stay consistent: a list first asks the store for its current revision and waits until
// the cache has caught up with it, so a client never lists something older than what it wrote. A page
// carries the store's continue-token format, so the next page is served from the cache while nothing
// changed, and from the store (at the same revision) after.
//
// Values in the cache are shared: whoever gets them must not change them (the REST handlers only read
// and render; the in-process client hands its callers copies).
import type { Logger } from '../../core/log.ts';
import { decodeContinue, encodeContinue, rangeEnd } from '../store/keys.ts';
import { type ListResult, type Revision, type Store, type StoredObject, StoreError } from '../store/store.ts';

const root = '/registry/';

export class WatchCache {
  private readonly entries = new Map<string, StoredObject>();
  private revision: Revision = 0;
  private waiters: { revision: Revision; resolve: () => void }[] = [];
  private readonly abort = new AbortController();
  private ready: Promise<void> | undefined;
  private filled = false;
  private readonly listeners: { prefix: string; changed: () => void }[] = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** How long a list waits for the cache to catch up before it goes to the store instead. */
    private readonly catchUpMs = 1000,
  ) {}

  /** Lists everything and follows the store from there (again after a compaction overtook the watch). */
  start(): Promise<void> {
    this.ready ??= this.follow();
    return this.ready;
  }

  stop(): void {
    this.abort.abort();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private async fill(): Promise<void> {
    this.filled = false;
    this.entries.clear();
    let cont: string | undefined;
    let revision: Revision | undefined;
    do {
      const page = await this.store.list(root, { limit: 2000, continue: cont });
      for (const s of page.items) this.entries.set(s.key, s);
      revision = page.revision;
      cont = page.continue;
    } while (cont);
    this.advance(revision ?? (await this.store.revision()));
    this.filled = true;
    for (const l of this.listeners) l.changed();
  }

  private follow(): Promise<void> {
    const first = this.fill();
    void first.then(async () => {
      while (!this.abort.signal.aborted) {
        try {
          for await (const e of this.store.watch(root, this.revision, this.abort.signal, {
            progressMs: 5000,
          })) {
            if (e.type === 'PROGRESS') this.advance(e.revision);
            else {
              if (e.type === 'DELETED') this.entries.delete(e.object.key);
              else this.entries.set(e.object.key, e.object);
              for (const l of this.listeners) if (e.object.key.startsWith(l.prefix)) l.changed();
              this.advance(e.object.revision);
            }
          }
        } catch (err) {
          if (this.abort.signal.aborted) return;
          if (err instanceof StoreError && err.kind === 'gone') {
            await this.fill().catch(() => undefined);
            continue;
          }
          this.log.warn('the watch cache lost its watch; following again', { error: String(err) });
          await new Promise((r) => setTimeout(r, 1000).unref());
        }
      }
    });
    return first;
  }

  private advance(revision: Revision): void {
    if (revision <= this.revision) return;
    this.revision = revision;
    if (!this.waiters.length) return;
    const due = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of due) w.resolve();
  }

  /** Resolves true once the cache has every write up to `revision`; false if that takes too long. */
  private async caughtUp(revision: Revision): Promise<boolean> {
    if (this.revision >= revision) return true;
    let timer: NodeJS.Timeout | undefined;
    const reached = await Promise.race([
      new Promise<boolean>((resolve) => this.waiters.push({ revision, resolve: () => resolve(true) })),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.catchUpMs);
      }),
    ]);
    clearTimeout(timer);
    return reached && this.revision >= revision;
  }

  /**
   * Calls `changed` whenever something under `prefix` may have changed (a write, a refill): whoever
   * keeps something derived from those objects (the RBAC authorizer's index) knows to derive it again.
   */
  onChange(prefix: string, changed: () => void): void {
    this.listeners.push({ prefix, changed });
  }

  /** Everything under `prefix` as the cache has it now, unordered; undefined before the first fill. */
  snapshot(prefix: string): StoredObject[] | undefined {
    if (!this.filled || this.abort.signal.aborted) return undefined;
    const hi = rangeEnd(prefix);
    const out: StoredObject[] = [];
    for (const [k, v] of this.entries) if (k >= prefix && k < hi) out.push(v);
    return out;
  }

  /** Resolves true once the cache holds every write the store has made so far. */
  async sync(): Promise<boolean> {
    if (!this.filled || this.abort.signal.aborted) return false;
    return this.caughtUp(await this.store.revision());
  }

  /**
   * A page of the keys under `prefix` at the latest revision, as Store.list answers it; undefined when
   * the cache cannot answer (not ready, behind, or a continue token of another revision): ask the store.
   */
  async list(
    prefix: string,
    opts: { limit?: number; continue?: string } = {},
  ): Promise<ListResult | undefined> {
    if (!this.ready || this.abort.signal.aborted) return undefined;
    await this.ready;
    let after = '';
    if (opts.continue) {
      const token = decodeContinue(opts.continue, prefix);
      if (token.revision !== this.revision) return undefined;
      after = token.after;
    } else if (!(await this.caughtUp(await this.store.revision()))) return undefined;
    const revision = this.revision;
    const hi = rangeEnd(prefix);
    const keys: string[] = [];
    for (const k of this.entries.keys()) if (k >= prefix && k < hi && k > after) keys.push(k);
    keys.sort();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : keys.length;
    const items = keys.slice(0, limit).map((k) => this.entries.get(k)!);
    if (keys.length <= limit) return { items, revision };
    return {
      items,
      revision,
      continue: encodeContinue({ revision, after: keys[limit - 1] }),
      remaining: keys.length - limit,
    };
  }
}
