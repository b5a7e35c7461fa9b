// Turns the engine's log stream into batches of lines. Without a TTY the engine multiplexes stdout and
// stderr in frames (8-byte header: stream, 0, 0, 0, big-endian length); with a TTY the bytes come raw.
// A million lines arrive as a million frames, so the work per frame is a few native calls: payloads are
// copied into one buffer and decoded once per chunk, never line by line.
import type { LogBatch } from '../../contract/index.ts';

const newline = 0x0a;

export class LogBatchDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private partial: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };

  /**
   * `timestamps`: the engine was asked for them. It stamps every record, and a long line comes as
   * several records (conmon cuts lines at its buffer size), so a line's continuation starts with a
   * timestamp of its own, which must go.
   */
  constructor(
    private readonly multiplexed: boolean,
    private readonly timestamps = false,
  ) {}

  /** The complete lines the chunk finishes, or null when it finishes none. */
  push(chunk: Buffer): LogBatch | null {
    if (!this.multiplexed) return this.raw(chunk);
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out = new Output(buf.length);
    let o = 0;
    while (o + 8 <= buf.length) {
      const len = buf.readUInt32BE(o + 4);
      const end = o + 8 + len;
      if (end > buf.length) break;
      this.frame(buf[o] === 2 ? 'stderr' : 'stdout', buf, o + 8, end, out);
      o = end;
    }
    this.pending = o < buf.length ? Buffer.from(buf.subarray(o)) : Buffer.alloc(0);
    return out.batch();
  }

  /** What is left without a trailing newline, at the end of the stream. */
  flush(): LogBatch | null {
    const out = new Output(0);
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = Buffer.concat(this.partial[stream]);
      this.partial[stream] = [];
      if (rest.length) out.line(stream, Buffer.concat([rest, Buffer.from('\n')]));
    }
    return out.batch();
  }

  private frame(stream: 'stdout' | 'stderr', buf: Buffer, begin: number, end: number, out: Output): void {
    const start = this.timestamps && this.partial[stream].length ? afterTimestamp(buf, begin, end) : begin;
    const last = end > start ? buf.lastIndexOf(newline, end - 1) : -1;
    if (last < start) {
      if (end > start) this.partial[stream].push(Buffer.from(buf.subarray(start, end)));
      return;
    }
    const held = this.partial[stream];
    if (held.length) {
      out.lines(stream, Buffer.concat([...held, buf.subarray(start, last + 1)]), 0, null);
      this.partial[stream] = [];
    } else {
      out.lines(stream, buf, start, last + 1);
    }
    if (last + 1 < end) this.partial[stream].push(Buffer.from(buf.subarray(last + 1, end)));
  }

  private raw(chunk: Buffer): LogBatch | null {
    const last = chunk.lastIndexOf(newline);
    if (last < 0) {
      this.partial.stdout.push(Buffer.from(chunk));
      return null;
    }
    const out = new Output(chunk.length);
    const held = this.partial.stdout;
    const complete = chunk.subarray(0, last + 1);
    out.line('stdout', held.length ? Buffer.concat([...held, complete]) : complete);
    this.partial.stdout = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
    return out.batch();
  }
}

/** Where the text starts after an RFC 3339 timestamp and its space at `start`, or `start` without one. */
function afterTimestamp(buf: Buffer, start: number, end: number): number {
  const isDigit = (i: number) => buf[i] >= 0x30 && buf[i] <= 0x39;
  if (end - start < 21 || !isDigit(start) || buf[start + 4] !== 0x2d || buf[start + 10] !== 0x54)
    return start;
  const space = buf.indexOf(0x20, start);
  return space > start && space < Math.min(end, start + 40) ? space + 1 : start;
}

/** Complete lines (each ending in '\n') gathered into one buffer, with the stderr line ranges. */
class Output {
  private buf: Buffer;
  private used = 0;
  private count = 0;
  private stderr: number[] = [];

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 64));
  }

  line(stream: 'stdout' | 'stderr', bytes: Buffer): void {
    this.lines(stream, bytes, 0, null);
  }

  /** Bytes [start, end) of `src` (end null: to its end), which end with a newline. */
  lines(stream: 'stdout' | 'stderr', src: Buffer, start: number, end: number | null): void {
    const stop = end ?? src.length;
    const n = stop - start;
    if (this.used + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    src.copy(this.buf, this.used, start, stop);
    this.used += n;
    const first = this.count;
    let p = start;
    for (;;) {
      const nl = src.indexOf(newline, p);
      if (nl < 0 || nl >= stop) break;
      this.count++;
      if (nl === stop - 1) break;
      p = nl + 1;
    }
    if (stream === 'stderr') {
      const k = this.stderr.length;
      if (k && this.stderr[k - 1] === first) this.stderr[k - 1] = this.count;
      else this.stderr.push(first, this.count);
    }
  }

  batch(): LogBatch | null {
    if (this.count === 0) return null;
    let text = this.buf.toString('utf8', 0, this.used - 1);
    // TTY output ends its lines with \r\n.
    if (text.includes('\r')) text = text.replace(/\r\n/g, '\n').replace(/\r$/, '');
    return { text, count: this.count, stderr: this.stderr };
  }
}

/** The lines of a batch, one object each: for tests and small consumers, never for a million lines. */
export function batchLines(batch: LogBatch): { stream: 'stdout' | 'stderr'; text: string }[] {
  const lines = batch.text.split('\n');
  const err = new Uint8Array(lines.length);
  for (let i = 0; i < batch.stderr.length; i += 2) err.fill(1, batch.stderr[i], batch.stderr[i + 1]);
  return lines.map((text, i) => ({ stream: err[i] ? 'stderr' : 'stdout', text }));
}

/**
 * Gathers the chunks of a followed stream for a moment before handing them on: the engine writes one
 * frame per line, so a big backlog arrives in tens of thousands of tiny chunks, which would otherwise
 * become as many messages to the UI. New lines still show within `delayMs`.
 */
export function chunkGatherer(
  onChunk: (chunk: Buffer) => void,
  { maxBytes = 1 << 20, delayMs = 20 }: { maxBytes?: number; delayMs?: number } = {},
): { push(chunk: Buffer): void; flush(): void } {
  let held: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!held.length) return;
    const chunk = held.length === 1 ? held[0] : Buffer.concat(held, size);
    held = [];
    size = 0;
    onChunk(chunk);
  };
  return {
    push(chunk) {
      held.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) flush();
      else timer ??= setTimeout(flush, delayMs);
    },
    flush,
  };
}
