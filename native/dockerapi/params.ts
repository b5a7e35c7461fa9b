import { invalid } from '../core/errors.ts';
import { parseTimeNs } from '../services/containers/log-file.ts';

/**
 * Docker's `since`/`until` query values: unix seconds (with fraction), RFC 3339, or a duration
 * relative to now. `0` means unset, or the epoch where `zeroIsEpoch` (`docker events --since 0`).
 */
export function timeParam(v: string | null, nowMs = Date.now(), zeroIsEpoch = false): bigint | undefined {
  if (v === '0' && zeroIsEpoch) return 0n;
  if (v === null || v === '' || v === '0') return undefined;
  const dur = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (dur) {
    const mult: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return BigInt(Math.round(nowMs - Number(dur[1]) * mult[dur[2]])) * 1_000_000n;
  }
  const ns = parseTimeNs(v);
  if (ns === 0n) throw invalid(`invalid value for time: ${v}`);
  return ns;
}

/** A query value that carries JSON (`buildargs`, `labels`); absent gives the default. */
export function jsonParam<T>(query: URLSearchParams, name: string, dflt: T): T {
  const v = query.get(name);
  if (!v) return dflt;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw invalid(`invalid ${name} parameter: not JSON`);
  }
}
