import type { Clock } from '../../core/clock.ts';

/** Docker's restart back-off: 100 ms doubling up to a minute; back to 100 ms after 10 s of running. */
export const backoffStartMs = 100;
export const backoffMaxMs = 60_000;
export const resetAfterMs = 10_000;

interface State {
  delayMs: number;
  timer?: { cancel(): void };
}

/**
 * When each container with a restart policy starts again, on the daemon's clock (a seam, so that a
 * unit test can measure the delays): one pending restart per container, the delay growing with each
 * exit that follows a short run.
 */
export class RestartBackoff {
  private readonly state = new Map<string, State>();

  constructor(private readonly clock: Clock) {}

  /**
   * After an exit the policy restarts: runs `restart` after the current delay and doubles it for the
   * next exit, unless the container ran `resetAfterMs` or longer. Returns the delay.
   */
  afterExit(id: string, ranMs: number, restart: () => void): number {
    const s = this.state.get(id) ?? { delayMs: backoffStartMs };
    if (ranMs >= resetAfterMs) s.delayMs = backoffStartMs;
    const delay = s.delayMs;
    this.state.set(id, s);
    this.schedule(id, delay, restart);
    s.delayMs = Math.min(s.delayMs * 2, backoffMaxMs);
    return delay;
  }

  /** Runs `restart` after `delayMs` (0 at daemon start), replacing a pending one; keeps the back-off. */
  schedule(id: string, delayMs: number, restart: () => void): void {
    const s = this.state.get(id) ?? { delayMs: backoffStartMs };
    s.timer?.cancel();
    s.timer = this.clock.setTimeout(restart, delayMs);
    this.state.set(id, s);
  }

  /** A user stop or remove: the pending restart is cancelled and the back-off forgotten. */
  cancel(id: string): void {
    this.state.get(id)?.timer?.cancel();
    this.state.delete(id);
  }

  cancelAll(): void {
    for (const s of this.state.values()) s.timer?.cancel();
  }
}
