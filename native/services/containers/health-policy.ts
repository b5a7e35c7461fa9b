import { invalid } from '../../core/errors.ts';
import type { HealthConfig, HealthLogEntry, HealthState, HealthStatus } from './model.ts';

/** Docker's defaults (daemon/health.go): durations in milliseconds. */
export const healthDefaults = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
  retries: 3,
} as const;

/** Output kept per probe; longer output is cut and marked with "...". */
export const maxProbeOutput = 4096;
const maxLogEntries = 5;
const nsPerMs = 1_000_000;

/** A healthcheck with every duration resolved, ready to schedule. */
export interface Probe {
  /** The command run in the container. */
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

export interface ProbeResult {
  startMs: number;
  endMs: number;
  exitCode: number;
  output: string;
}

const orDefault = (ns: number | undefined, ms: number) => (ns && ns > 0 ? ns / nsPerMs : ms);

/**
 * The probe of a container, or undefined when it has none: no healthcheck, `NONE`, an empty test or
 * an unknown test type (dockerd only logs a warning for that one).
 */
export function probeOf(hc: HealthConfig | null | undefined, shell?: string[] | null): Probe | undefined {
  const test = hc?.Test ?? [];
  if (!hc || test.length === 0) return undefined;
  let cmd: string[];
  if (test[0] === 'CMD') cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL') cmd = [...(shell?.length ? shell : ['/bin/sh', '-c']), ...test.slice(1)];
  else return undefined;
  if (cmd.length === 0) return undefined;
  return {
    cmd,
    intervalMs: orDefault(hc.Interval, healthDefaults.intervalMs),
    timeoutMs: orDefault(hc.Timeout, healthDefaults.timeoutMs),
    startPeriodMs: orDefault(hc.StartPeriod, healthDefaults.startPeriodMs),
    startIntervalMs: orDefault(hc.StartInterval, healthDefaults.startIntervalMs),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : healthDefaults.retries,
  };
}

/**
 * The container's healthcheck from the create request over the image's, field by field, as dockerd
 * merges them: a user config without a test keeps the image's test, zero durations take the image's.
 */
export function mergeHealthcheck(
  user: HealthConfig | null | undefined,
  image: HealthConfig | null | undefined,
): HealthConfig | undefined {
  if (!user) return image ? { ...image } : undefined;
  if (!image) return { ...user };
  const out: HealthConfig = { ...user };
  if (!out.Test?.length) out.Test = image.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!out[k] && image[k]) out[k] = image[k];
  }
  return out;
}

const minimumNs = nsPerMs;

/** dockerd's validateHealthCheck, with its messages. */
export function validateHealthcheck(hc: HealthConfig | null | undefined): void {
  if (!hc) return;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const v = hc[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(
        `json: cannot unmarshal ${typeof v} into Go struct field HealthConfig.Healthcheck.${k} of type time.Duration`,
      );
    }
    if (v !== 0 && v < minimumNs) throw invalid(`${k} in Healthcheck cannot be less than 1ms`);
  }
  if (hc.Retries !== undefined && hc.Retries !== null && hc.Retries < 0) {
    throw invalid('Retries in Healthcheck cannot be negative');
  }
  if (hc.Test !== undefined && hc.Test !== null && !Array.isArray(hc.Test)) {
    throw invalid(
      'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Test of type []string',
    );
  }
}

/**
 * How long to wait before the next probe, from the end of the previous one (or from the start of the
 * container): the start interval while starting within the start period, cut short when the start
 * period ends first (moby/moby#52317), else the interval.
 */
export function nextProbeDelay(
  probe: Probe,
  startedAtMs: number,
  nowMs: number,
  status: HealthStatus,
): number {
  const elapsed = nowMs - startedAtMs;
  if (elapsed >= probe.startPeriodMs || status !== 'starting') return probe.intervalMs;
  return Math.min(probe.startIntervalMs, probe.startPeriodMs - elapsed);
}

/**
 * Records one probe result: the log keeps the last five, success resets the failing streak, a failure
 * counts unless the container is still starting within its start period, `retries` failures in a row
 * make it unhealthy. Returns the status it changed to, if it changed.
 */
export function recordProbe(
  health: HealthState,
  probe: Probe,
  result: ProbeResult,
  startedAtMs: number,
): HealthStatus | undefined {
  const before = health.Status;
  const entry: HealthLogEntry = {
    Start: new Date(result.startMs).toISOString(),
    End: new Date(result.endMs).toISOString(),
    ExitCode: result.exitCode,
    Output: result.output,
  };
  health.Log = [...health.Log, entry].slice(-maxLogEntries);
  if (result.exitCode === 0) {
    health.FailingStreak = 0;
    health.Status = 'healthy';
  } else if (!(health.Status === 'starting' && result.startMs - startedAtMs < probe.startPeriodMs)) {
    health.FailingStreak++;
    if (health.FailingStreak >= probe.retries) health.Status = 'unhealthy';
  }
  return health.Status !== before ? health.Status : undefined;
}

/** The text of a probe that ran out of time, as dockerd words it. */
export function timeoutOutput(timeoutMs: number, output: string): string {
  const head = `Health check exceeded timeout (${goDuration(timeoutMs)})`;
  return output ? `${head}: ${output}` : head;
}

/** Go's time.Duration String() for whole milliseconds: 200ms, 1s, 1.5s, 1m30s, 1h0m0s. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toString();
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Collects probe output up to maxProbeOutput bytes. */
export class LimitedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  write(data: Buffer): void {
    const keep = Math.min(maxProbeOutput - this.size, data.length);
    if (keep > 0) {
      this.chunks.push(data.subarray(0, keep));
      this.size += keep;
    }
    if (keep < data.length) this.truncated = true;
  }

  toString(): string {
    const out = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${out}...` : out;
  }
}
