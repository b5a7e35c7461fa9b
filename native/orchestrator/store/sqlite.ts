// The SQLite backend, the default: `<data-root>/kubernetes/state.db` in WAL mode, every acknowledged
// write committed and synced, so a kill -9 or a power cut loses nothing that a client was told had
// happened. The sync is ours, not SQLite's: SQLite commits (synchronous=NORMAL: its WAL is synced at
// checkpoints only) and the WAL's new frames are then synced on the thread pool; the writes are
// answered, published and readable once that sync is done. SQLite's own sync at each commit held
// berthd's one thread for the disk's flush, 0.7 s over a 100-pod rollout.
//
// One table is the whole history: a row per write, its primary key the write's revision (AUTOINCREMENT,
// so a revision is never reused, even after compaction removed the newest rows). A key's value at a
// revision is its newest row at or before it; a delete is a row that keeps the last value (watchers
// get it). Compaction removes the rows that no revision after it can see.
//
// Writes that arrive in the same turn of the event loop commit together in one transaction (group
// commit), and the batches committed while a sync runs share the next one. berthd is the database's
// only user: the file is locked exclusively, and watches are served from this process.
import { promises as fs, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';
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

const ADDED = 0;
const MODIFIED = 1;
const DELETED = 2;
const typeNames = ['ADDED', 'MODIFIED', 'DELETED'] as const;

interface Row {
  rev: number;
  key: string;
  type: number;
  value: string;
}

type Op =
  | { kind: 'create'; key: string; json: string }
  | { kind: 'update'; key: string; json: string; expected?: Revision }
  | { kind: 'delete'; key: string; expected?: Revision };

interface Pending {
  op: Op;
  resolve: (o: StoredObject) => void;
  reject: (e: unknown) => void;
}

export interface SqliteStoreOptions {
  /**
   * FULL (the default) syncs every write before it is answered; NORMAL survives a crash of berthd but
   * not of the machine.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Awaited before each sync of the WAL (a test's gate; nothing by default). */
  beforeSync?: () => Promise<void>;
}

/**
 * better-sqlite3 is loaded when a store is opened, not when this module is: commands that never open
 * one (`berthd --kubeconfig-merge`) run without the native module.
 */
function loadDriver(): typeof Database {
  return createRequire(import.meta.url)('better-sqlite3') as typeof Database;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private rev: Revision;
  private compacted: Revision;
  private pending: Pending[] = [];
  private closed = false;
  /** Set when a sync failed: nothing is acknowledged any more. */
  private broken?: StoreError;
  /** The WAL, opened at the first sync (SQLite makes it at the first commit). */
  private wal?: Promise<fs.FileHandle>;
  /** The sync under way, and the one that will start after it for the batches committed meanwhile. */
  private syncing?: Promise<void>;
  private queued?: Promise<void>;
  /** Batches committed and not answered yet, in order: each waits for the one before. */
  private answered: Promise<void> = Promise.resolve();
  readonly watchers = new LocalWatchers();
  private readonly q;

  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(path.dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      // A moment's wait for the lock, not better-sqlite3's five seconds: a second berthd should fail fast.
      db = new (loadDriver())(file, { timeout: 200 });
    } catch (err) {
      throw new StoreError('unavailable', `cannot open ${file}: ${(err as Error).message}`);
    }
    try {
      // Exclusive locking before WAL: no shared-memory file, and a second berthd on the same data
      // root fails here instead of writing revisions this one does not know of.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS log (
          rev INTEGER PRIMARY KEY AUTOINCREMENT,
          key TEXT NOT NULL,
          type INTEGER NOT NULL,
          value TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      `);
      return new SqliteStore(db, file, opts);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      const busy = (err as { code?: string }).code?.startsWith('SQLITE_BUSY');
      throw new StoreError(
        'unavailable',
        busy ? `${file} is in use by another process` : `cannot open ${file}: ${(err as Error).message}`,
      );
    }
  }

  private constructor(
    db: Database.Database,
    private readonly file: string,
    private readonly opts: SqliteStoreOptions,
  ) {
    this.db = db;
    this.q = {
      // A key's newest row, acknowledged or not (what a write is checked against).
      latest: db.prepare<[string], Row>(
        'SELECT rev, key, type, value FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1',
      ),
      // A key's newest acknowledged row (what a reader sees).
      get: db.prepare<{ key: string; rev: number }, Row>(
        'SELECT rev, key, type, value FROM log WHERE key = @key AND rev <= @rev ORDER BY rev DESC LIMIT 1',
      ),
      // The newest row of each key at the revision, from the (key, rev) index alone, then its value.
      list: db.prepare<{ lo: string; after: string; hi: string; rev: number; limit: number }, Row>(`
        SELECT l.rev, l.key, l.type, l.value
        FROM (SELECT max(rev) AS rev FROM log WHERE key >= @lo AND key > @after AND key < @hi AND rev <= @rev GROUP BY key) AS h
        JOIN log AS l ON l.rev = h.rev
        WHERE l.type != ${DELETED}
        ORDER BY l.key LIMIT @limit`),
      count: db.prepare<{ lo: string; after: string; hi: string; rev: number }, { n: number }>(`
        SELECT count(*) AS n
        FROM (SELECT max(rev) AS rev FROM log WHERE key >= @lo AND key > @after AND key < @hi AND rev <= @rev GROUP BY key) AS h
        JOIN log AS l ON l.rev = h.rev
        WHERE l.type != ${DELETED}`),
      history: db.prepare<{ after: number; upto: number; lo: string; hi: string }, Row>(
        'SELECT rev, key, type, value FROM log WHERE rev > @after AND rev <= @upto AND key >= @lo AND key < @hi ORDER BY rev',
      ),
      insert: db.prepare<[string, number, string]>('INSERT INTO log (key, type, value) VALUES (?, ?, ?)'),
      revision: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'"),
      meta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare<[string, number]>(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
      compact: db.prepare<{ rev: number }>(`
        DELETE FROM log WHERE rev <= @rev AND (type = ${DELETED} OR EXISTS (
          SELECT 1 FROM log AS n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= @rev))`),
    };
    this.rev = this.q.revision.get()?.seq ?? 0;
    this.compacted = this.q.meta.get('compacted')?.value ?? 0;
  }

  async get(key: string): Promise<StoredObject | null> {
    this.check();
    const row = this.q.get.get({ key, rev: this.rev });
    return row && row.type !== DELETED ? toStored(row) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.check();
    const hi = rangeEnd(prefix);
    let revision = opts.revision ?? this.rev;
    let after = '';
    if (opts.continue) ({ revision, after } = decodeContinue(opts.continue, prefix));
    if (revision > this.rev)
      throw new StoreError('invalid', `revision ${revision} is newer than the store's (${this.rev})`);
    if (revision < this.compacted) throw new StoreError('gone', `revision ${revision} has been compacted`);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.q.list.all({ lo: prefix, after, hi, rev: revision, limit: limit > 0 ? limit + 1 : -1 });
    const more = limit > 0 && rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(toStored);
    if (!more) return { items, revision };
    const last = items[items.length - 1].key;
    return {
      items,
      revision,
      continue: encodeContinue({ revision, after: last }),
      remaining: this.q.count.get({ lo: prefix, after: last, hi, rev: revision })!.n,
    };
  }

  async create(key: string, value: unknown): Promise<StoredObject> {
    return this.enqueue({ kind: 'create', key, json: encodeValue(value) });
  }

  async update(key: string, value: unknown, expected?: Revision): Promise<StoredObject> {
    return this.enqueue({ kind: 'update', key, json: encodeValue(value), expected });
  }

  async delete(key: string, expected?: Revision): Promise<StoredObject> {
    return this.enqueue({ kind: 'delete', key, expected });
  }

  private enqueue(op: Op): Promise<StoredObject> {
    this.check();
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ op, resolve, reject });
    });
  }

  /** Applies the queued writes in order in one transaction, then answers and publishes them. */
  private flush() {
    const batch = this.pending;
    this.pending = [];
    if (this.closed) {
      for (const p of batch) p.reject(new StoreError('unavailable', 'the store is closed'));
      return;
    }
    const outcomes: ({ ok: Change } | { err: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          try {
            outcomes.push({ ok: this.apply(p.op) });
          } catch (err) {
            if (!(err instanceof StoreError)) throw err;
            outcomes.push({ err });
          }
        }
      })();
    } catch (err) {
      const e = new StoreError('unavailable', `cannot write the store: ${(err as Error).message}`);
      for (const p of batch) p.reject(e);
      return;
    }
    const answer = () => {
      for (const [i, p] of batch.entries()) {
        const o = outcomes[i];
        if ('err' in o) {
          p.reject(o.err);
          continue;
        }
        this.rev = o.ok.revision;
        this.watchers.publish(o.ok);
        p.resolve({ key: o.ok.key, value: JSON.parse(o.ok.json), revision: o.ok.revision });
      }
    };
    const wrote = outcomes.some((o) => 'ok' in o);
    if (this.opts.synchronous === 'NORMAL' || !wrote) {
      this.answered = this.answered.then(answer);
      return;
    }
    const synced = this.durable();
    this.answered = this.answered.then(() =>
      synced.then(answer, (err) => {
        this.broken ??= new StoreError('unavailable', `cannot sync the store: ${(err as Error).message}`);
        for (const p of batch) p.reject(this.broken);
      }),
    );
  }

  /** Resolves once everything committed so far is on the disk: one sync at a time, the next shared. */
  private durable(): Promise<void> {
    if (!this.syncing) {
      const run = this.syncWal();
      // Its outcome is the callers'; what follows it only waits for it to end.
      this.syncing = run.then(
        () => undefined,
        () => undefined,
      );
      void this.syncing.then(() => {
        this.syncing = undefined;
      });
      return run;
    }
    this.queued ??= this.syncing.then(() => {
      this.queued = undefined;
      return this.durable();
    });
    return this.queued;
  }

  private async syncWal(): Promise<void> {
    await this.opts.beforeSync?.();
    if (!this.wal) {
      this.wal = fs.open(`${this.file}-wal`, 'r');
      // The WAL's name in its folder, once: a new file is only durable with its directory entry.
      const dir = await fs.open(path.dirname(this.file), 'r');
      await dir.sync().finally(() => dir.close());
    }
    await (await this.wal).datasync();
  }

  private apply(op: Op): Change {
    const cur = this.q.latest.get(op.key);
    const exists = cur !== undefined && cur.type !== DELETED;
    let type: number;
    let json: string;
    if (op.kind === 'create') {
      if (exists) throw new StoreError('exists', `${op.key} exists`);
      type = ADDED;
      json = op.json;
    } else {
      if (!exists) throw new StoreError('not-found', `${op.key} not found`);
      if (op.expected !== undefined && cur.rev !== op.expected)
        throw new StoreError('conflict', `${op.key} is at revision ${cur.rev}, not ${op.expected}`, cur.rev);
      type = op.kind === 'update' ? MODIFIED : DELETED;
      json = op.kind === 'update' ? op.json : cur.value;
    }
    const revision = Number(this.q.insert.run(op.key, type, json).lastInsertRowid);
    return { type: typeNames[type], key: op.key, revision, json };
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
      return this.q.history
        .all({ after, upto: this.rev, lo: prefix, hi: rangeEnd(prefix) })
        .map((r): Change => ({ type: typeNames[r.type], key: r.key, revision: r.rev, json: r.value }));
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
    if (revision <= this.compacted) return;
    this.db.transaction(() => {
      this.q.compact.run({ rev: revision });
      this.q.setMeta.run('compacted', revision);
    })();
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.pending.length) this.flush();
    this.closed = true;
    // What was committed is answered (synced) before the database goes.
    await this.answered;
    this.watchers.close();
    this.db.close();
    await (await this.wal?.catch(() => undefined))?.close();
  }

  private check() {
    if (this.closed) throw new StoreError('unavailable', 'the store is closed');
  }
}

function toStored(r: Row): StoredObject {
  return { key: r.key, value: JSON.parse(r.value), revision: r.rev };
}
