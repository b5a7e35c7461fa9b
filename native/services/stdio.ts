/**
 * What a container process's stdio looks like to the front ends: a stream of tagged chunks. The
 * Docker API frames them (or not, with a TTY) on a hijacked connection; the kubelet will put them on
 * its own channels; neither shape leaks into the services.
 */
export type StdioChunk =
  | { stream: 'stdout' | 'stderr'; data: Buffer }
  /** The process ended (exec only): its exit code, and why it never ran (in dockerd's words) if it did not. */
  | { stream: 'exit'; code: number; error?: string };

/** A process's output as its consumer sees it; with a TTY, stdout and stderr are one terminal stream. */
export interface StdioSession {
  tty: boolean;
  output: ChunkStream<StdioChunk>;
}

/**
 * An unbounded queue of chunks with two ends: the producer pushes and ends it; the consumer iterates
 * and, when it goes away before the end, closes it so that the producer lets go of what it holds
 * (an attach socket, a pending attach). Like the transports before it, it does not push back: a
 * terminal's output is small, and conmon's socket cannot be paused anyway.
 */
export class ChunkStream<T> implements AsyncIterable<T> {
  private buf: T[] = [];
  private ended = false;
  private isClosed = false;
  private wake: (() => void) | undefined;
  private readonly closeCbs: Array<() => void> = [];

  push(chunk: T): void {
    if (this.ended || this.isClosed) return;
    this.buf.push(chunk);
    this.notify();
  }

  /** The producer has no more. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The consumer is gone; chunks still queued are dropped. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.buf = [];
    this.notify();
    for (const cb of this.closeCbs.splice(0)) cb();
  }

  onClose(cb: () => void): void {
    if (this.isClosed) cb();
    else this.closeCbs.push(cb);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get done(): boolean {
    return this.ended || this.isClosed;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.buf.length) yield this.buf.shift() as T;
      else if (this.ended || this.isClosed) return;
      else
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
    }
  }
}
