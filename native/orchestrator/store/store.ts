// The orchestrator's storage interface: what the API server needs from a key-value store with one
// global, monotonic revision (Kubernetes' resourceVersion). Backends: embedded SQLite (sqlite.ts, the
// default, <data-root>/kubernetes/state.db), etcd (etcd.ts) and memory (memory.ts, nothing kept); all
// three pass one conformance suite (store.conformance.ts); open.ts chooses one from berthd's flags.
//
// Keys are paths such as `/registry/pods/default/web-1`; values are the objects as JSON. Every write
// gets a new revision, greater than every revision before it in this store; an object's
// resourceVersion is the revision of its last write. Watches deliver every change after a revision,
// in revision order; revisions older than the last compaction are gone (a watch from one fails with
// `StoreError` kind 'gone', which the API server answers with 410 Gone).

export type Revision = number;

export interface StoredObject {
  key: string;
  value: unknown;
  /** The revision of the write that made this value. */
  revision: Revision;
}

export interface ListOptions {
  /** At most this many items; 0 or absent: all. */
  limit?: number;
  /** From `ListResult.continue` of the previous page (the list is of one consistent revision). */
  continue?: string;
  /** List as of this revision (must not be compacted); absent: the latest. */
  revision?: Revision;
}

export interface ListResult {
  items: StoredObject[];
  /** The revision the list is consistent with. */
  revision: Revision;
  /** Set when more items remain: pass it back to get the next page. */
  continue?: string;
  /** How many items remain after this page, when known. */
  remaining?: number;
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED'; object: StoredObject }
  | { type: 'DELETED'; object: StoredObject }
  /** The watch has seen every change up to `revision` (there may be none). */
  | { type: 'PROGRESS'; revision: Revision };

export type StoreErrorKind = 'not-found' | 'exists' | 'conflict' | 'gone' | 'invalid' | 'unavailable';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** For 'conflict': the revision the object has now. */
    readonly current?: Revision,
  ) {
    super(message);
  }
}

export interface Store {
  /** null when absent. */
  get(key: string): Promise<StoredObject | null>;
  /** Keys under `prefix` (a path ending in `/`), in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with 'exists' when the key is there. */
  create(key: string, value: unknown): Promise<StoredObject>;
  /**
   * Replaces the value. With `expected`, only when the object's revision is that one ('conflict'
   * otherwise); 'not-found' when absent.
   */
  update(key: string, value: unknown, expected?: Revision): Promise<StoredObject>;
  /** Removes the key; returns its last value, with the revision of the delete. */
  delete(key: string, expected?: Revision): Promise<StoredObject>;
  /**
   * Every change under `prefix` after `after` (exclusive), then live changes, until `signal` aborts.
   * With `progressMs`, a PROGRESS event at least that often while nothing changes (for BOOKMARKs).
   */
  watch(
    prefix: string,
    after: Revision,
    signal: AbortSignal,
    opts?: { progressMs?: number },
  ): AsyncIterable<WatchEvent>;
  /** The newest revision. */
  revision(): Promise<Revision>;
  /** Forgets history up to `revision`; watches and lists from before it then fail with 'gone'. */
  compact(revision: Revision): Promise<void>;
  close(): Promise<void>;
}
