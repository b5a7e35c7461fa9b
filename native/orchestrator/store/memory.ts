// The memory backend: the whole history in a log until compaction, the current values in a map.
// For unit tests and `--kube-store=memory` (nothing survives a restart). Values are kept as JSON,
// as the durable backends keep them, so callers never share objects with the store.
import { decodeContinue, encodeContinue, encodeValue, rangeEnd } from './keys.ts';
import { type Change, LocalWatchers } from './local-watch.ts';
import {
  type ListOptions,
  type ListResult,
  type Revision,
  type Store,
  type StoredObject,
  StoreError,
  type WatchEvent,
} from './store.ts';

interface Entry {
  revision: Revision;
  json: string;
}

interface LoggedChange extends Change {
  /** The entry before this change (absent for ADDED). */
  prev?: Entry;
}

export class MemoryStore implements Store {
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private readonly data = new Map<string, Entry>();
  private readonly log: LoggedChange[] = [];
  readonly watchers = new LocalWatchers();

  async get(key: string): Promise<StoredObject | null> {
    this.check();
    const e = this.data.get(key);
    return e ? stored(key, e) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.check();
    const end = rangeEnd(prefix);
    let revision = opts.revision ?? this.rev;
    let after = '';
    if (opts.continue) ({ revision, after } = decodeContinue(opts.continue, prefix));
    if (revision > this.rev)
      throw new StoreError('invalid', `revision ${revision} is newer than the store's (${this.rev})`);
    if (revision < this.compacted) throw new StoreError('gone', `revision ${revision} has been compacted`);
    const view = this.at(revision);
    const keys = [...view.keys()].filter((k) => k >= prefix && k < end && k > after).sort();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : keys.length;
    const page = keys.slice(0, limit);
    const more = keys.length > page.length;
    return {
      items: page.map((k) => stored(k, view.get(k)!)),
      revision,
      continue: more ? encodeContinue({ revision, after: page[page.length - 1] }) : undefined,
      remaining: more ? keys.length - page.length : undefined,
    };
  }

  /** The key space as of `revision`: today's, with the later changes undone. */
  private at(revision: Revision): Map<string, Entry> {
    if (revision >= this.rev) return this.data;
    const view = new Map(this.data);
    for (let i = this.log.length - 1; i >= 0 && this.log[i].revision > revision; i--) {
      const c = this.log[i];
      if (c.prev) view.set(c.key, c.prev);
      else view.delete(c.key);
    }
    return view;
  }

  async create(key: string, value: unknown): Promise<StoredObject> {
    this.check();
    if (this.data.has(key)) throw new StoreError('exists', `${key} exists`);
    return this.write('ADDED', key, encodeValue(value));
  }

  async update(key: string, value: unknown, expected?: Revision): Promise<StoredObject> {
    this.check();
    const json = encodeValue(value);
    const cur = this.current(key, expected);
    return this.write('MODIFIED', key, json, cur);
  }

  async delete(key: string, expected?: Revision): Promise<StoredObject> {
    this.check();
    const cur = this.current(key, expected);
    return this.write('DELETED', key, cur.json, cur);
  }

  private current(key: string, expected: Revision | undefined): Entry {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('not-found', `${key} not found`);
    if (expected !== undefined && cur.revision !== expected)
      throw new StoreError(
        'conflict',
        `${key} is at revision ${cur.revision}, not ${expected}`,
        cur.revision,
      );
    return cur;
  }

  private write(type: Change['type'], key: string, json: string, prev?: Entry): StoredObject {
    const entry: Entry = { revision: ++this.rev, json };
    if (type === 'DELETED') this.data.delete(key);
    else this.data.set(key, entry);
    const change: LoggedChange = { type, key, revision: entry.revision, json, prev };
    this.log.push(change);
    this.watchers.publish(change);
    return stored(key, entry);
  }

  watch(
    prefix: string,
    after: Revision,
    signal: AbortSignal,
    opts: { progressMs?: number } = {},
  ): AsyncIterable<WatchEvent> {
    const history = () => {
      this.check();
      if (after < this.compacted) throw new StoreError('gone', `revision ${after} has been compacted`);
      return this.log.filter((c) => c.revision > after);
    };
    return this.watchers.watch(prefix, history, signal, () => this.rev, opts.progressMs);
  }

  async revision(): Promise<Revision> {
    this.check();
    return this.rev;
  }

  async compact(revision: Revision): Promise<void> {
    this.check();
    if (revision > this.rev)
      throw new StoreError('invalid', `cannot compact to ${revision}: the store is at ${this.rev}`);
    this.compacted = Math.max(this.compacted, revision);
    let drop = 0;
    while (drop < this.log.length && this.log[drop].revision <= revision) drop++;
    this.log.splice(0, drop);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.close();
  }

  private check() {
    if (this.closed) throw new StoreError('unavailable', 'the store is closed');
  }
}

function stored(key: string, e: Entry): StoredObject {
  return { key, value: JSON.parse(e.json), revision: e.revision };
}
