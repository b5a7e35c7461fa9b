// TEMPORARY: a minimal in-memory Store so that the API server runs and is tested before the store
// helper's backends (SQLite, memory, etcd) land. Replace every use with theirs and delete this file.
// It keeps every revision's change in a log (so lists at a past revision and watches from one work)
// until compact() drops the old entries.
import {
  type ListOptions,
  type ListResult,
  type Revision,
  type Store,
  type StoredObject,
  StoreError,
  type WatchEvent,
} from './store.ts';

interface Change {
  key: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
  /** The value before this change (absent for ADDED). */
  prev?: StoredObject;
}

export class InterimMemoryStore implements Store {
  private rev = 0;
  private compacted = 0;
  private readonly data = new Map<string, StoredObject>();
  private readonly log: Change[] = [];
  private readonly listeners = new Set<(c: Change) => void>();

  async get(key: string): Promise<StoredObject | null> {
    return clone(this.data.get(key)) ?? null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let revision = opts.revision ?? this.rev;
    let after = '';
    if (opts.continue) {
      const c = JSON.parse(Buffer.from(opts.continue, 'base64url').toString()) as { r: number; k: string };
      revision = c.r;
      after = c.k;
    }
    if (revision < this.compacted) throw new StoreError('gone', `revision ${revision} has been compacted`);
    const view = this.at(revision);
    const keys = [...view.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : keys.length;
    const page = keys.slice(0, limit);
    const items = page.map((k) => clone(view.get(k)!)!);
    const more = keys.length > page.length;
    return {
      items,
      revision,
      continue: more
        ? Buffer.from(JSON.stringify({ r: revision, k: page[page.length - 1] })).toString('base64url')
        : undefined,
      remaining: more ? keys.length - page.length : undefined,
    };
  }

  /** The key space as of `revision`: today's, with the later changes undone. */
  private at(revision: Revision): Map<string, StoredObject> {
    if (revision >= this.rev) return this.data;
    const view = new Map(this.data);
    for (let i = this.log.length - 1; i >= 0 && this.log[i].object.revision > revision; i--) {
      const c = this.log[i];
      if (c.prev) view.set(c.key, c.prev);
      else view.delete(c.key);
    }
    return view;
  }

  async create(key: string, value: unknown): Promise<StoredObject> {
    if (this.data.has(key)) throw new StoreError('exists', `${key} exists`);
    return this.write('ADDED', key, value);
  }

  async update(key: string, value: unknown, expected?: Revision): Promise<StoredObject> {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('not-found', `${key} not found`);
    if (expected !== undefined && cur.revision !== expected)
      throw new StoreError('conflict', `${key} is at ${cur.revision}`, cur.revision);
    return this.write('MODIFIED', key, value, cur);
  }

  async delete(key: string, expected?: Revision): Promise<StoredObject> {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('not-found', `${key} not found`);
    if (expected !== undefined && cur.revision !== expected)
      throw new StoreError('conflict', `${key} is at ${cur.revision}`, cur.revision);
    return this.write('DELETED', key, cur.value, cur);
  }

  private write(type: Change['type'], key: string, value: unknown, prev?: StoredObject): StoredObject {
    const object: StoredObject = { key, value: clone(value), revision: ++this.rev };
    if (type === 'DELETED') this.data.delete(key);
    else this.data.set(key, object);
    const change: Change = { key, type, object, prev };
    this.log.push(change);
    for (const l of this.listeners) l(change);
    return clone(object)!;
  }

  async *watch(
    prefix: string,
    after: Revision,
    signal: AbortSignal,
    opts: { progressMs?: number } = {},
  ): AsyncIterable<WatchEvent> {
    if (after < this.compacted) throw new StoreError('gone', `revision ${after} has been compacted`);
    const queue: WatchEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (e: WatchEvent) => {
      queue.push(e);
      wake?.();
    };
    for (const c of this.log) {
      if (c.object.revision > after && c.key.startsWith(prefix)) push(toEvent(c));
    }
    const listener = (c: Change) => {
      if (c.key.startsWith(prefix)) push(toEvent(c));
    };
    this.listeners.add(listener);
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    const timer = opts.progressMs
      ? setInterval(() => {
          if (queue.length === 0) push({ type: 'PROGRESS', revision: this.rev });
        }, opts.progressMs)
      : undefined;
    try {
      while (!signal.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    } finally {
      if (timer) clearInterval(timer);
      this.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
    }
  }

  async revision(): Promise<Revision> {
    return this.rev;
  }

  async compact(revision: Revision): Promise<void> {
    this.compacted = Math.max(this.compacted, revision);
    while (this.log.length && this.log[0].object.revision <= revision) this.log.shift();
  }

  async close(): Promise<void> {}
}

function toEvent(c: Change): WatchEvent {
  return { type: c.type, object: clone(c.object)! };
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
