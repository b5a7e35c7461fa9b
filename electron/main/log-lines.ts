// Turns the engine's log stream into lines. Without a TTY the engine multiplexes stdout and stderr in
// frames (8-byte header: stream, 0, 0, 0, big-endian length); with a TTY the bytes come raw.
import type { LogLine } from '../contract/index.ts';

export class LogLineDecoder {
  private frameBuf = Buffer.alloc(0);
  private partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };

  constructor(
    private readonly multiplexed: boolean,
    private readonly timestamps: boolean,
  ) {}

  push(chunk: Buffer): LogLine[] {
    if (!this.multiplexed) return this.text('stdout', chunk.toString('utf8'));
    this.frameBuf = Buffer.concat([this.frameBuf, chunk]);
    const out: LogLine[] = [];
    while (this.frameBuf.length >= 8) {
      const len = this.frameBuf.readUInt32BE(4);
      if (this.frameBuf.length < 8 + len) break;
      const stream = this.frameBuf[0] === 2 ? 'stderr' : 'stdout';
      out.push(...this.text(stream, this.frameBuf.subarray(8, 8 + len).toString('utf8')));
      this.frameBuf = this.frameBuf.subarray(8 + len);
    }
    return out;
  }

  /** Whatever is left without a trailing newline, at the end of the stream. */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) out.push(this.line(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return out;
  }

  private text(stream: LogLine['stream'], s: string): LogLine[] {
    const parts = (this.partial[stream] + s).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    return parts.map((p) => this.line(stream, p.replace(/\r$/, '')));
  }

  private line(stream: LogLine['stream'], raw: string): LogLine {
    if (!this.timestamps) return { stream, text: raw };
    const sp = raw.indexOf(' ');
    if (sp > 0 && /^\d{4}-\d\d-\d\dT/.test(raw)) {
      return { stream, timestamp: raw.slice(0, sp), text: raw.slice(sp + 1) };
    }
    return { stream, text: raw };
  }
}
