import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid, notFound } from '../core/errors.ts';
import { readJson, writeJsonAtomic } from '../core/fsutil.ts';
import { sha256 } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import { KeyedQueue } from '../core/serial.ts';
import type { Sys } from '../core/sys.ts';
import { ContentStore, hexOf, tempMark } from './content-store.ts';
import type { ImageConfig } from './image-config.ts';
import { ImageGc } from './image-gc.ts';
import { chainIds, LayerStore } from './layer-store.ts';
import { Lease } from './leases.ts';
import { byFullName, parseReference, tagKey } from './reference.ts';

export type { ImageConfig, ImageHistory, ImageRuntimeConfig } from './image-config.ts';
export { chainIds } from './layer-store.ts';
export type { Lease } from './leases.ts';

export interface ImageRecord {
  /** `sha256:<hex>` of the config blob. */
  id: string;
  diffIds: string[];
  chainIds: string[];
  created: string;
  /** Bytes of all layers' files. */
  size: number;
  repoDigests: string[];
  lastTagTime?: string;
  /** The image this one was committed or built on (builds and `docker commit`); loads have none. */
  parent?: string;
}

/** How a user's string found an image: Docker treats removal by ID and by name differently. */
export interface Lookup {
  rec: ImageRecord;
  byId: boolean;
}

/** What deleting an image record released. */
export interface Unlinked {
  /** Chain IDs of the layers deleted with it, top first (as dockerd lists them). */
  layers: string[];
  /** Settles when the record, the tags and the released layers and blobs are gone from disk. */
  done: Promise<void>;
}

/**
 * Images on disk: the config blob in the content store, layers in the layer store, one record per
 * image under `images/`, and `repositories.json` mapping references to image IDs. Every file is
 * written to a temp name and renamed, so a crash leaves the old state or the new one.
 *
 * The records, tags and configs live in memory and change there at once (no await between a check
 * and a change); the files follow, one write at a time per file, so the last write is the newest
 * state. Operations in flight hold what they use through leases (`lease()`).
 */
export class ImageStore {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  private readonly images = new Map<string, ImageRecord>();
  private readonly configs = new Map<string, ImageConfig>();
  private tags = new Map<string, string>();
  private readonly writes = new KeyedQueue();
  private readonly gc: ImageGc;

  constructor(
    readonly root: string,
    sys: Sys,
    private readonly log: Logger,
  ) {
    this.content = new ContentStore(root);
    this.layers = new LayerStore(root, sys, log);
    this.gc = new ImageGc(this.content, this.layers, () => this.images.values(), log);
  }

  private get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  private get tagsFile(): string {
    return path.join(this.root, 'repositories.json');
  }

  private recordFile(id: string): string {
    return path.join(this.root, 'images', `${hexOf(id)}.json`);
  }

  async init(): Promise<void> {
    await fs.mkdir(path.join(this.root, 'images'), { recursive: true, mode: 0o700 });
    // Leftovers of an interrupted load, extraction or atomic write are never part of the store.
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await this.content.init();
    await this.layers.init();
    for (const d of [this.root, path.join(this.root, 'images')]) {
      for (const f of await fs.readdir(d))
        if (f.endsWith('.tmp')) await fs.rm(path.join(d, f), { force: true });
    }
    for (const f of await fs.readdir(path.join(this.root, 'images'))) {
      if (!f.endsWith('.json')) continue;
      const rec = await readJson<ImageRecord>(path.join(this.root, 'images', f)).catch(() => undefined);
      const config = rec && (await this.complete(rec)) ? await this.readConfig(rec.id) : undefined;
      if (!rec || !config) {
        this.log.warn('dropping incomplete image record', { file: f });
        continue;
      }
      this.images.set(rec.id, rec);
      this.configs.set(rec.id, config);
    }
    const tags = (await readJson<Record<string, string>>(this.tagsFile)) ?? {};
    this.tags = new Map(Object.entries(tags).filter(([, id]) => this.images.has(id)));
  }

  private async readConfig(id: string): Promise<ImageConfig | undefined> {
    try {
      return JSON.parse((await this.content.read(id)).toString('utf8')) as ImageConfig;
    } catch {
      return undefined;
    }
  }

  private async complete(rec: ImageRecord): Promise<boolean> {
    if (!(await this.content.has(rec.id))) return false;
    for (const c of rec.chainIds) if (!(await this.layers.has(c))) return false;
    return true;
  }

  /** A fresh path in the store's temp dir (on the same file system, emptied at init). */
  newTempPath(prefix: string): string {
    return path.join(this.tmpDir, `${prefix}${tempMark}${randomBytes(6).toString('hex')}`);
  }

  layerDir(chainId: string): string {
    return this.layers.diffDir(chainId);
  }

  /**
   * Records an image whose layers are already extracted; stores the config blob. With a lease, the
   * image is pinned (and its layers and blobs kept) before anything is checked, so that a prune cannot
   * take it before its writer tags it or uses it.
   */
  async putImage(
    configBytes: Buffer,
    repoDigests: string[] = [],
    parent?: string,
    lease?: Lease,
  ): Promise<ImageRecord> {
    let config: ImageConfig;
    try {
      config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    } catch {
      throw invalid('invalid image config: not JSON');
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    const chains = chainIds(diffIds);
    const id = sha256(configBytes);
    lease?.reserve(id, chains, [...diffIds, id]);
    let size = 0;
    for (const c of chains) {
      const meta = await this.layers.meta(c);
      if (!meta) throw invalid(`layer ${c} is missing`);
      size += meta.size;
    }
    await this.content.write(configBytes, id);
    const existing = this.images.get(id);
    const rec: ImageRecord = {
      id,
      diffIds,
      chainIds: chains,
      created: config.created ?? new Date(0).toISOString(),
      size,
      repoDigests: [...new Set([...(existing?.repoDigests ?? []), ...repoDigests])],
      lastTagTime: existing?.lastTagTime,
      ...((existing?.parent ?? parent) ? { parent: existing?.parent ?? parent } : {}),
    };
    this.images.set(id, rec);
    this.configs.set(id, config);
    await this.persistRecord(id);
    return rec;
  }

  all(): ImageRecord[] {
    return [...this.images.values()];
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  /** Every image's config is in memory from init on: reading one never races its deletion. */
  async config(id: string): Promise<ImageConfig> {
    const cfg = this.configs.get(id);
    if (!cfg) throw notFound(`No such image: ${id}`);
    return cfg;
  }

  configOf(id: string): ImageConfig | undefined {
    return this.configs.get(id);
  }

  /** Images built or committed on this one. */
  children(id: string): ImageRecord[] {
    return this.all().filter((r) => r.parent === id);
  }

  /** True while an operation in flight pins the image (see Lease). */
  pinned(id: string): boolean {
    return this.gc.pinned(id);
  }

  /** A lease for an operation in flight; release it when the operation ends, whatever happens. */
  lease(): Lease {
    return new Lease(this.gc.leaseHost((id) => this.images.get(id)));
  }

  /** The familiar tags of an image (`busybox:latest`), in dockerd's order (by fully qualified name). */
  tagsOf(id: string): string[] {
    return [...this.tags.entries()]
      .filter(([, v]) => v === id)
      .map(([k]) => k)
      .sort(byFullName);
  }

  tagTarget(key: string): string | undefined {
    return this.tags.get(key);
  }

  /**
   * Points `key` (a familiar `name:tag`) at an image; returns the image it pointed at before. The
   * change is made at once; the promise settles when it is on disk.
   */
  async setTag(key: string, id: string): Promise<string | undefined> {
    const rec = this.images.get(id);
    if (!rec) throw notFound(`No such image: ${id}`);
    const old = this.tags.get(key);
    this.tags.set(key, id);
    rec.lastTagTime = new Date().toISOString();
    await Promise.all([this.persistRecord(id), this.saveTags()]);
    return old;
  }

  /** Removes a tag at once; the promise settles when that is on disk. */
  async deleteTag(key: string): Promise<void> {
    this.tags.delete(key);
    await this.saveTags();
  }

  /** Writes the tags as they are when the write runs, after any write queued before it. */
  private saveTags(): Promise<void> {
    return this.writes.run('tags', () =>
      writeJsonAtomic(this.tagsFile, Object.fromEntries([...this.tags].sort())),
    );
  }

  /** Writes an image's record as it is when the write runs, or removes the file if it is gone. */
  private persistRecord(id: string): Promise<void> {
    return this.writes.run(`record:${id}`, async () => {
      const rec = this.images.get(id);
      if (rec) await writeJsonAtomic(this.recordFile(id), rec);
      else await fs.rm(this.recordFile(id), { force: true });
    });
  }

  async dropRepoDigest(id: string, digestRef: string): Promise<void> {
    const rec = this.images.get(id);
    if (!rec) return;
    rec.repoDigests = rec.repoDigests.filter((d) => d !== digestRef);
    await this.persistRecord(id);
  }

  /** Adds repo digests (after a push) to an image that is still here. */
  async addRepoDigests(id: string, refs: string[]): Promise<void> {
    const rec = this.images.get(id);
    if (!rec) return;
    rec.repoDigests = [...new Set([...rec.repoDigests, ...refs])];
    await this.persistRecord(id);
  }

  /** Full ID, `sha256:` ID, name, name:tag, name@digest, then a unique ID prefix, like Docker. */
  lookup(ref: string): Lookup | undefined {
    if (!ref) return undefined;
    const full = /^[a-f0-9]{64}$/.test(ref) ? `sha256:${ref}` : ref;
    const rec = this.images.get(full);
    if (rec) return { rec, byId: true };
    try {
      const parsed = parseReference(ref);
      if (parsed.digest) {
        const name = tagKey(ref).split('@')[0];
        const hit = this.all().find((r) => r.repoDigests.includes(`${name}@${parsed.digest}`));
        if (hit) return { rec: hit, byId: false };
      } else {
        const id = this.tags.get(tagKey(ref));
        const hit = id ? this.images.get(id) : undefined;
        if (hit) return { rec: hit, byId: false };
      }
    } catch {
      // not a reference: maybe an ID prefix
    }
    const prefix = ref.startsWith('sha256:') ? ref.slice('sha256:'.length) : ref;
    if (!/^[a-f0-9]+$/.test(prefix)) return undefined;
    const matches = [...this.images.keys()].filter((id) => hexOf(id).startsWith(prefix));
    return matches.length === 1 ? { rec: this.images.get(matches[0]) as ImageRecord, byId: true } : undefined;
  }

  resolve(ref: string): ImageRecord | undefined {
    return this.lookup(ref)?.rec;
  }

  /**
   * Deletes an image record and its tags at once, and with them every layer and blob that no other
   * image and no lease needs (those a lease keeps go when it is released). Undefined when the image
   * was already gone: deleting twice is not an error.
   */
  unlinkImage(id: string): Unlinked | undefined {
    const rec = this.images.get(id);
    if (!rec) return undefined;
    this.images.delete(id);
    this.configs.delete(id);
    let tagged = false;
    for (const [k, v] of this.tags)
      if (v === id) {
        this.tags.delete(k);
        tagged = true;
      }
    // The record goes from disk before its layers, so a crash never leaves a record without them.
    const unrecorded = Promise.all([this.persistRecord(id), tagged ? this.saveTags() : undefined]);
    const released = this.gc.collect([...rec.chainIds].reverse(), [...rec.diffIds, id], unrecorded);
    return {
      layers: released.layers,
      done: Promise.all([unrecorded, released.done]).then(() => undefined),
    };
  }

  /** Deletes an image as unlinkImage does and waits for the disk; returns the layers deleted. */
  async deleteImage(id: string): Promise<string[]> {
    const unlinked = this.unlinkImage(id);
    if (!unlinked) return [];
    await unlinked.done;
    return unlinked.layers;
  }
}
