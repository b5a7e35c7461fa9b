import { promises as fs } from 'node:fs';
import { invalid, notFound } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { hostArchitecture } from '../../storage/image-config.ts';
import { type ImageConfig, type ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { parseReference, tagKey, withTag } from '../../storage/reference.ts';
import { applyChanges } from './changes.ts';
import { streamToUncompressed } from './layer-file.ts';
import { loadArchive } from './load.ts';
import { type ContainerUse, type DeleteRecord, removeImage } from './remove.ts';
import { saveArchive } from './save.ts';
import { inspectImage, listImages } from './views.ts';

export type { ImageConfig } from '../../storage/image-store.ts';

export interface ImageEvent {
  Type: 'image';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  /** Absolute extracted layer dirs, bottom layer first (reverse them for overlay's lowerdir). */
  layerDirs: string[];
  repoTags: string[];
}

export interface ImageServiceOptions {
  /** The image store's root, e.g. `<data-root>/image`. */
  root: string;
  log: Logger;
  sys: Sys;
  emit: (e: ImageEvent) => void;
  /** Containers created from an image, to refuse removing it under them. */
  usedBy: (imageId: string) => ContainerUse[];
}

/** Images as the Docker Engine API shows them; bytes on disk stay in native/storage. */
export class ImageService {
  readonly store: ImageStore;

  constructor(private readonly opts: ImageServiceOptions) {
    this.store = new ImageStore(opts.root, opts.sys, opts.log);
  }

  init(): Promise<void> {
    return this.store.init();
  }

  private emit(action: string, id: string, name: string): void {
    this.opts.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: { name } } });
  }

  private get(ref: string): ImageRecord {
    const rec = this.store.resolve(ref);
    if (!rec) throw notFound(`No such image: ${ref}`);
    return rec;
  }

  async resolve(ref: string): Promise<ResolvedImage | undefined> {
    const rec = this.store.resolve(ref);
    if (!rec) return undefined;
    return {
      id: rec.id,
      config: await this.store.config(rec.id),
      layerDirs: rec.chainIds.map((c) => this.store.layerDir(c)),
      repoTags: this.store.tagsOf(rec.id),
    };
  }

  async list(
    q: { all?: boolean; filters?: Record<string, string[]>; digests?: boolean } = {},
  ): Promise<object[]> {
    return listImages(this.store, q.filters, q.all ?? false);
  }

  async inspect(ref: string): Promise<object> {
    return inspectImage(this.store, this.get(ref));
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const rec = this.get(source);
    if (!repo) throw invalid('repository name must have at least one component');
    const key = withTag(repo, tag);
    await this.store.setTag(key, rec.id);
    this.emit('tag', rec.id, key);
  }

  async remove(ref: string, opts: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteRecord[]> {
    const ctx = { store: this.store, usedBy: this.opts.usedBy, emit: this.emit.bind(this) };
    const parent = this.store.lookup(ref)?.rec.parent;
    const out = await removeImage(ctx, ref, opts);
    if (!opts.noprune && out.some((o) => o.Deleted)) out.push(...(await this.pruneParents(parent)));
    return out;
  }

  /** Like dockerd, deleting a built image also deletes the untagged intermediate images under it. */
  private async pruneParents(id: string | undefined): Promise<DeleteRecord[]> {
    const out: DeleteRecord[] = [];
    while (id) {
      const rec = this.store.get(id);
      if (!rec || this.store.tagsOf(id).length > 0 || rec.repoDigests.length > 0) break;
      if (this.opts.usedBy(id).length > 0 || this.store.all().some((r) => r.parent === id)) break;
      const next = rec.parent;
      out.push(
        ...(await removeImage(
          { store: this.store, usedBy: this.opts.usedBy, emit: this.emit.bind(this) },
          id,
          {},
        )),
      );
      id = next;
    }
    return out;
  }

  async load(body: NodeJS.ReadableStream, progress: (msg: object) => void): Promise<void> {
    const loaded = await loadArchive(this.store, body);
    for (const img of loaded) {
      if (img.tags.length === 0) progress({ stream: `Loaded image ID: ${img.id}\n` });
      for (const t of img.tags) {
        const old = this.store.tagTarget(t);
        if (old && old !== img.id) {
          progress({
            stream: `The image ${t} already exists, renaming the old one with ID ${old} to empty string\n`,
          });
        }
        await this.store.setTag(t, img.id);
        progress({ stream: `Loaded image: ${t}\n` });
      }
      this.emit('load', img.id, img.tags[0] ?? img.id);
    }
  }

  async save(refs: string[], out: NodeJS.WritableStream): Promise<void> {
    const images: Array<{ rec: ImageRecord; tags: string[] }> = [];
    for (const ref of refs) {
      const found = this.store.lookup(ref);
      if (!found) throw notFound(`No such image: ${ref}`);
      // By name, the archive carries that tag; by ID, no tag (as docker save does).
      const tags = found.byId ? [] : [tagKey(ref)].filter((t) => !t.includes('@'));
      const same = images.find((i) => i.rec.id === found.rec.id);
      if (same) same.tags.push(...tags.filter((t) => !same.tags.includes(t)));
      else images.push({ rec: found.rec, tags });
    }
    await saveArchive(this.store, images, out);
    for (const { rec, tags } of images) this.emit('save', rec.id, tags[0] ?? rec.id);
  }

  /** POST /images/create?fromSrc=-: one layer from a plain or gzip tar; returns the image ID. */
  async import(
    body: NodeJS.ReadableStream,
    opts: { repo?: string; tag?: string; changes?: string[]; message?: string },
  ): Promise<string> {
    const key = opts.repo ? withTag(opts.repo, opts.tag) : undefined;
    const runtime = applyChanges({}, opts.changes ?? []);
    const tmp = this.store.newTempPath('import');
    let diffId: string;
    try {
      diffId = await streamToUncompressed(body, tmp);
      if (!(await this.store.content.has(diffId))) await this.store.content.adopt(tmp, diffId);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await this.store.layers.ensure(this.store.content.path(diffId), diffId, diffId, undefined);
    const now = new Date().toISOString();
    const comment = opts.message || 'Imported from -';
    const config: ImageConfig = {
      architecture: hostArchitecture,
      os: 'linux',
      created: now,
      comment,
      config: runtime,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: now, comment }],
    };
    const rec = await this.store.putImage(Buffer.from(JSON.stringify(config)));
    if (key) await this.store.setTag(key, rec.id);
    this.emit('import', rec.id, key ?? rec.id);
    return rec.id;
  }

  /** Used by the containers service to validate references early. */
  static validReference(ref: string): void {
    parseReference(ref);
  }
}
