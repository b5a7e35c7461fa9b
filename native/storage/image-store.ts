import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from '../core/errors.ts';
import { readJson, writeJsonAtomic } from '../core/fsutil.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import { ContentStore, hexOf, tempMark } from './content-store.ts';
import type { ImageConfig } from './image-config.ts';
import { chainIds, LayerStore } from './layer-store.ts';
import { parseReference, tagKey } from './reference.ts';

export type { ImageConfig, ImageHistory, ImageRuntimeConfig } from './image-config.ts';
export { chainIds } from './layer-store.ts';

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

/**
 * Images on disk: the config blob in the content store, layers in the layer store, one record per
 * image under `images/`, and `repositories.json` mapping references to image IDs. Every file is
 * written to a temp name and renamed, so a crash leaves the old state or the new one.
 */
export class ImageStore {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  private readonly images = new Map<string, ImageRecord>();
  private readonly configs = new Map<string, ImageConfig>();
  private tags = new Map<string, string>();

  constructor(
    readonly root: string,
    sys: Sys,
    private readonly log: Logger,
  ) {
    this.content = new ContentStore(root);
    this.layers = new LayerStore(root, sys, log);
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
      if (!rec || !(await this.complete(rec))) {
        this.log.warn('dropping incomplete image record', { file: f });
        continue;
      }
      this.images.set(rec.id, rec);
    }
    const tags = (await readJson<Record<string, string>>(this.tagsFile)) ?? {};
    this.tags = new Map(Object.entries(tags).filter(([, id]) => this.images.has(id)));
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

  /** Records an image whose layers are already extracted; stores the config blob. */
  async putImage(configBytes: Buffer, repoDigests: string[] = [], parent?: string): Promise<ImageRecord> {
    let config: ImageConfig;
    try {
      config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    } catch {
      throw invalid('invalid image config: not JSON');
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    const chains = chainIds(diffIds);
    let size = 0;
    for (const c of chains) {
      const meta = await this.layers.meta(c);
      if (!meta) throw invalid(`layer ${c} is missing`);
      size += meta.size;
    }
    const id = await this.content.write(configBytes);
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
    await writeJsonAtomic(this.recordFile(id), rec);
    this.images.set(id, rec);
    this.configs.set(id, config);
    return rec;
  }

  all(): ImageRecord[] {
    return [...this.images.values()];
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  async config(id: string): Promise<ImageConfig> {
    const cached = this.configs.get(id);
    if (cached) return cached;
    const cfg = JSON.parse((await this.content.read(id)).toString('utf8')) as ImageConfig;
    this.configs.set(id, cfg);
    return cfg;
  }

  /** The familiar tags of an image (`busybox:latest`), sorted. */
  tagsOf(id: string): string[] {
    return [...this.tags.entries()]
      .filter(([, v]) => v === id)
      .map(([k]) => k)
      .sort();
  }

  tagTarget(key: string): string | undefined {
    return this.tags.get(key);
  }

  /** Points `key` (a familiar `name:tag`) at an image; returns the image it pointed at before. */
  async setTag(key: string, id: string): Promise<string | undefined> {
    const old = this.tags.get(key);
    this.tags.set(key, id);
    const rec = this.images.get(id);
    if (rec) {
      rec.lastTagTime = new Date().toISOString();
      await writeJsonAtomic(this.recordFile(id), rec);
    }
    await this.saveTags();
    return old;
  }

  async deleteTag(key: string): Promise<void> {
    this.tags.delete(key);
    await this.saveTags();
  }

  private async saveTags(): Promise<void> {
    await writeJsonAtomic(this.tagsFile, Object.fromEntries([...this.tags].sort()));
  }

  async dropRepoDigest(id: string, digestRef: string): Promise<void> {
    const rec = this.images.get(id);
    if (!rec) return;
    rec.repoDigests = rec.repoDigests.filter((d) => d !== digestRef);
    await writeJsonAtomic(this.recordFile(id), rec);
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

  /** Deletes an image record, its tags, and every layer and blob no other image needs. */
  async deleteImage(id: string): Promise<string[]> {
    const rec = this.images.get(id);
    if (!rec) return [];
    this.images.delete(id);
    this.configs.delete(id);
    for (const [k, v] of this.tags) if (v === id) this.tags.delete(k);
    await this.saveTags();
    await fs.rm(this.recordFile(id), { force: true });
    await this.content.delete(id);
    const usedChains = new Set(this.all().flatMap((r) => r.chainIds));
    const removed: string[] = [];
    for (const c of rec.chainIds) {
      if (usedChains.has(c)) continue;
      await this.layers.delete(c);
      removed.push(c);
    }
    const usedDiffs = new Set(this.all().flatMap((r) => r.diffIds));
    for (const d of rec.diffIds) if (!usedDiffs.has(d)) await this.content.delete(d);
    return removed;
  }
}
