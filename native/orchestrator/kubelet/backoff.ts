// The kubelet's restart back-off (CrashLoopBackOff) and image pull back-off (ImagePullBackOff):
// the first failure is retried at once, the next waits 10 s from the container's exit, doubling at each
// restart within the window, at most 5 min; an entry not touched for twice the maximum starts again
// from 10 s. As client-go's flowcontrol.Backoff that the kubelet uses (IsInBackOffSince the exit,
// Next at the restart), read from the Clock seam.
import type { Clock } from '../../core/clock.ts';

export const initialBackoffMs = 10_000;
export const maxBackoffMs = 300_000;

export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = initialBackoffMs,
    private readonly maxMs = maxBackoffMs,
  ) {}

  /** Milliseconds left before `key`, which failed at `since` (ms), may be tried again (0: now). */
  remaining(key: string, since: number): number {
    const e = this.entries.get(key);
    if (!e || since - e.lastUpdate > 2 * this.maxMs) return 0;
    return Math.max(0, since + e.delayMs - this.clock.now());
  }

  /** The current delay of `key` (what the waiting message says), 0 when it has none. */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Records a retry of a failure at `at` (ms): the next failure waits the (doubled) delay. */
  next(key: string, at: number = this.clock.now()): void {
    const now = at;
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs)
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), lastUpdate: now });
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key that starts with `prefix` (a pod's, once it is gone). */
  forget(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** `10s`, `1m20s`, `5m0s`: Go's time.Duration text, as the back-off messages print it. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}
