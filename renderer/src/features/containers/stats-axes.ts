// The top of each stats chart's axis: round, above the highest value shown, within what can happen.
import { niceCeil } from '../../ui/chart.ts';

/** CPU %: up to 100 per CPU; at least 1 %, so an idle container draws a flat line, not noise. */
export function cpuAxis(values: readonly number[], onlineCpus: number): number {
  const top = niceCeil(Math.max(0, ...values) * 1.2, 1);
  return onlineCpus > 0 ? Math.min(top, 100 * onlineCpus) : top;
}

/** Memory: the limit when usage comes near it (a container with `--memory`), else a round top. */
export function memoryAxis(values: readonly number[], limit: number): number {
  const top = niceCeil(Math.max(0, ...values) * 1.2, 1_000_000);
  return limit > 0 ? Math.min(top, limit) : top;
}

/** Rates in bytes per second; at least 1 kB/s. */
export function rateAxis(...series: (readonly number[])[]): number {
  return niceCeil(Math.max(0, ...series.flat()) * 1.2, 1000);
}
