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
  for await (const batch of readLogBatches(logPath, opts)) yield* batch;
}

const readChunk = 1 << 20;

/**
 * Entries of [from, end of file) in batches, a MiB of the file at a time, so that a log of millions
 * of lines is never held whole. `at.offset` ends just after the last complete record read.
 */
async function* entriesFrom(file: string, at: { offset: number }): AsyncGenerator<LogEntry[]> {
  const fh = await fs.open(file, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    const { size } = await fh.stat();
    if (size < at.offset) at.offset = 0; // truncated: start over
    let pos = at.offset;
    let carry = Buffer.alloc(0);
    while (pos < size) {
      const chunk = Buffer.allocUnsafe(Math.min(readChunk, size - pos));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead <= 0) break;
      pos += bytesRead;
      const buf = carry.length
        ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl < 0) {
        carry = buf;
        continue;
      }
      carry = Buffer.from(buf.subarray(lastNl + 1));
      at.offset = pos - carry.length;
      const entries: LogEntry[] = [];
      for (const line of buf.subarray(0, lastNl).toString('utf8').split('\n')) {
        const e = parseLogLine(line);
        if (e) entries.push(e);
      }
      if (entries.length) yield entries;
    }
  } finally {
    await fh.close();
  }
}

/** readLog in batches of entries (what one read of the files gave): a million yields cost seconds. */
export async function* readLogBatches(logPath: string, opts: ReadLogOptions): AsyncGenerator<LogEntry[]> {
  const files = await logFiles(logPath);
  const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
  const filtered = opts.sinceNs !== undefined || opts.untilNs !== undefined;
  const keep = (e: LogEntry) =>
    (opts.sinceNs === undefined || e.timeNs >= opts.sinceNs) &&
    (opts.untilNs === undefined || e.timeNs <= opts.untilNs);
  let offset = 0;
  if (tail !== undefined && filtered) {
    // The last n of the lines that pass the filters: the whole log is read.
    let backlog: LogEntry[] = [];
    for (const f of files) {
      const at = { offset: 0 };
      // Not push(...entries): a spread of a few hundred thousand arguments overflows the stack.
      for await (const batch of entriesFrom(f, at)) for (const e of batch) if (keep(e)) backlog.push(e);
      if (f === logPath) offset = at.offset;
    }
    backlog = tailLines(backlog, tail);
    for (let i = 0; i < backlog.length; i += 8192) yield backlog.slice(i, i + 8192);
  } else {
    // Without time filters the last n lines are found from the end of the files: the first screen
    // of a log of millions of lines costs what those lines cost, not what the whole log does.
    // No lines for tail 0: not even the partial records of a line still being written.
    const from =
      tail === 0
        ? { index: files.length, offset: 0 }
        : tail !== undefined
          ? await tailStart(files, tail)
          : { index: 0, offset: 0 };
    if (tail === 0) offset = await endOfRecords(logPath);
    for (let i = from.index; i < files.length; i++) {
      const at = { offset: i === from.index ? from.offset : 0 };
      for await (const batch of entriesFrom(files[i], at)) {
        const kept = filtered ? batch.filter(keep) : batch;
        if (kept.length) yield kept;
      }
      if (files[i] === logPath) offset = at.offset;
    }
  }
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
  // What the live file gained since `offset`; `past` once a record lies beyond `until`.
  let past = false;
  const newer = async function* (): AsyncGenerator<LogEntry[]> {
    const at = { offset };
    for await (const batch of entriesFrom(logPath, at)) {
      const kept: LogEntry[] = [];
      for (const e of batch) {
        if (opts.untilNs !== undefined && e.timeNs > opts.untilNs) {
          past = true;
          break;
        }
        if (keep(e)) kept.push(e);
      }
      if (kept.length) yield kept;
      if (past) return;
    }
    offset = at.offset;
  };
  try {
    for (;;) {
      yield* newer();
      if (past) return;
      const st = await fs.stat(logPath).catch(() => undefined);
      if (st && st.ino !== ino) {
        // Rotated: finish nothing more from the old file (conmon moved on), start the new one at 0.
        ino = st.ino;
        offset = 0;
        continue;
      }
      if (stopped) {
        yield* newer();
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

const tailChunk = 64 * 1024;

/**
 * Where the last n lines of the files start (file index, byte offset), scanning backwards: a line is
 * a complete (`F`) record with the partial (`P`) records before it, as tailLines counts them. Bytes
 * after the live file's last newline (a record being written) are not counted.
 */
export async function tailStart(files: string[], n: number): Promise<{ index: number; offset: number }> {
  let lines = 0;
  for (let fi = files.length - 1; fi >= 0; fi--) {
    const fh = await fs.open(files[fi], 'r').catch(() => undefined);
    if (!fh) continue;
    try {
      const { size } = await fh.stat();
      // The window holds bytes [winStart, winEnd); records end at recEnd (just after their newline).
      let win = Buffer.alloc(0);
      let winStart = size;
      const grow = async () => {
        const start = Math.max(0, winStart - tailChunk);
        const chunk = Buffer.alloc(winStart - start);
        await fh.read(chunk, 0, chunk.length, start);
        win = win.length ? Buffer.concat([chunk, win]) : chunk;
        winStart = start;
      };
      // The end of the last complete record.
      let recEnd = -1;
      while (recEnd < 0 && winStart > 0) {
        await grow();
        const nl = win.lastIndexOf(0x0a);
        if (nl >= 0) recEnd = winStart + nl + 1;
      }
      while (recEnd > 0) {
        // The newline before this record (or the start of the file).
        let prev = -1;
        for (;;) {
          const at = recEnd - 2 - winStart;
          prev = at >= 0 ? win.lastIndexOf(0x0a, at) : -1;
          if (prev >= 0 || winStart === 0) break;
          await grow();
        }
        const recStart = prev >= 0 ? winStart + prev + 1 : 0;
        if (isFullRecord(win, recStart - winStart, recEnd - 1 - winStart)) {
          lines++;
          if (lines > n) return { index: fi, offset: recEnd };
        }
        recEnd = recStart;
        // Keep the window from growing with the file: drop what lies after this record.
        if (win.length > 4 * tailChunk && recEnd - winStart < win.length / 2)
          win = win.subarray(0, recEnd - winStart);
      }
    } finally {
      await fh.close();
    }
  }
  return { index: 0, offset: 0 };
}

/** Just after the last newline of the file: where following starts when no backlog is wanted. */
async function endOfRecords(file: string): Promise<number> {
  const fh = await fs.open(file, 'r').catch(() => undefined);
  if (!fh) return 0;
  try {
    const { size } = await fh.stat();
    for (let end = size; end > 0; end -= tailChunk) {
      const start = Math.max(0, end - tailChunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0) return start + nl + 1;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** Whether bytes [start, end) of buf are a `<time> <stream> F <text>` record. */
function isFullRecord(buf: Buffer, start: number, end: number): boolean {
  const a = buf.indexOf(0x20, start);
  if (a < 0 || a >= end) return false;
  const b = buf.indexOf(0x20, a + 1);
  return b >= 0 && b + 1 < end && buf[b + 1] === 0x46; // 'F'
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
