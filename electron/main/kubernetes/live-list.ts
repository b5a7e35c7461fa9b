// One live list: a list, then a watch from its resourceVersion, kept as rows (each object mapped once,
// when it arrives) and fanned out to every subscriber. Subscribers get the whole list on every (re)list
// and, between lists, the changes of each ~50 ms gathered into one event, so a burst of 100 pod status
// changes is one message, not 100. A watch the server ends is resumed from where it was; one that breaks
// says `reconnecting` and relists; a list that fails says why (`error` with the problem) and is retried
// with a growing delay. Nothing polls: between failures there is only the watch.
import type { KubeKind, KubeProblem, KubeRow, KubeWatchEvent } from '../../contract/index.ts';
import { KubeApiError, type WatchEvent } from './kube-client.ts';
import { kubeProblem } from './problems.ts';
import { type RawObject, type RowContext, toRow } from './rows.ts';

/** Where a list's objects come from (the API server; a fake in unit tests). */
export interface ListSource {
  list(signal: AbortSignal): Promise<{ items: RawObject[]; resourceVersion: string }>;
  /** Resolves when the server ends the watch; rejects when it breaks or cannot start. */
  watch(resourceVersion: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

/** The timer seam: schedules `fn` after `ms`; the answer cancels it. */
export interface Timers {
  after(ms: number, fn: () => void): () => void;
  now(): number;
}

export const realTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  now: () => Date.now(),
};

export interface LiveListOptions {
  kind: KubeKind;
  source: ListSource;
  rowContext: RowContext;
  timers?: Timers;
  /** How long changes gather before they are sent. */
  batchMs?: number;
  /** The delay before the nth retry (from 0). */
  retryDelayMs?: (attempt: number) => number;
}

type Emit = (e: KubeWatchEvent) => void;
type State = Extract<KubeWatchEvent, { type: 'state' }>;

/** 0.5 s, 1 s, 2 s … at most 10 s. */
const defaultRetryDelay = (attempt: number) => Math.min(500 * 2 ** attempt, 10_000);
/** A watch that lasted this long was healthy: the next failure retries at once. */
const healthyWatchMs = 10_000;

export class LiveList {
  private readonly rows = new Map<string, KubeRow>();
  private resourceVersion = '';
  private synced = false;
  private current: State = { type: 'state', state: 'syncing' };
  private readonly subscribers = new Set<Emit>();
  private readonly upserts = new Map<string, KubeRow>();
  private readonly deletes = new Set<string>();
  private cancelFlush: (() => void) | null = null;
  private cancelSleep: (() => void) | null = null;
  private readonly abort = new AbortController();
  private readonly timers: Timers;
  private readonly batchMs: number;
  private readonly retryDelay: (attempt: number) => number;

  constructor(private readonly o: LiveListOptions) {
    this.timers = o.timers ?? realTimers;
    this.batchMs = o.batchMs ?? 50;
    this.retryDelay = o.retryDelayMs ?? defaultRetryDelay;
  }

  get size(): number {
    return this.rows.size;
  }

  get state(): State {
    return this.current;
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
    this.cancelFlush?.();
    this.cancelSleep?.();
    this.subscribers.clear();
  }

  /** Adds a subscriber: it gets the state now and the rows as they stand (once listed). */
  subscribe(emit: Emit): () => void {
    this.subscribers.add(emit);
    if (this.synced) emit(this.snapshot());
    emit(this.current);
    return () => {
      this.subscribers.delete(emit);
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private snapshot(): KubeWatchEvent {
    return { type: 'snapshot', rows: [...this.rows.values()], resourceVersion: this.resourceVersion };
  }

  private send(e: KubeWatchEvent): void {
    for (const s of this.subscribers) s(e);
  }

  private setState(state: State['state'], problem?: KubeProblem): void {
    const same =
      this.current.state === state &&
      this.current.problem?.kind === problem?.kind &&
      this.current.problem?.message === problem?.message;
    if (same) return;
    this.current = problem ? { type: 'state', state, problem } : { type: 'state', state };
    this.send(this.current);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      let watchStarted: number | null = null;
      try {
        const { items, resourceVersion } = await this.o.source.list(signal);
        if (signal.aborted) return;
        this.relisted(items, resourceVersion);
        this.setState('live');
        for (;;) {
          watchStarted = this.timers.now();
          await this.o.source.watch(this.resourceVersion, (e) => this.onEvent(e), signal);
          if (signal.aborted) return;
          // The server ended the watch (its timeout): resume from the last version seen.
          if (this.timers.now() - watchStarted >= healthyWatchMs) attempt = 0;
          else await this.sleep(this.retryDelay(attempt++));
          if (signal.aborted) return;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (watchStarted !== null && this.timers.now() - watchStarted >= healthyWatchMs) attempt = 0;
        const problem = kubeProblem(err);
        const gone = err instanceof KubeApiError && err.statusCode === 410;
        const dropped =
          watchStarted !== null && (gone || problem.kind === 'unreachable' || problem.kind === 'other');
        if (dropped) {
          // The watch broke or its version expired: relist (at once after a healthy watch).
          this.setState('reconnecting');
          await this.sleep(attempt === 0 ? 0 : this.retryDelay(attempt - 1));
          attempt++;
        } else {
          this.setState('error', problem);
          await this.sleep(this.retryDelay(attempt++));
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.cancelSleep = this.timers.after(ms, () => {
        this.cancelSleep = null;
        resolve();
      });
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** A (re)list: the rows are replaced and every subscriber gets them whole; pending changes are moot. */
  private relisted(items: RawObject[], resourceVersion: string): void {
    this.rows.clear();
    for (const item of items) {
      const row = toRow(this.o.kind, item, this.o.rowContext);
      this.rows.set(row.uid, row);
    }
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.upserts.clear();
    this.deletes.clear();
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.send(this.snapshot());
  }

  private onEvent(e: WatchEvent): void {
    const obj = e.object as unknown as RawObject;
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'DELETED') {
      const uid = obj.metadata.uid ?? `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
      this.rows.delete(uid);
      this.upserts.delete(uid);
      this.deletes.add(uid);
    } else {
      const row = toRow(this.o.kind, obj, this.o.rowContext);
      this.rows.set(row.uid, row);
      this.deletes.delete(row.uid);
      this.upserts.set(row.uid, row);
    }
    this.cancelFlush ??= this.timers.after(this.batchMs, () => this.flush());
  }

  private flush(): void {
    this.cancelFlush = null;
    if (!this.upserts.size && !this.deletes.size) return;
    const e: KubeWatchEvent = {
      type: 'changes',
      upserts: [...this.upserts.values()],
      deletes: [...this.deletes],
    };
    this.upserts.clear();
    this.deletes.clear();
    this.send(e);
  }
}
