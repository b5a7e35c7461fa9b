// Follows a file that another process appends to (qemu's serial console and progress channel, berthd's
// log), line by line, by reading what was added since the last look every `intervalMs` on the Clock. A
// poll rather than fs.watch: it behaves the same on every platform and under a ManualClock in tests.
import type { Clock } from './clock.ts';
import type { Host } from './host.ts';

export class FileTail {
  private offset = 0;
  private partial = '';
  private timer: { cancel(): void } | null = null;
  private reading: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly host: Host,
    private readonly clock: Clock,
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private intervalMs = 200,
  ) {}

  /** Starts following from `offset` (0: the whole file; a file written before is read from its start). */
  start(offset = 0): void {
    this.offset = offset;
    this.schedule();
  }

  /** Looks every `ms` from the next look on (once a machine runs, its console needs no 200 ms polls). */
  setInterval(ms: number): void {
    this.intervalMs = ms;
  }

  /** Reads what is there now (lines not ended by a newline yet stay until the next read). */
  async poll(): Promise<void> {
    this.reading ??= this.read().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** Stops following, after a last read; a last line without its newline is delivered too. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.poll();
    if (this.partial) {
      const last = this.partial;
      this.partial = '';
      this.onLine(last.replace(/\r$/, ''));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.poll().then(() => this.schedule());
    }, this.intervalMs);
  }

  private async read(): Promise<void> {
    const chunk = await this.host.readFrom(this.file, this.offset);
    if (chunk.length === 0) return;
    this.offset += chunk.length;
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }
}
