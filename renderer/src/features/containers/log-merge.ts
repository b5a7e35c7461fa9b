// The logs of several containers (a compose project's services) as one, in time order, the way
// `docker compose logs` shows them. Each source keeps its own LogBuffer (its lines, search and colour
// state, as a terminal of its own would); the merged view is an index over them: which source and
// which of its lines each row shows. Lines arrive source by source, mostly in time order: a batch
// that belongs at the end is appended, one that belongs earlier is merged into the rows after it.
import type { LogBatch } from '../../../../electron/contract/index.ts';
import { LogBuffer, type LogModel, type ShownLine } from './log-buffer.ts';

/** Milliseconds since the epoch, with the fraction (to a quarter of a microsecond), of an RFC 3339 time. */
export function timeKey(ts: string, cache: { second: string; ms: number }): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return Number.NaN;
  const second = m[1] + m[3];
  if (cache.second !== second) {
    cache.second = second;
    cache.ms = Date.parse(second);
  }
  return cache.ms + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

interface Source {
  buffer: LogBuffer;
  /** Time of each of the buffer's lines. */
  keys: Float64Array;
  /** Row of each of the buffer's lines in the merged view (-1: not shown). */
  rows: Int32Array;
  parse: { second: string; ms: number };
  dropped: number;
}

export class MergedLog implements LogModel {
  private readonly sources: Source[];
  private shown: boolean[];
  private src = new Uint16Array(1024);
  private idx = new Uint32Array(1024);
  private n = 0;
  private rewrittenFrom = Number.POSITIVE_INFINITY;
  private found: { query: string; n: number; rewrites: number; rows: number[] } | null = null;
  private rewrites = 0;
  readonly dropped = 0;

  constructor(count: number, maxLines = 1_000_000) {
    const perSource = Math.max(50_000, Math.floor(maxLines / Math.max(1, count)));
    this.sources = Array.from({ length: count }, () => ({
      buffer: new LogBuffer(true, perSource),
      keys: new Float64Array(1024),
      rows: new Int32Array(1024).fill(-1),
      parse: { second: '', ms: 0 },
      dropped: 0,
    }));
    this.shown = Array.from({ length: count }, () => true);
  }

  get length(): number {
    return this.n;
  }

  takeRewrite(): number {
    const from = this.rewrittenFrom;
    this.rewrittenFrom = Number.POSITIVE_INFINITY;
    return from;
  }

  /** Lines of source `s` (all of them, shown or not). */
  sourceLength(s: number): number {
    return this.sources[s].buffer.length;
  }

  append(s: number, batch: LogBatch): void {
    const source = this.sources[s];
    const { buffer } = source;
    const from = buffer.length;
    buffer.append(batch);
    if (buffer.dropped !== source.dropped) {
      // The buffer trimmed its front: every index of it moved. Rare (in steps of an eighth).
      source.dropped = buffer.dropped;
      source.keys = new Float64Array(Math.max(1024, buffer.length * 2));
      source.rows = new Int32Array(source.keys.length);
      this.keyLines(source, 0);
      this.rebuild();
      return;
    }
    this.keyLines(source, from);
    if (!this.shown[s] || buffer.length === from) return;
    const first = source.keys[from];
    if (this.n === 0 || first >= this.keyOfRow(this.n - 1)) {
      this.reserve(this.n + buffer.length - from);
      for (let j = from; j < buffer.length; j++) this.put(this.n++, s, j);
      return;
    }
    // Belongs before rows already there: merge it with the rows after the first one later than it.
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keyOfRow(mid) <= first) lo = mid + 1;
      else hi = mid;
    }
    const tailSrc = this.src.slice(lo, this.n);
    const tailIdx = this.idx.slice(lo, this.n);
    this.reserve(this.n + buffer.length - from);
    let row = lo;
    let a = 0;
    let j = from;
    while (a < tailSrc.length || j < buffer.length) {
      const takeOld =
        j >= buffer.length ||
        (a < tailSrc.length && this.sources[tailSrc[a]].keys[tailIdx[a]] <= source.keys[j]);
      if (takeOld) {
        this.put(row++, tailSrc[a], tailIdx[a]);
        a++;
      } else this.put(row++, s, j++);
    }
    this.n = row;
    this.rewritten(lo);
  }

  /** Which sources the view shows (by position); the rows are built again. */
  setShown(shown: boolean[]): void {
    if (shown.length === this.shown.length && shown.every((v, i) => v === this.shown[i])) return;
    this.shown = [...shown];
    this.rebuild();
  }

  line(i: number): ShownLine {
    const s = this.src[i];
    return { ...this.sources[s].buffer.line(this.idx[i]), source: s };
  }

  shownLength(i: number, withTimestamp: boolean): number {
    return this.sources[this.src[i]].buffer.shownLength(this.idx[i], withTimestamp);
  }

  /** Each shown source searches its own lines; their matches are put in row order. */
  search(query: string): number[] {
    if (!query) return [];
    const f = this.found;
    if (f && f.query === query && f.n === this.n && f.rewrites === this.rewrites) return f.rows;
    const lists: number[][] = [];
    this.sources.forEach((source, s) => {
      if (!this.shown[s]) return;
      const rows: number[] = [];
      for (const j of source.buffer.search(query)) {
        const r = source.rows[j];
        if (r >= 0 && r < this.n) rows.push(r);
      }
      lists.push(rows);
    });
    const rows = mergeSorted(lists);
    this.found = { query, n: this.n, rewrites: this.rewrites, rows };
    return rows;
  }

  private keyOfRow(row: number): number {
    return this.sources[this.src[row]].keys[this.idx[row]];
  }

  private put(row: number, s: number, j: number): void {
    this.src[row] = s;
    this.idx[row] = j;
    this.sources[s].rows[j] = row;
  }

  private reserve(n: number): void {
    if (n <= this.src.length) return;
    const size = Math.max(n, this.src.length * 2);
    const src = new Uint16Array(size);
    src.set(this.src.subarray(0, this.n));
    const idx = new Uint32Array(size);
    idx.set(this.idx.subarray(0, this.n));
    this.src = src;
    this.idx = idx;
  }

  /** Times of the source's lines from `from` on; a line without one sorts with the line before it. */
  private keyLines(source: Source, from: number): void {
    const { buffer } = source;
    if (buffer.length > source.keys.length) {
      const keys = new Float64Array(buffer.length * 2);
      keys.set(source.keys);
      source.keys = keys;
      const rows = new Int32Array(keys.length).fill(-1);
      rows.set(source.rows);
      source.rows = rows;
    }
    for (let j = from; j < buffer.length; j++) {
      const k = timeKey(buffer.timestamp(j), source.parse);
      source.keys[j] = Number.isNaN(k) ? (j > 0 ? source.keys[j - 1] : 0) : k;
      source.rows[j] = -1;
    }
  }

  /** All rows again from the shown sources, in time order (a source's own order kept on ties). */
  private rebuild(): void {
    const shown = this.sources.map((_, s) => s).filter((s) => this.shown[s]);
    let total = 0;
    for (const s of this.sources) s.rows.fill(-1);
    for (const s of shown) total += this.sources[s].buffer.length;
    this.n = 0;
    this.reserve(total);
    const next = shown.map(() => 0);
    for (let row = 0; row < total; row++) {
      let best = -1;
      let bestKey = Number.POSITIVE_INFINITY;
      for (let k = 0; k < shown.length; k++) {
        const source = this.sources[shown[k]];
        if (next[k] >= source.buffer.length) continue;
        const key = source.keys[next[k]];
        if (best < 0 || key < bestKey) {
          best = k;
          bestKey = key;
        }
      }
      this.put(row, shown[best], next[best]++);
    }
    this.n = total;
    this.rewritten(0);
  }

  private rewritten(from: number): void {
    this.rewrites++;
    this.rewrittenFrom = Math.min(this.rewrittenFrom, from);
  }
}

/** One ascending list from several ascending lists. */
function mergeSorted(lists: number[][]): number[] {
  const nonEmpty = lists.filter((l) => l.length);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  let out = nonEmpty[0];
  for (let k = 1; k < nonEmpty.length; k++) {
    const b = nonEmpty[k];
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < out.length || j < b.length) {
      if (j >= b.length || (i < out.length && out[i] <= b[j])) merged.push(out[i++]);
      else merged.push(b[j++]);
    }
    out = merged;
  }
  return out;
}

/** Colours for source prefixes, as `docker compose logs` cycles them: cyan, yellow, green, magenta, blue… */
const prefixPalette = [6, 3, 2, 5, 4, 14, 11, 10, 13, 12];

/**
 * A palette colour for each label: chosen by the label's own hash, so that a service keeps its colour
 * from one view to the next, and moved on to a free one when two labels would share it.
 */
export function sourceColours(labels: string[]): number[] {
  const used = new Set<number>();
  return labels.map((label) => {
    let h = 0;
    for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
    let slot = h % prefixPalette.length;
    for (let tries = 0; tries < prefixPalette.length && used.has(slot); tries++)
      slot = (slot + 1) % prefixPalette.length;
    used.add(slot);
    if (used.size >= prefixPalette.length) used.clear();
    return prefixPalette[slot];
  });
}
