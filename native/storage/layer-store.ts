import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../core/fsutil.ts';
import { sha256 } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import { hexOf, tempMark } from './content-store.ts';
import { extractLayer } from './tar-extract.ts';

export interface LayerMeta {
  diffId: string;
  chainId: string;
  parent: string | null;
  /** Bytes of regular files and symlink targets extracted (see ExtractResult). */
  size: number;
}

/** chain(L0) = diffID(L0); chain(Ln) = sha256(chain(Ln-1) + " " + diffID(Ln)), per the OCI image spec. */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

/**
 * Extracted layers, once per chain ID: `<root>/layers/<chainHex>/{diff,meta.json}`. A layer is
 * extracted into a temp dir and renamed into place, so a crash never leaves a half layer visible.
 * A layer being deleted is gone at once for `has` and `meta`; extracting it again waits for the
 * deletion to finish.
 */
export class LayerStore {
  readonly dir: string;
  private readonly metas = new Map<string, LayerMeta>();
  private readonly doomed = new Map<string, Promise<void>>();
  /** Bumped by every deletion, so that a metadata read that raced one is not cached. */
  private deletions = 0;

  constructor(
    root: string,
    private readonly sys: Sys,
    private readonly log: Logger,
  ) {
    this.dir = path.join(root, 'layers');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith(tempMark)) await fs.rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  diffDir(chainId: string): string {
    return path.join(this.dir, hexOf(chainId), 'diff');
  }

  async meta(chainId: string): Promise<LayerMeta | undefined> {
    if (this.doomed.has(chainId)) return undefined;
    const cached = this.metas.get(chainId);
    if (cached) return cached;
    const seen = this.deletions;
    const meta = await readJson<LayerMeta>(path.join(this.dir, hexOf(chainId), 'meta.json')).catch(
      () => undefined,
    );
    if (this.deletions !== seen) return this.meta(chainId);
    if (meta) this.metas.set(chainId, meta);
    return meta;
  }

  /** The metadata already in memory (every layer an image record uses is), without I/O. */
  known(chainId: string): LayerMeta | undefined {
    return this.doomed.has(chainId) ? undefined : this.metas.get(chainId);
  }

  /** Bytes of file content in the layer, as recorded when it was extracted. */
  async size(chainId: string): Promise<number> {
    return (await this.meta(chainId))?.size ?? 0;
  }

  async has(chainId: string): Promise<boolean> {
    return (await this.meta(chainId)) !== undefined;
  }

  /**
   * Extracts the uncompressed tar `file` (whose sha256 is `diffId`) as `chainId`, unless present.
   * `beforeCommit` runs once the layer is extracted and before it becomes visible (a pull stores the
   * tar itself there, so that no layer is ever present without its tar).
   */
  async ensure(
    file: string,
    diffId: string,
    chainId: string,
    parent: string | undefined,
    beforeCommit?: () => Promise<void>,
  ): Promise<LayerMeta> {
    await this.doomed.get(chainId);
    const present = await this.meta(chainId);
    if (present) return present;
    const tmp = path.join(this.dir, `${tempMark}${randomBytes(8).toString('hex')}`);
    await fs.mkdir(path.join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    try {
      const res = await extractLayer(
        this.sys,
        createReadStream(file, { highWaterMark: 1 << 20 }),
        path.join(tmp, 'diff'),
      );
      if (res.refused.length)
        this.log.warn('layer entries refused', { layer: diffId, refused: res.refused.slice(0, 20) });
      const meta: LayerMeta = { diffId, chainId, parent: parent ?? null, size: res.size };
      await writeJsonAtomic(path.join(tmp, 'meta.json'), meta);
      await beforeCommit?.();
      await this.doomed.get(chainId);
      await fs.rename(tmp, path.join(this.dir, hexOf(chainId)));
      this.metas.set(chainId, meta);
      return meta;
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      const raced = (code === 'ENOTEMPTY' || code === 'EEXIST') && (await this.meta(chainId));
      if (raced) return raced;
      throw err;
    }
  }

  /**
   * Deletes a layer: it is gone for `has` and `meta` at once, and its directory goes once `after`
   * settles (the image store first makes the records that no longer use it durable).
   */
  delete(chainId: string, after: Promise<unknown> = Promise.resolve()): Promise<void> {
    const pending = this.doomed.get(chainId);
    if (pending) return pending;
    this.metas.delete(chainId);
    this.deletions++;
    const done = (async () => {
      await after.catch(() => undefined);
      const doomed = path.join(this.dir, `${tempMark}${randomBytes(8).toString('hex')}`);
      // Rename first so that a crash mid-delete leaves a temp dir (cleaned at init), not a torn layer.
      await fs.rename(path.join(this.dir, hexOf(chainId)), doomed).catch(() => undefined);
      await fs.rm(doomed, { recursive: true, force: true });
    })().finally(() => this.doomed.delete(chainId));
    // Waiters only need to know that it is over; the caller hears how it went.
    this.doomed.set(
      chainId,
      done.catch(() => undefined),
    );
    return done;
  }

  /** True while a deletion of the layer is under way. */
  deleting(chainId: string): boolean {
    return this.doomed.has(chainId);
  }
}
