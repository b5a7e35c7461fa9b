// Rows of different heights (wrapped log lines) for the windowing math: every row has an estimate,
// the rows drawn are measured and their real heights replace the estimates, and the tops of all rows
// are kept as prefix sums, so that finding the row at a scroll position is a binary search even for a
// million rows. A measurement moves the rows below it: one pass over them, once per batch.
import type { Rows } from './windowing.ts';

export class RowOffsets implements Rows {
  /** tops[i] is the top of row i; tops[count] the total. */
  private tops = new Float64Array(1025);
  private n = 0;

  get count(): number {
    return this.n;
  }

  get total(): number {
    return this.tops[this.n];
  }

  offsetOf(i: number): number {
    return this.tops[Math.min(Math.max(0, i), this.n)];
  }

  heightOf(i: number): number {
    return this.tops[i + 1] - this.tops[i];
  }

  indexAt(y: number): number {
    if (this.n === 0) return 0;
    // The last row whose top is at or above y.
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.tops[mid] <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Rows [count, `count`) are added with their estimated heights. */
  extend(count: number, estimate: (index: number) => number): void {
    if (count <= this.n) return;
    if (count + 1 > this.tops.length) {
      const bigger = new Float64Array(Math.max(count + 1, this.tops.length * 2));
      bigger.set(this.tops.subarray(0, this.n + 1));
      this.tops = bigger;
    }
    const tops = this.tops;
    for (let i = this.n; i < count; i++) tops[i + 1] = tops[i] + estimate(i);
    this.n = count;
  }

  /** Forgets rows from `index` on (their lines changed); extend estimates them again. */
  truncate(index: number): void {
    this.n = Math.min(this.n, Math.max(0, index));
  }

  /** Real heights of drawn rows, as [index, height] pairs; returns how many differed from before. */
  measure(heights: [number, number][]): number {
    const changes = new Map<number, number>();
    for (const [i, h] of heights) {
      if (i < 0 || i >= this.n) continue;
      const d = h - this.heightOf(i);
      if (Math.abs(d) >= 0.5) changes.set(i, d);
    }
    if (changes.size === 0) return 0;
    const sorted = [...changes].sort((a, b) => a[0] - b[0]);
    let shift = 0;
    const tops = this.tops;
    for (let k = 0; k < sorted.length; k++) {
      const [i, d] = sorted[k];
      shift += d;
      const stop = k + 1 < sorted.length ? sorted[k + 1][0] : this.n;
      for (let j = i; j < stop; j++) tops[j + 1] += shift;
    }
    return sorted.length;
  }
}
