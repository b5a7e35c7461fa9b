// Terminal output in a log line: SGR sequences (ESC [ … m) set colours and attributes, which carry on
// from line to line as they do in a terminal; every other escape sequence (cursor moves, erase line,
// OSC titles and links, charset switches) and control character is dropped, never shown. A carriage
// return inside a line starts the line over, as a progress bar redrawn in place ends up showing.

/** 0–255: the xterm palette (0–15 follow the theme); a string: a 24-bit colour as `#rrggbb`. */
export type AnsiColor = number | string;

/** The attributes in force. Objects are never changed: each SGR that changes something makes a new one. */
export interface SgrState {
  readonly fg?: AnsiColor;
  readonly bg?: AnsiColor;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
  readonly strike?: boolean;
  readonly hidden?: boolean;
}

/** No attributes: what a terminal starts with and what `ESC [ 0 m` goes back to. */
export const plainState: SgrState = Object.freeze({});

export interface AnsiSpan {
  text: string;
  style: SgrState;
}

const ESC = 0x1b;
const BEL = 0x07;
const CR = 0x0d;
const TAB = 0x09;

/** Whether a line holds anything this module would drop or interpret (an escape or a control character). */
export const hasControls = (text: string): boolean => controlPattern.test(text);
const controlPattern = /[\x00-\x08\x0b-\x1f\x7f]/;

/**
 * Walks a line: `text` gets each run of printable text, `sgr` the parameters of each SGR sequence,
 * `restart` a carriage return followed by more text. Everything else is skipped.
 */
function scan(
  s: string,
  text: (from: number, to: number) => void,
  sgr: (params: string) => void,
  restart: () => void,
): void {
  const n = s.length;
  let run = 0;
  let i = 0;
  let returned = false;
  const flush = (to: number) => {
    if (to > run) {
      if (returned) {
        returned = false;
        restart();
      }
      text(run, to);
    }
  };
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) {
      i++;
      continue;
    }
    if (c === TAB) {
      i++;
      continue;
    }
    flush(i);
    if (c === ESC) i = skipEscape(s, i, sgr);
    else {
      if (c === CR) returned = true;
      i++;
    }
    run = i;
  }
  flush(n);
}

/** Index after the escape sequence at `i` (an ESC); reports SGR parameters. */
function skipEscape(s: string, i: number, sgr: (params: string) => void): number {
  const n = s.length;
  const kind = s.charCodeAt(i + 1);
  if (Number.isNaN(kind)) return n;
  if (kind === 0x5b) {
    // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
    let j = i + 2;
    while (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) j++;
    const paramsEnd = j;
    while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    if (j >= n) return n;
    const final = s.charCodeAt(j);
    if (final < 0x40 || final > 0x7e) return j; // malformed: drop what came, show what follows
    // Private forms (ESC [ ? … m, ESC [ > … m) are not SGR.
    const lead = s.charCodeAt(i + 2);
    if (final === 0x6d && paramsEnd === j && !(lead >= 0x3c && lead <= 0x3f)) sgr(s.slice(i + 2, paramsEnd));
    return j + 1;
  }
  if (kind === 0x5d || kind === 0x50 || kind === 0x58 || kind === 0x5e || kind === 0x5f) {
    // OSC, DCS, SOS, PM, APC: a string ended by BEL (OSC) or ST (ESC \).
    for (let j = i + 2; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === BEL) return j + 1;
      if (c === ESC && s.charCodeAt(j + 1) === 0x5c) return j + 2;
    }
    return n;
  }
  // nF (charset designations, ESC ( B …): intermediates then a final byte; otherwise ESC + one byte.
  let j = i + 1;
  while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
  return Math.min(n, j + 1);
}

/** The line as it reads on screen: escapes and control characters dropped. */
export function stripAnsi(s: string): string {
  if (!hasControls(s)) return s;
  let out = '';
  scan(
    s,
    (from, to) => {
      out += s.slice(from, to);
    },
    () => {},
    () => {
      out = '';
    },
  );
  return out;
}

/** The line's text in runs of one style, starting from `start` (the state the line before left). */
export function parseAnsi(s: string, start: SgrState = plainState): { spans: AnsiSpan[]; end: SgrState } {
  let state = start;
  let spans: AnsiSpan[] = [];
  scan(
    s,
    (from, to) => {
      const last = spans[spans.length - 1];
      if (last && last.style === state) last.text += s.slice(from, to);
      else spans.push({ text: s.slice(from, to), style: state });
    },
    (params) => {
      state = applySgr(state, params);
    },
    () => {
      spans = [];
    },
  );
  return { spans, end: state };
}

/** The line's text as stripAnsi gives it, and the state it leaves for the next line. */
export function stripTracking(s: string, start: SgrState = plainState): { text: string; end: SgrState } {
  let state = start;
  let text = '';
  scan(
    s,
    (from, to) => {
      text += s.slice(from, to);
    },
    (params) => {
      state = applySgr(state, params);
    },
    () => {
      text = '';
    },
  );
  return { text, end: state };
}

/**
 * Transitions already worked out, per state: logs repeat the same few sequences, and the states they
 * lead to are then shared objects, so that a million coloured lines cost a lookup per sequence.
 * Bounded per state, for logs that paint with ever new 24-bit colours.
 */
const transitions = new WeakMap<SgrState, Map<string, SgrState>>();
const transitionsPerState = 256;

/** The state after one SGR sequence's parameters (`1;31`, `38;5;208`, `38:2::255:0:0`, `` = reset). */
export function applySgr(state: SgrState, params: string): SgrState {
  if (params === '' || params === '0') return plainState;
  let known = transitions.get(state);
  const hit = known?.get(params);
  if (hit) return hit;
  const next = computeSgr(state, params);
  if (!known) {
    known = new Map();
    transitions.set(state, known);
  }
  if (known.size < transitionsPerState) known.set(params, next);
  return next;
}

function computeSgr(state: SgrState, params: string): SgrState {
  const ps = params.split(';');
  const next: { -readonly [K in keyof SgrState]: SgrState[K] } = { ...state };
  for (let k = 0; k < ps.length; k++) {
    const p = ps[k];
    if (p.includes(':')) {
      // Sub-parameters (ITU T.416): 38:5:n, 38:2:r:g:b or 38:2::r:g:b, 4:0 (underline off), 4:3 (curly).
      const sub = p.split(':');
      const head = Number(sub[0]);
      if (head === 38 || head === 48) {
        const c = subColor(sub);
        if (c !== undefined) next[head === 38 ? 'fg' : 'bg'] = c;
      } else if (head === 4) {
        if (sub[1] === '0') delete next.underline;
        else next.underline = true;
      }
      continue;
    }
    const v = p === '' ? 0 : Number(p);
    if (v === 38 || v === 48) {
      const mode = Number(ps[k + 1]);
      let c: AnsiColor | undefined;
      if (mode === 5) {
        c = paletteIndex(ps[k + 2]);
        k += 2;
      } else if (mode === 2) {
        c = rgb(ps[k + 2], ps[k + 3], ps[k + 4]);
        k += 4;
      } else k += 1;
      if (c !== undefined) next[v === 38 ? 'fg' : 'bg'] = c;
      continue;
    }
    if (v >= 30 && v <= 37) next.fg = v - 30;
    else if (v >= 40 && v <= 47) next.bg = v - 40;
    else if (v >= 90 && v <= 97) next.fg = v - 90 + 8;
    else if (v >= 100 && v <= 107) next.bg = v - 100 + 8;
    else if (v === 0) for (const key in next) delete next[key as keyof SgrState];
    else {
      const on = attributeOn[v];
      if (on) next[on] = true;
      else for (const key of attributesOff[v] ?? []) delete next[key];
    }
  }
  for (const _ in next) return next;
  return plainState;
}

type Attribute = 'bold' | 'dim' | 'italic' | 'underline' | 'inverse' | 'hidden' | 'strike';
const attributeOn: Record<number, Attribute> = {
  1: 'bold',
  2: 'dim',
  3: 'italic',
  4: 'underline',
  7: 'inverse',
  8: 'hidden',
  9: 'strike',
  21: 'underline',
};
const attributesOff: Record<number, (keyof SgrState)[]> = {
  22: ['bold', 'dim'],
  23: ['italic'],
  24: ['underline'],
  27: ['inverse'],
  28: ['hidden'],
  29: ['strike'],
  39: ['fg'],
  49: ['bg'],
};

function paletteIndex(p: string | undefined): number | undefined {
  const n = Number(p);
  return p !== undefined && p !== '' && Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

function rgb(r: string | undefined, g: string | undefined, b: string | undefined): string | undefined {
  const parts = [r, g, b].map((x) => Number(x));
  if (parts.some((x, i) => [r, g, b][i] === undefined || !Number.isInteger(x) || x < 0 || x > 255))
    return undefined;
  return `#${parts.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

function subColor(sub: string[]): AnsiColor | undefined {
  if (sub[1] === '5') return paletteIndex(sub[2]);
  if (sub[1] !== '2') return undefined;
  // 38:2:<colour space>:r:g:b (the standard) or 38:2:r:g:b (what most programs write).
  return sub.length >= 6 ? rgb(sub[3], sub[4], sub[5]) : rgb(sub[2], sub[3], sub[4]);
}

const cubeLevels = [0, 95, 135, 175, 215, 255];

/**
 * A colour as CSS. The 16 basic colours are theme variables (`--ansi-0` … `--ansi-15`, in ansi.css),
 * so that red stays readable on a dark and on a light background; the others are what xterm shows.
 */
export function ansiColorCss(c: AnsiColor): string {
  if (typeof c === 'string') return c;
  if (c < 16) return `var(--ansi-${c})`;
  if (c < 232) {
    const n = c - 16;
    const [r, g, b] = [Math.floor(n / 36), Math.floor(n / 6) % 6, n % 6].map((x) => cubeLevels[x]);
    return `rgb(${r}, ${g}, ${b})`;
  }
  const v = 8 + (c - 232) * 10;
  return `rgb(${v}, ${v}, ${v})`;
}

export interface SpanCss {
  color?: string;
  backgroundColor?: string;
  fontWeight?: number;
  fontStyle?: 'italic';
  opacity?: number;
  textDecorationLine?: string;
}

/** The inline style for a state (undefined for the plain one). Inverse swaps the two colours. */
export function sgrCss(s: SgrState): SpanCss | undefined {
  if (s === plainState) return undefined;
  const css: SpanCss = {};
  let fg = s.fg === undefined ? undefined : ansiColorCss(s.fg);
  let bg = s.bg === undefined ? undefined : ansiColorCss(s.bg);
  if (s.inverse) [fg, bg] = [bg ?? 'var(--ansi-default-bg)', fg ?? 'var(--ansi-default-fg)'];
  if (s.hidden) fg = 'transparent';
  if (fg) css.color = fg;
  if (bg) css.backgroundColor = bg;
  if (s.bold) css.fontWeight = 700;
  if (s.italic) css.fontStyle = 'italic';
  if (s.dim) css.opacity = 0.6;
  const lines = [s.underline && 'underline', s.strike && 'line-through'].filter(Boolean);
  if (lines.length) css.textDecorationLine = lines.join(' ');
  return css;
}

/** A stretch of a line inside or outside a search match, in its styled spans. */
export interface MarkedRun {
  /** The match's start in the line's text, or -1 outside matches. */
  match: number;
  spans: AnsiSpan[];
}

/**
 * Cuts a line's spans at the edges of the matches ([start, end) in the text the spans show, ascending,
 * not overlapping), so that a match inside coloured text, or across colours, is highlighted as one.
 */
export function markRuns(spans: AnsiSpan[], ranges: [number, number][]): MarkedRun[] {
  const runs: MarkedRun[] = [];
  let r = 0;
  let pos = 0;
  let run: MarkedRun | null = null;
  const add = (match: number, span: AnsiSpan) => {
    if (!run || run.match !== match) {
      run = { match, spans: [] };
      runs.push(run);
    }
    run.spans.push(span);
  };
  for (const span of spans) {
    let at = 0;
    const len = span.text.length;
    while (at < len) {
      while (r < ranges.length && ranges[r][1] <= pos + at) r++;
      const range = ranges[r];
      let end: number;
      let match = -1;
      if (!range || range[0] >= pos + len) end = len;
      else if (range[0] > pos + at) end = range[0] - pos;
      else {
        match = range[0];
        end = Math.min(len, range[1] - pos);
      }
      add(match, at === 0 && end === len ? span : { text: span.text.slice(at, end), style: span.style });
      at = end;
    }
    pos += len;
  }
  return runs;
}
