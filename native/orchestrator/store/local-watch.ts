// Watches for the in-process backends (memory, SQLite): every write is published here after it is
// committed, and each watch replays the history after its revision, then follows the live changes.
// History and subscription happen in one synchronous turn, so no change falls between the two and
// none comes twice.
import type { Revision, WatchEvent } from './store.ts';

export interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  /** The revision of this change (for a delete: of the delete). */
  revision: Revision;
  /** The value written, or for a delete the last value. */
  json: string;
}

export class LocalWatchers {
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly enders = new Set<() => void>();
  private closed = false;

  /** Live watches, for tests and for the benchmark's fan-out figures. */
  get count(): number {
    return this.listeners.size;
  }

  publish(change: Change): void {
    for (const l of this.listeners) l(change);
  }

  /** Ends every watch (the store is closing) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const end of this.enders) end();
  }

  /**
   * `history` is called when the first event is asked for (it throws 'gone' for a compacted revision,
   * so the caller learns it at once) and gives the recorded changes after the watch's revision.
   */
  async *watch(
    prefix: string,
    history: () => Iterable<Change>,
    signal: AbortSignal,
    current: () => Revision,
    progressMs?: number,
  ): AsyncIterable<WatchEvent> {
    if (signal.aborted || this.closed) return;
    const queue: WatchEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (e: WatchEvent) => {
      queue.push(e);
      wake?.();
    };
    for (const c of history()) if (c.key.startsWith(prefix)) queue.push(toEvent(c));
    const listener = (c: Change) => {
      if (c.key.startsWith(prefix)) push(toEvent(c));
    };
    this.listeners.add(listener);
    // Everything the watch holds is released on abort or close, not only when the generator next
    // resumes: a consumer that stops reading without return() must not leave a timer behind.
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      if (timer) clearInterval(timer);
      this.listeners.delete(listener);
      this.enders.delete(end);
      signal.removeEventListener('abort', end);
      queue.length = 0;
      wake?.();
    };
    this.enders.add(end);
    signal.addEventListener('abort', end);
    // An empty queue means every change so far has been delivered: the current revision is seen.
    if (progressMs)
      timer = setInterval(() => {
        if (queue.length === 0) push({ type: 'PROGRESS', revision: current() });
      }, progressMs);
    try {
      while (!ended) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    } finally {
      end();
    }
  }
}

function toEvent(c: Change): WatchEvent {
  return { type: c.type, object: { key: c.key, value: JSON.parse(c.json), revision: c.revision } };
}
