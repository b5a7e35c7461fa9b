// The log view's lines: up to a million or so, kept as one array of strings (the timestamp, when there
// is one, stays at the front of its line and is split off only for the rows on screen), with a search
// that runs over the array and narrows the previous result while the user types.
// Lines with terminal escapes are kept twice: as they read (in the array, so that search, copy and
// download see plain text) and as written, with the colour state they leave for the next line, so
// that a row on screen is drawn in colour from its own line alone.
import type { LogBatch } from '../../../../electron/contract/index.ts';
import { hasControls, plainState, type SgrState, stripTracking } from '../../ui/ansi.ts';

export interface ShownLine {
  timestamp?: string;
  /** What the line reads: without its timestamp and escape sequences. */
  text: string;
  stderr: boolean;
  /** The text as written, escape sequences and all, when it has any. */
  styled?: string;
  /** The colours and attributes in force where the line starts, when lines before it left some. */
  sgr?: SgrState;
  /** Which source (of a merged view) the line is from. */
  source?: number;
}

/** What the log view draws from: one container's buffer, or several merged. */
export interface LogModel {
  readonly length: number;
  /** Lines dropped from the front to stay within the limit. */
  readonly dropped: number;
  /**
   * The lowest row whose line changed since the last call (Infinity: none, lines were only added):
   * what the view must measure again. One caller per model.
   */
  takeRewrite(): number;
  line(i: number): ShownLine;
  search(query: string): number[];
  /** Characters line `i` shows (for its wrapped height), its timestamp counted when `withTimestamp`. */
  shownLength(i: number, withTimestamp: boolean): number;
}

export interface SearchMode {
  /** Smart case: a query with a capital letter matches case; one without ignores it. */
  caseSensitive: boolean;
}

export function searchMode(query: string): SearchMode {
  return { caseSensitive: query !== query.toLowerCase() };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the query occurs in a line's text, as [start, end) pairs (for highlighting). */
export function matchRanges(text: string, query: string): [number, number][] {
  if (!query) return [];
  const out: [number, number][] = [];
  const hay = searchMode(query).caseSensitive ? text : text.toLowerCase();
  const needle = searchMode(query).caseSensitive ? query : query.toLowerCase();
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) {
    out.push([i, i + needle.length]);
  }
  return out;
}

interface SearchCache {
  query: string;
  mode: SearchMode;
  /** Indexes of the matching lines, ascending. */
  matches: number[];
  /** Lines searched so far (the buffer may have grown since). */
  searched: number;
}

export class LogBuffer implements LogModel {
  private lines: string[] = [];
  private stderr = new Uint8Array(1024);
  private cache: SearchCache | null = null;
  /** Lines with escapes, by absolute index (counting dropped lines), ascending; their text as written. */
  private styledAt: number[] = [];
  private styledRaw: string[] = [];
  /** The state each styled line leaves for the lines after it. */
  private styledEnd: SgrState[] = [];
  /** The state at the end of the last line appended, for the next batch. */
  private sgr: SgrState = plainState;
  /** The state where the first line kept starts (left by lines dropped from the front). */
  private frontSgr: SgrState = plainState;
  /** Lines dropped from the front to stay within the limit. */
  dropped = 0;
  private droppedSeen = 0;

  constructor(
    readonly timestamps: boolean,
    readonly maxLines = 1_000_000,
  ) {}

  get length(): number {
    return this.lines.length;
  }

  /** 0 when lines were dropped from the front since the last call (every row moved), else Infinity. */
  takeRewrite(): number {
    if (this.dropped === this.droppedSeen) return Number.POSITIVE_INFINITY;
    this.droppedSeen = this.dropped;
    return 0;
  }

  append(batch: LogBatch): void {
    const from = this.lines.length;
    const parts = batch.text.split('\n');
    const lines = this.lines;
    // One look at the whole batch: a log without escapes costs nothing more per line.
    if (!hasControls(batch.text)) for (let i = 0; i < parts.length; i++) lines.push(parts[i]);
    else
      for (let i = 0; i < parts.length; i++) {
        const raw = parts[i];
        if (!hasControls(raw)) {
          lines.push(raw);
          continue;
        }
        const { text, end } = stripTracking(raw, this.sgr);
        this.styledAt.push(this.dropped + lines.length);
        this.styledRaw.push(raw);
        this.styledEnd.push(end);
        this.sgr = end;
        lines.push(text);
      }
    if (batch.stderr.length) {
      this.growFlags(lines.length);
      for (let i = 0; i < batch.stderr.length; i += 2) {
        this.stderr.fill(1, from + batch.stderr[i], from + batch.stderr[i + 1]);
      }
    }
    // Trimmed in steps, not per batch: moving a million entries for every batch would cost too much.
    if (lines.length > this.maxLines + (this.maxLines >> 3)) this.drop(lines.length - this.maxLines);
  }

  /**
   * Whether this buffer holds everything `preview` (the last lines, fetched on their own) shows: the
   * preview's last lines appear here, ending at or after line `from` (where the last batch began) and
   * at least as far in as the preview is long. The log view shows the preview until then.
   */
  caughtUp(preview: LogBuffer, from = 0, compare = 8): boolean {
    const pl = preview.lines;
    if (pl.length === 0) return true;
    const k = Math.min(compare, pl.length);
    const last = pl[pl.length - 1];
    for (let p = Math.max(from, pl.length - 1, k - 1); p < this.lines.length; p++) {
      if (this.lines[p] !== last) continue;
      let same = true;
      for (let i = 1; i < k && same; i++) same = this.lines[p - i] === pl[pl.length - 1 - i];
      if (same) return true;
    }
    return false;
  }

  line(i: number): ShownLine {
    const raw = this.lines[i] ?? '';
    const out: ShownLine = { text: raw, stderr: i < this.stderr.length && this.stderr[i] === 1 };
    let sp = -1;
    if (this.timestamps) {
      sp = raw.indexOf(' ');
      if (sp >= 0) {
        out.timestamp = raw.slice(0, sp);
        out.text = raw.slice(sp + 1);
      }
    }
    if (this.styledAt.length === 0 && this.frontSgr === plainState) return out;
    // The last styled line at or before this one: this line itself, or the one whose state it starts in.
    const abs = i + this.dropped;
    const at = this.styledAt;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] <= abs) lo = mid + 1;
      else hi = mid;
    }
    const k = lo - 1;
    let before: SgrState;
    if (k >= 0 && at[k] === abs) {
      const styled = this.styledRaw[k];
      out.styled = sp >= 0 ? styled.slice(styled.indexOf(' ') + 1) : styled;
      before = k > 0 ? this.styledEnd[k - 1] : this.frontSgr;
    } else before = k >= 0 ? this.styledEnd[k] : this.frontSgr;
    if (before !== plainState) out.sgr = before;
    return out;
  }

  /** How many characters line `i` shows: its text, and its timestamp when `withTimestamp`. */
  shownLength(i: number, withTimestamp: boolean): number {
    const raw = this.lines[i] ?? '';
    return this.timestamps && !withTimestamp ? raw.length - raw.indexOf(' ') - 1 : raw.length;
  }

  /** The timestamp at the front of line `i` (empty without timestamps). */
  timestamp(i: number): string {
    if (!this.timestamps) return '';
    const raw = this.lines[i] ?? '';
    const sp = raw.indexOf(' ');
    return sp < 0 ? '' : raw.slice(0, sp);
  }

  /** Indexes of the lines whose text (not timestamp) holds the query, ascending. */
  search(query: string): number[] {
    if (!query) return [];
    const mode = searchMode(query);
    const c = this.cache;
    if (c && c.query === query) {
      if (c.searched < this.lines.length) {
        this.scan(c.matches, query, mode, c.searched, this.lines.length);
        c.searched = this.lines.length;
      }
      return c.matches;
    }
    let matches: number[];
    if (c && narrows(c, query, mode)) {
      matches = this.filter(c.matches, query, mode);
      if (c.searched < this.lines.length) this.scan(matches, query, mode, c.searched, this.lines.length);
    } else {
      matches = [];
      this.scan(matches, query, mode, 0, this.lines.length);
    }
    this.cache = { query, mode, matches, searched: this.lines.length };
    return matches;
  }

  private tester(query: string, mode: SearchMode): (line: string) => boolean {
    const ts = this.timestamps;
    if (mode.caseSensitive || !/[a-z]/.test(query)) {
      return (line) => line.indexOf(query, ts ? line.indexOf(' ') + 1 : 0) >= 0;
    }
    const re = new RegExp(escapeRegExp(query), 'gi');
    return (line) => {
      re.lastIndex = ts ? line.indexOf(' ') + 1 : 0;
      return re.test(line);
    };
  }

  private scan(out: number[], query: string, mode: SearchMode, from: number, to: number): void {
    const test = this.tester(query, mode);
    const lines = this.lines;
    for (let i = from; i < to; i++) if (test(lines[i])) out.push(i);
  }

  private filter(candidates: number[], query: string, mode: SearchMode): number[] {
    const test = this.tester(query, mode);
    const out: number[] = [];
    for (const i of candidates) if (test(this.lines[i])) out.push(i);
    return out;
  }

  private growFlags(n: number): void {
    if (n <= this.stderr.length) return;
    const bigger = new Uint8Array(Math.max(n, this.stderr.length * 2));
    bigger.set(this.stderr);
    this.stderr = bigger;
  }

  private drop(n: number): void {
    this.lines.splice(0, n);
    this.stderr.copyWithin(0, n);
    this.stderr.fill(0, Math.max(0, this.stderr.length - n));
    this.dropped += n;
    let gone = 0;
    while (gone < this.styledAt.length && this.styledAt[gone] < this.dropped) gone++;
    if (gone) {
      this.frontSgr = this.styledEnd[gone - 1];
      this.styledAt.splice(0, gone);
      this.styledRaw.splice(0, gone);
      this.styledEnd.splice(0, gone);
    }
    const c = this.cache;
    if (c) {
      const kept = c.matches.filter((i) => i >= n).map((i) => i - n);
      this.cache = { ...c, matches: kept, searched: Math.max(0, c.searched - n) };
    }
  }
}

/** Every line matching `query` also matches the cached query, so only the cached matches need a look. */
function narrows(c: SearchCache, query: string, mode: SearchMode): boolean {
  if (c.mode.caseSensitive) return mode.caseSensitive && query.includes(c.query);
  return query.toLowerCase().includes(c.query);
}
