import path from 'node:path';
import { readJson, writeJsonAtomic } from '../core/fsutil.ts';

/** A compressed blob that, uncompressed, is a layer we hold: where it lives, how big it is. */
export interface RemoteBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** `host/path` of the repository it was pulled from or pushed to. */
  repo: string;
}

/**
 * Remembers compressed digest ↔ diffID pairs seen on pull and push, in
 * `<image root>/distribution.json` (written atomically), so that push can skip or mount layers the
 * registry already has instead of compressing and uploading them again.
 */
export class DistributionMap {
  private byDiff: Record<string, RemoteBlob[]> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  private constructor(root: string) {
    this.file = path.join(root, 'distribution.json');
  }

  private static readonly open = new Map<string, DistributionMap>();

  /** One map per image root, so concurrent pulls and pushes share (and serialise) its writes. */
  static for(root: string): DistributionMap {
    let m = DistributionMap.open.get(root);
    if (!m) {
      m = new DistributionMap(root);
      DistributionMap.open.set(root, m);
    }
    return m;
  }

  private async load(): Promise<Record<string, RemoteBlob[]>> {
    if (!this.byDiff)
      this.byDiff = (await readJson<Record<string, RemoteBlob[]>>(this.file).catch(() => undefined)) ?? {};
    return this.byDiff;
  }

  async blobsOf(diffId: string): Promise<RemoteBlob[]> {
    return [...((await this.load())[diffId] ?? [])];
  }

  async diffIdOf(digest: string): Promise<string | undefined> {
    const all = await this.load();
    return Object.keys(all).find((d) => all[d].some((b) => b.digest === digest));
  }

  async add(diffId: string, blob: RemoteBlob): Promise<void> {
    const all = await this.load();
    const list = all[diffId] ?? [];
    if (list.some((b) => b.digest === blob.digest && b.repo === blob.repo)) return;
    // Newest first, bounded: a layer pushed to many repositories keeps the recent ones.
    all[diffId] = [blob, ...list].slice(0, 20);
    const write = this.writing.then(() => writeJsonAtomic(this.file, all));
    this.writing = write.catch(() => undefined);
    await write;
  }
}
