// A queue from a push source (a WebSocket's messages) to an async iterable consumer (a process's
// stdin), which asks the source to pause while more than a high-water mark is waiting, so a slow
// reader of a big `kubectl cp` does not make the API server hold the whole tar.
export class Feed<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private size = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly opts: {
      sizeOf?: (item: T) => number;
      highWaterMark?: number;
      pause?: () => void;
      resume?: () => void;
    } = {},
  ) {}

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.size += this.opts.sizeOf?.(item) ?? 1;
    if (!this.paused && this.size > (this.opts.highWaterMark ?? Number.POSITIVE_INFINITY)) {
      this.paused = true;
      this.opts.pause?.();
    }
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  get done(): boolean {
    return this.ended;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.items.length) {
          const item = this.items.shift() as T;
          this.size -= this.opts.sizeOf?.(item) ?? 1;
          if (this.paused && this.size <= (this.opts.highWaterMark ?? 0) / 2) {
            this.paused = false;
            this.opts.resume?.();
          }
          yield item;
        } else if (this.ended) return;
        else
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
      }
    } finally {
      // The consumer went away: drop what is left and let the source flow again.
      this.ended = true;
      this.items = [];
      if (this.paused) this.opts.resume?.();
    }
  }
}
