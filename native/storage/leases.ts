/** How many holders each key has; a key is held while its count is above zero. */
export class RefCounts {
  private readonly counts = new Map<string, number>();

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Drops one hold; returns true when that was the last one. */
  drop(key: string): boolean {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(key, n);
      return false;
    }
    this.counts.delete(key);
    return true;
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }
}

/** What a lease holds on: the image store. */
export interface LeaseHost {
  /** Holds an image's layers and blobs (and pins the image itself when `pin`); false if it is gone. */
  holdImage(id: string, pin: boolean): { layers: string[]; blobs: string[] } | undefined;
  pin(id: string): void;
  unpin(id: string): void;
  keep(layers: string[], blobs: string[]): void;
  release(layers: string[], blobs: string[]): void;
}

/**
 * What an operation in flight holds in the image store, the way containerd's leases and dockerd's
 * layer references do: a pinned image is in use (prune and the pruning of parents pass it by, `rmi`
 * meets a conflict), and kept layers and blobs stay on disk while the lease lasts even when the last
 * image using them is deleted; they are collected when it is released.
 *
 * Every method acts at once (no await), so a lookup followed by `use` in the same tick cannot be
 * overtaken by a deletion.
 */
export class Lease {
  private readonly pins: string[] = [];
  private readonly layers: string[] = [];
  private readonly blobs: string[] = [];
  private released = false;

  constructor(private readonly host: LeaseHost) {}

  /** Pins an image that exists and keeps its bytes; false (and nothing held) when it is gone. */
  use(id: string): boolean {
    return this.hold(id, true);
  }

  /** Keeps an image's bytes readable without pinning it (readers: inspect, save, history, push). */
  read(id: string): boolean {
    return this.hold(id, false);
  }

  /** Pins an image about to be written (pull, load, commit, build) and keeps what it is made of. */
  reserve(id: string, layers: string[], blobs: string[]): void {
    this.check();
    this.host.pin(id);
    this.pins.push(id);
    this.keep(layers, blobs);
  }

  /** Keeps layers and blobs that a write in flight is about to use or make. */
  keep(layers: string[], blobs: string[]): void {
    this.check();
    this.host.keep(layers, blobs);
    this.layers.push(...layers);
    this.blobs.push(...blobs);
  }

  /** Lets everything go; what no image uses any more is collected. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const id of this.pins) this.host.unpin(id);
    this.host.release(this.layers, this.blobs);
  }

  private hold(id: string, pin: boolean): boolean {
    this.check();
    const held = this.host.holdImage(id, pin);
    if (!held) return false;
    if (pin) this.pins.push(id);
    this.layers.push(...held.layers);
    this.blobs.push(...held.blobs);
    return true;
  }

  private check(): void {
    if (this.released) throw new Error('lease used after its release');
  }
}
