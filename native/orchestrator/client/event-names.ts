/**
 * Event names as client-go's recorder makes them, `<object>.<nanoseconds in hex>`, increasing within
 * one recorder (two events in the same millisecond get the next nanosecond), so a recorder's events
 * list in the order they happened and never collide.
 */
export class EventNames {
  private last = 0n;

  next(object: string | undefined, nowMs: number): string {
    const nanos = BigInt(Math.floor(nowMs)) * 1_000_000n;
    this.last = nanos > this.last ? nanos : this.last + 1n;
    return `${object}.${this.last.toString(16)}`;
  }
}
