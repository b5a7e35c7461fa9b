// One terminal session in main: a process with a terminal (a container exec or a host pty, behind the
// `TerminalProcess` seam), the output it keeps for views that attach later, and the views attached now.
import type { TerminalEvent, TerminalSessionInfo } from '../../contract/index.ts';

/** A process in a terminal, as a session drives it. */
export interface TerminalProcess {
  /** Output, in order; nothing is lost between the process's start and the first listener. */
  onData(listener: (data: string) => void): void;
  /** Called once, when the process has ended (null: the engine did not say how). */
  onExit(listener: (exitCode: number | null) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): Promise<void>;
  /** Ends the process and what it started in its terminal; resolves once it is gone. */
  kill(): Promise<void>;
}

/** What a session keeps for a view that attaches later: 256 Ki characters of output. */
export const scrollbackLimit = 256 * 1024;

/**
 * The last `limit` characters of output. A cut falls at the start of a line when one is near, so a
 * replay does not begin inside an escape sequence.
 */
export class Scrollback {
  private chunks: string[] = [];
  private size = 0;

  constructor(readonly limit = scrollbackLimit) {}

  get length(): number {
    return this.size;
  }

  push(data: string): void {
    if (!data) return;
    this.chunks.push(data);
    this.size += data.length;
    if (this.size > this.limit) this.trim();
    // Many small writes (keystroke echoes) would make a long array; keep it short.
    else if (this.chunks.length > 512) this.chunks = [this.chunks.join('')];
  }

  text(): string {
    const all = this.chunks.join('');
    this.chunks = all ? [all] : [];
    return all;
  }

  private trim(): void {
    let all = this.chunks.join('');
    all = all.slice(all.length - this.limit);
    const newline = all.indexOf('\n');
    if (newline >= 0 && newline < 4096) all = all.slice(newline + 1);
    this.chunks = all ? [all] : [];
    this.size = all.length;
  }
}

export type View = (event: TerminalEvent) => void;

export class TerminalSession {
  private readonly scrollback: Scrollback;
  private readonly views = new Set<View>();
  /** Until the first visible output: blank lines a shell prints before its banner are not shown. */
  private atStart = true;
  /** undefined while the process runs. */
  private exitCode: number | null | undefined;
  private markEnded = () => {};
  readonly ended: Promise<void>;

  constructor(
    readonly info: TerminalSessionInfo,
    private readonly process: TerminalProcess,
    private readonly onEnd: (session: TerminalSession) => void,
    limit = scrollbackLimit,
  ) {
    this.scrollback = new Scrollback(limit);
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
    process.onData((data) => this.output(data));
    process.onExit((exitCode) => this.finish(exitCode));
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** How many views are attached now. */
  get attached(): number {
    return this.views.size;
  }

  /** Sends the scrollback now, then live output, then the exit; returns what detaches the view. */
  attach(view: View): () => void {
    view({ type: 'scrollback', data: this.scrollback.text() });
    if (this.exitCode !== undefined) {
      view({ type: 'exit', exitCode: this.exitCode });
      return () => {};
    }
    this.views.add(view);
    return () => void this.views.delete(view);
  }

  write(data: string): void {
    this.process.write(data);
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.process.resize(cols, rows);
  }

  /**
   * Ends the process for real and waits until the session has ended. A process that says it is gone
   * but never reports its exit still ends the session, after `graceMs`.
   */
  async close(graceMs = 5000): Promise<void> {
    if (this.exitCode !== undefined) return;
    await this.process.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.ended,
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.finish(null);
  }

  private finish(exitCode: number | null): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = exitCode;
    for (const view of [...this.views]) view({ type: 'exit', exitCode });
    this.views.clear();
    this.markEnded();
    this.onEnd(this);
  }

  private output(data: string): void {
    let out = data;
    if (this.atStart) {
      out = out.replace(/^[\r\n]+/, '');
      if (!out) return;
      this.atStart = false;
    }
    this.scrollback.push(out);
    for (const view of this.views) view({ type: 'data', data: out });
  }
}
