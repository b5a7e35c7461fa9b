import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from '../core/errors.ts';
import { dirSize, readJson, writeFileAtomic, writeJsonAtomic } from '../core/fsutil.ts';
import { sha256 } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import { parseReference, tagKey } from './reference.ts';
import { extractLayer } from './tar-extract.ts';

export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  Healthcheck?: object | null;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  ArgsEscaped?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ImageRuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{
    created?: string;
    created_by?: string;
    comment?: string;
    empty_layer?: boolean;
    author?: string;
  }>;
}

export interface ImageRecord {
  id: string; // sha256 of the config blob
  diffIds: string[];
  chainIds: string[];
  created: string;
  size: number;
  repoDigests: string[];
  lastTagTime?: string;
}

/** chain(L0) = diff(L0); chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/**
 * Images on disk: blobs by digest, layers extracted once per chain ID, image records, and the tag map.
 * Every write goes to a temp name first and is renamed into place, so a crash leaves no half image.
 */
export class ImageStore {
  private readonly images = new Map<string, ImageRecord>();
  private readonly configs = new Map<string, ImageConfig>();
  private tags = new Map<string, string>();
  private readonly layerSizes = new Map<string, number>();

  constructor(
    readonly root: string,
    private readonly sys: Sys,
    private readonly log: Logger,
  ) {}

  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  async init(): Promise<void> {
    for (const d of ['blobs/sha256', 'layers', 'images', 'tmp'])
      await fs.mkdir(path.join(this.root, d), { recursive: true, mode: 0o700 });
    // Leftovers of an interrupted load or extraction are never part of the store.
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(path.join(this.root, 'layers'))) {
      if (name.startsWith('.'))
        await fs.rm(path.join(this.root, 'layers', name), { recursive: true, force: true });
    }
    for (const f of await fs.readdir(path.join(this.root, 'images'))) {
      if (!f.endsWith('.json')) continue;
      const rec = await readJson<ImageRecord>(path.join(this.root, 'images', f)).catch(() => undefined);
      if (!rec || !(await this.layersPresent(rec))) {
        this.log.warn('dropping incomplete image record', { file: f });
        continue;
      }
      this.images.set(rec.id, rec);
    }
    const tags = (await readJson<Record<string, string>>(path.join(this.root, 'repositories.json'))) ?? {};
    this.tags = new Map(Object.entries(tags).filter(([, id]) => this.images.has(id)));
  }

  private async layersPresent(rec: ImageRecord): Promise<boolean> {
    for (const c of rec.chainIds) {
      if (
        !(await fs.stat(path.join(this.layerDir(c), '..', 'meta.json')).then(
          () => true,
          () => false,
        ))
      )
        return false;
    }
    return true;
  }

  newTempPath(prefix: string): string {
    return path.join(this.tmpDir, `${prefix}-${randomBytes(6).toString('hex')}`);
  }

  blobPath(digest: string): string {
    return path.join(this.root, 'blobs', 'sha256', hex(digest));
  }

  async hasBlob(digest: string): Promise<boolean> {
    return fs.stat(this.blobPath(digest)).then(
      () => true,
      () => false,
    );
  }

  /** Moves a verified temp file into the blob store under its digest. */
  async commitBlob(tmpFile: string, digest: string): Promise<void> {
    await fs.rename(tmpFile, this.blobPath(digest));
  }

  async readBlob(digest: string): Promise<Buffer> {
    return fs.readFile(this.blobPath(digest));
  }

  async putBlob(data: Buffer): Promise<string> {
    const digest = sha256(data);
    if (!(await this.hasBlob(digest))) await writeFileAtomic(this.blobPath(digest), data, 0o600);
    return digest;
  }

  layerDir(chainId: string): string {
    return path.join(this.root, 'layers', hex(chainId), 'diff');
  }

  hasLayer(chainId: string): Promise<boolean> {
    return fs.stat(path.join(this.layerDir(chainId), '..', 'meta.json')).then(
      () => true,
      () => false,
    );
  }

  /** Extracts the uncompressed layer blob `diffId` as chain `chainId`, once. */
  async ensureLayer(diffId: string, chainId: string, parent: string | undefined): Promise<void> {
    if (await this.hasLayer(chainId)) return;
    const tmp = path.join(this.root, 'layers', `.tmp-${randomBytes(6).toString('hex')}`);
    await fs.mkdir(path.join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    try {
      const res = await extractLayer(
        this.sys,
        createReadStream(this.blobPath(diffId)),
        path.join(tmp, 'diff'),
      );
      if (res.refused.length)
        this.log.warn('layer entries refused', { layer: diffId, refused: res.refused.slice(0, 20) });
      await writeJsonAtomic(path.join(tmp, 'meta.json'), {
        diffId,
        chainId,
        parent: parent ?? null,
        size: res.size,
      });
      await fs.rename(tmp, path.dirname(this.layerDir(chainId)));
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      if (
        (err as NodeJS.ErrnoException).code === 'ENOTEMPTY' ||
        (err as NodeJS.ErrnoException).code === 'EEXIST'
      )
        return;
      throw err;
    }
  }

  async layerSize(chainId: string): Promise<number> {
    const cached = this.layerSizes.get(chainId);
    if (cached !== undefined) return cached;
    const meta = await readJson<{ size: number }>(path.join(this.layerDir(chainId), '..', 'meta.json'));
    const size = meta?.size ?? (await dirSize(this.layerDir(chainId)));
    this.layerSizes.set(chainId, size);
    return size;
  }

  /** Records an image whose config blob and layers are already in the store. */
  async putImage(configBytes: Buffer, repoDigests: string[] = []): Promise<ImageRecord> {
    const id = await this.putBlob(configBytes);
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const chains = chainIds(diffIds);
    for (const c of chains)
      if (!(await this.hasLayer(c))) throw invalid(`layer ${c} of image ${id} is missing`);
    let size = 0;
    for (const c of chains) size += await this.layerSize(c);
    const existing = this.images.get(id);
    const rec: ImageRecord = {
      id,
      diffIds,
      chainIds: chains,
      created: config.created ?? new Date(0).toISOString(),
      size,
      repoDigests: [...new Set([...(existing?.repoDigests ?? []), ...repoDigests])],
      lastTagTime: existing?.lastTagTime,
    };
    await writeJsonAtomic(path.join(this.root, 'images', `${hex(id)}.json`), rec);
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
    const cfg = JSON.parse((await this.readBlob(id)).toString('utf8')) as ImageConfig;
    this.configs.set(id, cfg);
    return cfg;
  }

  tagsOf(id: string): string[] {
    return [...this.tags.entries()]
      .filter(([k, v]) => v === id && !k.includes('@'))
      .map(([k]) => k)
      .sort();
  }

  tagTarget(key: string): string | undefined {
    return this.tags.get(key);
  }

  async setTag(key: string, id: string): Promise<string | undefined> {
    const old = this.tags.get(key);
    this.tags.set(key, id);
    const rec = this.images.get(id);
    if (rec) {
      rec.lastTagTime = new Date().toISOString();
      await writeJsonAtomic(path.join(this.root, 'images', `${hex(id)}.json`), rec);
    }
    await this.saveTags();
    return old;
  }

  async deleteTag(key: string): Promise<void> {
    this.tags.delete(key);
    await this.saveTags();
  }

  private async saveTags(): Promise<void> {
    await writeJsonAtomic(path.join(this.root, 'repositories.json'), Object.fromEntries(this.tags));
  }

  /** id, sha256:id, unique id prefix, name, name:tag, name@digest. */
  resolve(ref: string): ImageRecord | undefined {
    if (!ref) return undefined;
    const full = ref.startsWith('sha256:') ? ref : /^[a-f0-9]{64}$/.test(ref) ? `sha256:${ref}` : undefined;
    if (full && this.images.has(full)) return this.images.get(full);
    try {
      const key = tagKey(ref);
      const id = this.tags.get(key);
      if (id) return this.images.get(id);
      const parsed = parseReference(ref);
      if (parsed.digest) {
        for (const rec of this.images.values())
          if (rec.repoDigests.some((d) => d.endsWith(`@${parsed.digest}`))) return rec;
      }
    } catch {
      /* not a reference: maybe an id prefix */
    }
    const prefix = ref.replace(/^sha256:/, '');
    if (/^[a-f0-9]+$/.test(prefix)) {
      const matches = [...this.images.keys()].filter((id) => hex(id).startsWith(prefix));
      if (matches.length === 1) return this.images.get(matches[0]);
    }
    return undefined;
  }

  /** Deletes an image record and every layer and blob no other image needs. */
  async deleteImage(id: string): Promise<void> {
    const rec = this.images.get(id);
    if (!rec) return;
    this.images.delete(id);
    this.configs.delete(id);
    for (const [k, v] of this.tags) if (v === id) this.tags.delete(k);
    await this.saveTags();
    await fs.rm(path.join(this.root, 'images', `${hex(id)}.json`), { force: true });
    const usedChains = new Set([...this.images.values()].flatMap((r) => r.chainIds));
    const usedDiffs = new Set([...this.images.values()].flatMap((r) => r.diffIds));
    for (const c of rec.chainIds) {
      if (!usedChains.has(c)) {
        await fs.rm(path.dirname(this.layerDir(c)), { recursive: true, force: true });
        this.layerSizes.delete(c);
      }
    }
    for (const d of rec.diffIds) if (!usedDiffs.has(d)) await fs.rm(this.blobPath(d), { force: true });
    if (![...this.images.keys()].includes(id)) await fs.rm(this.blobPath(id), { force: true });
  }
}

/** sha256 of a stream's bytes, as `sha256:<hex>`. */
export async function digestOfFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}
