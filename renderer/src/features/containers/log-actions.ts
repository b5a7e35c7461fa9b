// What the log view's Copy, Download and Clear work with: the log as plain text, a file name, and the
// clear marks. Clearing hides the lines so far, as Docker Desktop's clear does, without touching the
// engine's log: the view remembers a `since` time (per container, or per set of containers) and asks
// the engine for the lines from then on, now and whenever the view opens again.
import type { LogModel } from './log-buffer.ts';

/** The lines as shown, one per line of text: the source's prefix, the timestamp when shown, the text. */
export function logText(
  model: LogModel,
  { timestamps, prefix }: { timestamps: boolean; prefix?: (source: number) => string },
): string {
  const out: string[] = new Array(model.length);
  for (let i = 0; i < model.length; i++) {
    const l = model.line(i);
    let s = l.text;
    if (timestamps && l.timestamp) s = `${l.timestamp} ${s}`;
    if (prefix && l.source !== undefined) s = prefix(l.source) + s;
    out[i] = s;
  }
  return out.join('\n');
}

const two = (n: number) => String(n).padStart(2, '0');

/** `web-2026-03-01_14-05-09.log`: the container's name and the local time, safe in any file system. */
export function logFileName(name: string, now: Date): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '') || 'logs';
  const date = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  const time = `${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return `${safe}-${date}_${time}.log`;
}

/** Docker's `since` for the lines after one stamped `timestamp` (RFC 3339): a nanosecond later. */
export function sinceAfter(timestamp: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!m) return undefined;
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) return undefined;
  let seconds = Math.floor(ms / 1000);
  let nanos = Number((m[2] ?? '').padEnd(9, '0')) + 1;
  if (nanos >= 1e9) {
    seconds++;
    nanos -= 1e9;
  }
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}

/** Docker's `since` for a moment given in ms since the epoch. */
export function sinceAt(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(Math.floor(ms) % 1000).padStart(3, '0')}000000`;
}

/** A `since` as a Date (to show when the view was cleared). */
export function sinceDate(since: string): Date {
  return new Date(Number(since) * 1000);
}

const marksKey = 'berth.logs.cleared';
/** Marks kept; the oldest go first (containers come and go). */
const maxMarks = 200;

type MarkStore = Pick<Storage, 'getItem' | 'setItem'>;

function readMarks(store: MarkStore): Record<string, string> {
  try {
    const v: unknown = JSON.parse(store.getItem(marksKey) ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Where the view of `view` was last cleared, as a `since`. */
export function clearMark(store: MarkStore, view: string): string | undefined {
  const v = readMarks(store)[view];
  return typeof v === 'string' && /^\d+(\.\d{1,9})?$/.test(v) ? v : undefined;
}

/** Sets (or, with undefined, forgets) the clear mark of `view`. */
export function setClearMark(store: MarkStore, view: string, since: string | undefined): void {
  const marks = readMarks(store);
  delete marks[view];
  if (since !== undefined) marks[view] = since;
  const keys = Object.keys(marks);
  for (const k of keys.slice(0, Math.max(0, keys.length - maxMarks))) delete marks[k];
  try {
    store.setItem(marksKey, JSON.stringify(marks));
  } catch {
    // Storage full or denied: the view is cleared for now, just not remembered.
  }
}
