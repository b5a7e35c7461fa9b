import { readJson, writeJsonAtomic } from '../core/fsutil.ts';
import { sha256 } from '../core/ids.ts';
import { KeyedQueue } from '../core/serial.ts';

/** What makes a build step reusable: its parent, its text, and what it read. */
export interface CacheKeyParts {
  parent: string | undefined;
  instruction: string;
  /** Content digest of COPY/ADD sources. */
  sources?: string;
  /** Build arguments in effect for the step. */
  args: Record<string, string>;
}

export function cacheKey(parts: CacheKeyParts): string {
  const args = Object.fromEntries(Object.entries(parts.args).sort(([a], [b]) => a.localeCompare(b)));
  return sha256(JSON.stringify([parts.parent ?? 'scratch', parts.instruction, parts.sources ?? '', args]));
}

/** Builds running side by side add their entries one at a time, so that none is lost. */
const writes = new KeyedQueue();

/**
 * The build cache: step key → image ID, in one JSON file under the image root, written atomically.
 * Entries whose image was removed are ignored (and dropped on the next write).
 */
export class BuildCache {
  private entries: Record<string, string> = {};

  private constructor(
    private readonly file: string,
    private readonly exists: (imageId: string) => boolean,
  ) {}

  /** Opens the cache kept in `file`; `exists` says whether an image is still in the store. */
  static async open(file: string, exists: (imageId: string) => boolean): Promise<BuildCache> {
    const cache = new BuildCache(file, exists);
    cache.entries = (await readJson<Record<string, string>>(cache.file).catch(() => undefined)) ?? {};
    return cache;
  }

  get(key: string): string | undefined {
    const id = this.entries[key];
    return id && this.exists(id) ? id : undefined;
  }

  put(key: string, imageId: string): Promise<void> {
    return writes.run(this.file, async () => {
      // Re-read: other builds wrote their entries since this one opened the cache.
      const current = (await readJson<Record<string, string>>(this.file).catch(() => undefined)) ?? {};
      const merged = { ...current, ...this.entries, [key]: imageId };
      this.entries = Object.fromEntries(Object.entries(merged).filter(([, id]) => this.exists(id)));
      await writeJsonAtomic(this.file, this.entries);
    });
  }
}
