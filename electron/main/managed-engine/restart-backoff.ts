// When the berthd the app started dies by itself, the app starts it again: after 1 s, then 2, 4 … up to
// 30 s between attempts while it keeps dying, and after 1 s again once it has stayed up for 30 s. An
// engine the app did not start has no RestartBackoff: the app never restarts it.
import { type Clock, systemClock } from './clock.ts';

export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Up this long, it counts as healthy: the next death waits `firstDelayMs` again. */
  stableMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  firstDelayMs: 1000,
  maxDelayMs: 30_000,
  stableMs: 30_000,
};

export interface RestartState {
  /** Restarts since it last stayed up. */
  attempt: number;
  /** Until the next start; 0 while a start is under way. */
  inMs: number;
  lastExit: string;
}

/**
 * The owner reports what happens: `up()` after every start that answers (whoever asked for it),
 * `died(why)` when the process ends unasked or a start fails, `reset()` when someone stops or restarts it
 * on purpose. `start` is how this starts it again.
 */
export class RestartBackoff {
  private attempt = 0;
  private upSince: number | null = null;
  private timer: { cancel(): void } | null = null;
  private dueAt = 0;
  private lastExit = '';
  private starting = false;

  constructor(
    private readonly start: () => Promise<void>,
    private readonly clock: Clock = systemClock,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  up(): void {
    this.upSince = this.clock.now();
  }

  died(why: string): void {
    if (this.timer) return;
    const now = this.clock.now();
    if (this.upSince !== null && now - this.upSince >= this.policy.stableMs) this.attempt = 0;
    this.upSince = null;
    this.lastExit = why;
    const delay = Math.min(
      this.policy.maxDelayMs,
      this.policy.firstDelayMs * 2 ** Math.min(this.attempt, 30),
    );
    this.attempt++;
    this.dueAt = now + delay;
    this.log(`berthd ${why}; Berth starts it again in ${delay / 1000} s`);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.restart();
    }, delay);
  }

  reset(): void {
    this.timer?.cancel();
    this.timer = null;
    this.attempt = 0;
    this.lastExit = '';
  }

  /** Null while nothing is pending. */
  state(): RestartState | null {
    if (this.timer) {
      const inMs = Math.max(0, this.dueAt - this.clock.now());
      return { attempt: this.attempt, inMs, lastExit: this.lastExit };
    }
    if (this.starting) return { attempt: this.attempt, inMs: 0, lastExit: this.lastExit };
    return null;
  }

  private async restart(): Promise<void> {
    this.starting = true;
    try {
      await this.start();
    } catch {
      // The owner reported the failure through died(), which scheduled the next attempt.
    } finally {
      this.starting = false;
    }
  }
}
