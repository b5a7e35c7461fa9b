import type { Logger } from '../core/log.ts';
import type { ContentStore } from './content-store.ts';
import type { LayerStore } from './layer-store.ts';
import { type LeaseHost, RefCounts } from './leases.ts';

/** The parts of an image record that decide what it keeps alive. */
interface Holder {
  id: string;
  chainIds: string[];
  diffIds: string[];
}

const layerKey = (c: string) => `layer:${c}`;
const blobKey = (d: string) => `blob:${d}`;

/**
 * Reference counting for the image store, like dockerd's layer store: a layer or blob stays while an
 * image record uses it or a lease keeps it. Deciding what to delete is done at once, in memory (the
 * layer and content stores hide what is being deleted immediately); the files go afterwards.
 */
export class ImageGc {
  private readonly pins = new RefCounts();
  private readonly kept = new RefCounts();
  /** Keys no image uses any more that a lease still kept when their last image went. */
  private readonly orphans = new Set<string>();

  constructor(
    private readonly content: ContentStore,
    private readonly layers: LayerStore,
    private readonly records: () => Iterable<Holder>,
    private readonly log: Logger,
  ) {}

  pinned(id: string): boolean {
    return this.pins.has(id);
  }

  leaseHost(get: (id: string) => Holder | undefined): LeaseHost {
    return {
      holdImage: (id, pin) => {
        const rec = get(id);
        if (!rec) return undefined;
        if (pin) this.pins.add(id);
        const held = { layers: [...rec.chainIds], blobs: [...rec.diffIds, rec.id] };
        this.keep(held.layers, held.blobs);
        return held;
      },
      pin: (id) => this.pins.add(id),
      unpin: (id) => this.pins.drop(id),
      keep: (layers, blobs) => this.keep(layers, blobs),
      release: (layers, blobs) => this.release(layers, blobs),
    };
  }

  private keep(layers: string[], blobs: string[]): void {
    for (const c of layers) this.kept.add(layerKey(c));
    for (const d of blobs) this.kept.add(blobKey(d));
  }

  private release(layers: string[], blobs: string[]): void {
    const freed = (keys: string[], key: (k: string) => string) =>
      keys.filter((k) => this.kept.drop(key(k)) && this.orphans.delete(key(k)));
    const l = freed(layers, layerKey);
    const b = freed(blobs, blobKey);
    if (l.length === 0 && b.length === 0) return;
    this.collect(l, b, Promise.resolve()).done.catch((err: unknown) =>
      this.log.warn('cannot delete released image data', { error: String(err) }),
    );
  }

  /**
   * Deletes the given layers (top first) and blobs that no record uses and no lease keeps; their
   * files go once `after` settles. Returns the layers it deletes, in the order given.
   */
  collect(
    layers: string[],
    blobs: string[],
    after: Promise<unknown>,
  ): { layers: string[]; done: Promise<void> } {
    const usedLayers = new Set<string>();
    const usedBlobs = new Set<string>();
    for (const r of this.records()) {
      for (const c of r.chainIds) usedLayers.add(c);
      for (const d of r.diffIds) usedBlobs.add(d);
      usedBlobs.add(r.id);
    }
    const removed: string[] = [];
    const jobs: Promise<void>[] = [];
    for (const c of new Set(layers)) {
      if (usedLayers.has(c) || this.layers.deleting(c)) continue;
      if (this.kept.has(layerKey(c))) {
        this.orphans.add(layerKey(c));
        continue;
      }
      if (this.layers.known(c)) removed.push(c);
      jobs.push(this.layers.delete(c, after));
    }
    for (const d of new Set(blobs)) {
      if (usedBlobs.has(d) || this.content.deleting(d)) continue;
      if (this.kept.has(blobKey(d))) {
        this.orphans.add(blobKey(d));
        continue;
      }
      jobs.push(this.content.delete(d, after));
    }
    return { layers: removed, done: Promise.all(jobs).then(() => undefined) };
  }
}
