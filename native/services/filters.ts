import { invalid } from '../core/errors.ts';

/**
 * Docker's `label` filters, shared by container and image listing and pruning: `key` needs the label,
 * `key=value` needs that value; `label!` entries must not match.
 */
export function labelsMatch(labels: Record<string, string>, want: string[], notWant: string[] = []): boolean {
  const has = (l: string) => {
    const i = l.indexOf('=');
    return i < 0 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1);
  };
  return want.every(has) && !notWant.some(has);
}

const goUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`90s`, `1h30m`, `1.5h`) in milliseconds; undefined when it is not one. */
export function goDurationMs(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (!m) return undefined;
  let ms = 0;
  for (const [, n, unit] of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(n) * goUnits[unit];
  return ms;
}

/**
 * A prune `until` filter as dockerd reads it (timetypes.GetTimestamp): a duration before now, unix
 * seconds, or a date and time; in milliseconds since the epoch.
 */
export function untilMs(v: string, nowMs: number): number {
  const dur = goDurationMs(v);
  if (dur !== undefined) return nowMs - dur;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = /^\d{4}-\d\d-\d\d/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isNaN(t)) return t;
  throw invalid(`failed to parse value as time or duration: ${JSON.stringify(v)}`);
}
