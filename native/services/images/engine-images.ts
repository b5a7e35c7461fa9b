import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Sys } from '../../core/sys.ts';
import { resolveUser } from '../../runtime/user.ts';
import { mountRootfs, prepareRootfs, rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import type { ImageConfig, ImageStore, Lease } from '../../storage/image-store.ts';
import { extractLayer } from '../../storage/tar-extract.ts';
import { commitImage } from './commit.ts';
import { streamToUncompressed } from './layer-file.ts';
import type { HeldImages, ImageOperations, ImageSummary, NewImageSpec } from './operations.ts';
import type { RegistryService } from './registry.ts';
import type { ImageService } from './service.ts';

/** The engine's ImageOperations: the image service and its store. */
export class EngineImages implements ImageOperations {
  constructor(
    private readonly sys: Sys,
    private readonly images: ImageService,
    /** Absent: find only (pull refuses). */
    private readonly registry?: RegistryService,
  ) {}

  private get store(): ImageStore {
    return this.images.store;
  }

  async find(ref: string): Promise<ImageSummary | undefined> {
    const rec = this.store.resolve(ref);
    return rec && { id: rec.id, repoDigests: [...rec.repoDigests] };
  }

  async pull(ref: string): Promise<ImageSummary> {
    if (!this.registry) throw new Error(`cannot pull ${ref}: this engine has no registry client`);
    const res = await this.registry.pull({ ref, creds: {}, progress: () => {} });
    const rec = this.store.get(res.id);
    return { id: res.id, repoDigests: [...(rec?.repoDigests ?? [])] };
  }

  get buildCacheFile(): string {
    return path.join(this.store.root, 'build-cache.json');
  }

  hold(): HeldImages {
    return new EngineHeldImages(this.sys, this.images, this.images.lease());
  }

  async tag(imageId: string, key: string): Promise<void> {
    await this.images.tag(imageId, key);
  }

  tempPath(prefix: string): string {
    return this.store.newTempPath(prefix);
  }

  async receive(body: NodeJS.ReadableStream, file: string): Promise<void> {
    await streamToUncompressed(body, file);
  }

  async extract(tarFile: string, dir: string): Promise<void> {
    await extractLayer(this.sys, createReadStream(tarFile), dir);
  }
}

/** Images held by a lease of the store (see Lease). */
export class EngineHeldImages implements HeldImages {
  constructor(
    private readonly sys: Sys,
    private readonly images: ImageService,
    /** Exposed to the container side's commit, which stores its image under the same lease. */
    readonly lease: Lease,
  ) {}

  private get store(): ImageStore {
    return this.images.store;
  }

  async resolve(ref: string): Promise<{ id: string } | undefined> {
    const img = await this.images.resolve(ref, this.lease);
    return img && { id: img.id };
  }

  use(id: string): boolean {
    return this.lease.use(id);
  }

  has(id: string): boolean {
    return this.store.get(id) !== undefined;
  }

  config(id: string): Promise<ImageConfig> {
    return this.store.config(id);
  }

  async commit(spec: NewImageSpec): Promise<string> {
    return (await commitImage(this.store, { ...spec, lease: this.lease })).id;
  }

  async probe(imageId: string | undefined, abs: string): Promise<Stats | undefined> {
    const rec = imageId ? this.store.get(imageId) : undefined;
    for (const chain of [...(rec?.chainIds ?? [])].reverse()) {
      const st = await fs.lstat(path.join(this.store.layerDir(chain), abs)).catch(() => undefined);
      if (st) return st.isCharacterDevice() && st.rdev === 0 ? undefined : st;
    }
    return undefined;
  }

  async withRootfs<T>(imageId: string | undefined, fn: (rootfs: string) => Promise<T>): Promise<T> {
    const rec = imageId ? this.store.get(imageId) : undefined;
    const base = this.store.newTempPath('view');
    const dirs = rootfsDirs(base);
    await prepareRootfs(dirs);
    try {
      await mountRootfs(
        this.sys,
        dirs,
        (rec?.chainIds ?? []).map((c) => this.store.layerDir(c)),
      );
      return await fn(dirs.merged);
    } finally {
      await unmountRootfs(this.sys, dirs).catch(() => undefined);
      await fs.rm(base, { recursive: true, force: true });
    }
  }

  async userOf(imageId: string | undefined, spec: string): Promise<{ uid: number; gid: number }> {
    const m = /^(\d+)(?::(\d+))?$/.exec(spec);
    if (m) return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
    const u = await this.withRootfs(imageId, (rootfs) => resolveUser(rootfs, spec));
    return { uid: u.uid, gid: u.gid };
  }

  release(): void {
    this.lease.release();
  }
}
