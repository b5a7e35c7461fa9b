import type { Clock } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { EventBus } from '../events.ts';
import type { ProbeRun } from '../exec/service.ts';
import { actorAttributes } from './create.ts';
import {
  nextProbeDelay,
  type Probe,
  type ProbeResult,
  probeOf,
  recordProbe,
  timeoutOutput,
} from './health-policy.ts';
import type { ContainerHealth } from './hooks.ts';
import type { ContainerRecord } from './model.ts';
import type { ContainerStore } from './store.ts';

/** Runs one probe command in a container (the exec service does, as an exec). */
export interface ProbeRunner {
  probe(ref: string, cmd: string[], timeoutMs: number): Promise<ProbeRun>;
}

export interface HealthDeps {
  clock: Clock;
  log: Logger;
  events: EventBus;
  store: Pick<ContainerStore, 'find' | 'save'>;
}

interface Watch {
  probe: Probe;
  timer?: { cancel(): void };
  stopped: boolean;
}

/**
 * Healthchecks, as dockerd runs them: from the start of a container, one probe at a time, the next
 * one an interval after the previous ended; the status lives in State.Health and each change is a
 * `health_status: …` event. An unhealthy container is only reported, never restarted.
 */
export class HealthMonitor implements ContainerHealth {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly deps: HealthDeps,
    private readonly runner: ProbeRunner,
  ) {}

  started(rec: ContainerRecord): void {
    this.unwatch(rec.Id);
    const probe = probeOf(rec.Config.Healthcheck, rec.Config.Shell);
    if (!probe) return;
    // A (re)started container is starting again; the log of earlier probes stays, as in dockerd.
    rec.State.Health = { Status: 'starting', FailingStreak: 0, Log: rec.State.Health?.Log ?? [] };
    this.persist(rec);
    const watch: Watch = { probe, stopped: false };
    this.watches.set(rec.Id, watch);
    this.schedule(rec, watch);
  }

  stopped(rec: ContainerRecord): void {
    this.unwatch(rec.Id);
  }

  /** Stops every timer (berthd shutting down); probing resumes when the containers are reconciled. */
  shutdown(): void {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }

  /** Whether a container is being probed (for tests and diagnostics). */
  watching(id: string): boolean {
    return this.watches.has(id);
  }

  private unwatch(id: string): void {
    const w = this.watches.get(id);
    if (!w) return;
    w.stopped = true;
    w.timer?.cancel();
    this.watches.delete(id);
  }

  private schedule(rec: ContainerRecord, w: Watch): void {
    const status = rec.State.Health?.Status ?? 'starting';
    const delay = nextProbeDelay(w.probe, Date.parse(rec.State.StartedAt), this.deps.clock.now(), status);
    w.timer = this.deps.clock.setTimeout(() => void this.run(rec, w), delay);
  }

  private async run(rec: ContainerRecord, w: Watch): Promise<void> {
    if (w.stopped) return;
    // dockerd does not probe a paused container; probing goes on once it is unpaused.
    if (rec.State.Status === 'paused') return this.schedule(rec, w);
    const result = await this.runOnce(rec, w.probe);
    // The container may have stopped while the probe ran: its result no longer counts.
    if (w.stopped || !rec.State.Health) return;
    const changed = recordProbe(rec.State.Health, w.probe, result, Date.parse(rec.State.StartedAt));
    this.persist(rec);
    if (changed) {
      this.deps.events.emit({
        Type: 'container',
        Action: `health_status: ${changed}`,
        Actor: { ID: rec.Id, Attributes: actorAttributes(rec) },
      });
    }
    this.schedule(rec, w);
  }

  private async runOnce(rec: ContainerRecord, probe: Probe): Promise<ProbeResult> {
    const startMs = this.deps.clock.now();
    try {
      const r = await this.runner.probe(rec.Id, probe.cmd, probe.timeoutMs);
      return {
        startMs,
        endMs: this.deps.clock.now(),
        exitCode: r.timedOut ? -1 : r.exitCode,
        output: r.timedOut ? timeoutOutput(probe.timeoutMs, r.output) : r.output,
      };
    } catch (err) {
      // A probe that could not even start is a failure with the reason as its output, as in dockerd.
      return { startMs, endMs: this.deps.clock.now(), exitCode: -1, output: errorMessage(err) };
    }
  }

  private persist(rec: ContainerRecord): void {
    if (this.deps.store.find(rec.Id) !== rec) return; // removed meanwhile: do not write it back
    this.deps.store
      .save(rec)
      .catch((err) =>
        this.deps.log.warn('saving health state failed', { id: rec.Id, error: errorMessage(err) }),
      );
  }
}
