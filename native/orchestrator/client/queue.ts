// A controller's work queue: object keys to reconcile, each at most once in the queue and never
// reconciled by two workers at a time (a key added while it is being worked on runs again after);
// a failed key comes back after a back-off that doubles per consecutive failure, as client-go's
// rate-limited queue does; `addAfter` is for work that is due later (a CronJob's next run, a
// toleration that runs out). Time comes through the Clock seam so tests can drive it.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';

export interface QueueOptions {
  clock: Clock;
  log: Logger;
  /** How many keys are reconciled at once. */
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { cancel(): void }>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly reconcile: (key: string) => Promise<void>,
    private readonly opts: QueueOptions,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.pump();
  }

  /** Adds the key after `ms`; an earlier pending addAfter of the same key wins if it is sooner. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.timers.get(key)?.cancel();
    this.timers.set(
      key,
      this.opts.clock.setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /** Resolves when nothing is queued or being worked on (tests wait on it). */
  idle(): Promise<void> {
    if (!this.order.length && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.order.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    const workers = this.opts.workers ?? 1;
    while (this.running < workers && this.order.length) {
      const key = this.order.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.work(key);
    }
    if (!this.order.length && !this.running) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async work(key: string): Promise<void> {
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min((this.opts.baseDelayMs ?? 5) * 2 ** (n - 1), this.opts.maxDelayMs ?? 60_000);
      this.opts.log.warn(`${this.name}: cannot reconcile ${key}; trying again`, {
        error: err instanceof Error ? err.message : String(err),
        inMs: delay,
      });
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }
}
