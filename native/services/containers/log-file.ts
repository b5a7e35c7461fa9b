import { promises as fs, watch } from 'node:fs';

/** One record of a conmon k8s-file log: `<RFC3339Nano> stdout|stderr F|P <text>`. */
export interface LogEntry {
  time: string; // RFC3339Nano in UTC with a Z
  timeNs: bigint;
  stream: 'stdout' | 'stderr';
  text: string; // with its newline when the line was complete
}

/** Parses a timestamp (RFC 3339 with any offset, or unix seconds with fraction) to nanoseconds. */
export function parseTimeNs(s: string): bigint {
  if (/^\d+(\.\d+)?$/.test(s)) {
    const [sec, frac = ''] = s.split('.');
    return BigInt(sec) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return 0n;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
}

export function formatTimeNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** The last whole-second prefix seen and what it stands for: log lines come in runs of one second. */
let secondCache = { key: '', ms: 0n, iso: '' };

export function parseLogLine(line: string): LogEntry | undefined {
  // `<RFC3339Nano> <stream> <F|P> <text>`, split by hand: this runs once per line of every read.
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (b < 0 || line.charCodeAt(b + 2) !== 0x20) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const flag = line[b + 1];
  if (flag !== 'F' && flag !== 'P') return undefined;
  const ts = line.slice(0, a);
  // Fast path for conmon's own form, 2026-11-30T14:04:36.427838793+00:00 (or …Z).
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{9})(Z|\+00:00)$/.exec(ts);
  let time: string;
  let timeNs: bigint;
  if (m) {
    if (secondCache.key !== m[1]) {
      const ms = Date.parse(`${m[1]}Z`);
      if (Number.isNaN(ms)) return undefined;
      secondCache = { key: m[1], ms: BigInt(ms) * 1_000_000n, iso: m[1] };
    }
    timeNs = secondCache.ms + BigInt(m[2]);
    time = `${secondCache.iso}.${m[2]}Z`;
  } else {
    timeNs = parseTimeNs(ts);
    time = formatTimeNs(timeNs);
  }
  const text = line.slice(b + 3);
  return { time, timeNs, stream, text: flag === 'F' ? `${text}\n` : text };
}

/** Log files of a container, oldest first: rotated ones (`.N` … `.1`) then the live file. */
export async function logFiles(logPath: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 20; i >= 1; i--) {
    if (
      await fs.stat(`${logPath}.${i}`).then(
        () => true,
        () => false,
      )
    )
      out.push(`${logPath}.${i}`);
  }
  out.push(logPath);
  return out;
}

async function readEntries(file: string, from: number): Promise<{ entries: LogEntry[]; offset: number }> {
  const fh = await fs.open(file, 'r').catch(() => undefined);
  if (!fh) return { entries: [], offset: from };
  try {
    const { size } = await fh.stat();
    if (size < from) from = 0; // truncated: start over
    if (size === from) return { entries: [], offset: from };
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) return { entries: [], offset: from };
    const entries: LogEntry[] = [];
    for (const line of buf.subarray(0, lastNl).toString('utf8').split('\n')) {
      const e = parseLogLine(line);
      if (e) entries.push(e);
    }
    return { entries, offset: from + lastNl + 1 };
  } finally {
    await fh.close();
  }
}

export interface ReadLogOptions {
  sinceNs?: bigint;
  untilNs?: bigint;
  tail?: number; // lines; undefined = all
  follow: boolean;
  /** Resolves when following should stop (the container stopped, or the client went away). */
  until?: Promise<unknown>;
}

/** Yields log entries (complete lines), then, when following, new ones as they are written. */
export async function* readLog(logPath: string, opts: ReadLogOptions): AsyncGenerator<LogEntry> {
  const files = await logFiles(logPath);
  let backlog: LogEntry[] = [];
  let offset = 0;
  for (const f of files) {
    const r = await readEntries(f, 0);
    // Not push(...entries): a spread of a few hundred thousand arguments overflows the stack.
    for (const e of r.entries) backlog.push(e);
    if (f === logPath) offset = r.offset;
  }
  const keep = (e: LogEntry) =>
    (opts.sinceNs === undefined || e.timeNs >= opts.sinceNs) &&
    (opts.untilNs === undefined || e.timeNs <= opts.untilNs);
  backlog = backlog.filter(keep);
  if (opts.tail !== undefined && opts.tail >= 0) backlog = tailLines(backlog, opts.tail);
  yield* backlog;
  if (!opts.follow) return;

  let stopped = false;
  void opts.until?.then(() => {
    stopped = true;
    wake();
  });
  let wake: () => void = () => {};
  let ino = await fs.stat(logPath).then(
    (s) => s.ino,
    () => 0,
  );
  const watcher = safeWatch(logPath, () => wake());
  try {
    for (;;) {
      const r = await readEntries(logPath, offset);
      offset = r.offset;
      for (const e of r.entries) {
        if (opts.untilNs !== undefined && e.timeNs > opts.untilNs) return;
        if (keep(e)) yield e;
      }
      const st = await fs.stat(logPath).catch(() => undefined);
      if (st && st.ino !== ino) {
        // Rotated: finish nothing more from the old file (conmon moved on), start the new one at 0.
        ino = st.ino;
        offset = 0;
        continue;
      }
      if (stopped) {
        const last = await readEntries(logPath, offset);
        for (const e of last.entries) if (keep(e)) yield e;
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 250);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  } finally {
    watcher?.close();
  }
}

/** The last n lines, counting a run of partial records plus its end as one line. */
function tailLines(entries: LogEntry[], n: number): LogEntry[] {
  if (n === 0) return [];
  let lines = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].text.endsWith('\n')) {
      lines++;
      if (lines > n) return entries.slice(i + 1);
    }
  }
  return entries;
}

function safeWatch(file: string, cb: () => void) {
  try {
    return watch(file, cb);
  } catch {
    return undefined;
  }
}
