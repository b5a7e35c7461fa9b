// Removals kept for a few seconds so that they can be undone. The wait lives here in main, not in the
// page: a removal the user confirmed still happens when the page reloads or its window closes (quit
// flushes what is left), and every list main answers leaves the waiting containers out.
import type { RemovalOutcome } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError, toContractError } from '../ipc/errors.ts';

/** Time as a seam, so that tests move it by hand. */
export interface RemovalTimers {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemTimers: RemovalTimers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/** What the removals need of the engine. */
export interface RemovalEngine {
  describe(id: string): Promise<{ id: string; name: string; running: boolean }>;
  /** Without force: a container started again meanwhile is not killed, its removal fails instead. */
  remove(id: string): Promise<void>;
}

export function engineRemovals(client: EngineClient): RemovalEngine {
  return {
    async describe(id) {
      const info = await client.docker.getContainer(id).inspect();
      const s = info.State;
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        running: s.Running || s.Paused || s.Restarting,
      };
    },
    async remove(id) {
      await client.docker.getContainer(id).remove({ force: false });
    },
  };
}

/** As long as the toast that offers Undo stays. */
export const removalDelayMs = 5000;

interface Pending {
  id: string;
  name: string;
  timer: { cancel(): void };
  /** The engine is removing it: too late to undo. */
  inFlight?: Promise<void>;
}

export class PendingRemovals {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(o: RemovalOutcome) => void>();

  constructor(
    private readonly engine: RemovalEngine,
    private readonly timers: RemovalTimers = systemTimers,
    readonly delayMs = removalDelayMs,
  ) {}

  /** Keeps `ids` (all stopped) for `delayMs`, then removes them. Refuses the lot if one runs. */
  async schedule(ids: string[]): Promise<void> {
    const found = await Promise.all(ids.map((id) => this.engine.describe(id)));
    const running = found.filter((c) => c.running).map((c) => c.name);
    if (running.length > 0) {
      throw new HandlerError(
        'conflict',
        'remove.running',
        `${running.join(', ')} ${running.length === 1 ? 'is' : 'are'} running: stop ${running.length === 1 ? 'it' : 'them'} first, or remove with force`,
      );
    }
    for (const c of found) {
      if (this.pending.has(c.id)) continue;
      const timer = this.timers.setTimeout(() => void this.settle(c.id), this.delayMs);
      this.pending.set(c.id, { id: c.id, name: c.name, timer });
    }
  }

  /** Takes back the removals that have not begun; answers the ids it took back. */
  undo(ids: string[]): string[] {
    const restored: string[] = [];
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p || p.inFlight) continue;
      p.timer.cancel();
      this.pending.delete(id);
      restored.push(id);
      this.emit({ id, name: p.name, outcome: 'restored' });
    }
    return restored;
  }

  /** Hidden from lists: waiting, or being removed. */
  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  onOutcome(listener: (o: RemovalOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Removes everything still waiting, now (the app is quitting). */
  async flush(): Promise<void> {
    const all = [...this.pending.values()];
    await Promise.all(all.map((p) => p.inFlight ?? this.settle(p.id)));
  }

  private settle(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p) return Promise.resolve();
    if (p.inFlight) return p.inFlight;
    p.timer.cancel();
    p.inFlight = this.engine.remove(id).then(
      () => {
        this.pending.delete(id);
        this.emit({ id, name: p.name, outcome: 'removed' });
      },
      (err: unknown) => {
        this.pending.delete(id);
        this.emit({ id, name: p.name, outcome: 'failed', message: toContractError(err).message });
      },
    );
    return p.inFlight;
  }

  private emit(o: RemovalOutcome): void {
    for (const l of this.listeners) l(o);
  }
}
