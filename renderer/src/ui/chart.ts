// Pure helpers of the live charts: a bounded window of samples, a readable axis top, SVG paths.

/** Appends and keeps the newest `max` items (a new array: React state). */
export function pushWindow<T>(window: readonly T[], item: T, max: number): T[] {
  const next = window.length >= max ? window.slice(window.length - max + 1) : window.slice();
  next.push(item);
  return next;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `x` (at least `floor`): a round top for the axis. */
export function niceCeil(x: number, floor = 1): number {
  const v = Math.max(x, floor);
  if (!Number.isFinite(v) || v <= 0) return floor > 0 ? floor : 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * exp >= v * (1 - 1e-9)) return m * exp;
  }
  return 10 * exp;
}

export interface ChartBox {
  width: number;
  height: number;
  /** How many samples the full width holds; fewer are drawn from the right edge. */
  capacity: number;
  max: number;
}

/** x of sample i of n: the newest at the right edge, one slot per sample. */
function x(i: number, n: number, box: ChartBox): number {
  const step = box.width / Math.max(1, box.capacity - 1);
  return box.width - (n - 1 - i) * step;
}

function y(v: number, box: ChartBox): number {
  const clamped = Math.min(Math.max(v, 0), box.max);
  return box.height - (box.max > 0 ? (clamped / box.max) * box.height : 0);
}

const r = (n: number) => Math.round(n * 10) / 10;

/** `M x y L x y …` through the values; empty for no values. */
export function linePath(values: readonly number[], box: ChartBox): string {
  return values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${r(x(i, values.length, box))} ${r(y(v, box))}`)
    .join(' ');
}

/** The line closed down to the axis, for a filled area under it. */
export function areaPath(values: readonly number[], box: ChartBox): string {
  if (values.length === 0) return '';
  const first = r(x(0, values.length, box));
  return `${linePath(values, box)} L${r(box.width)} ${box.height} L${first} ${box.height} Z`;
}
