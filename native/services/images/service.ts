import { promises as fs } from 'node:fs';
import { errorMessage, invalid, notFound, wrap } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { KeyedQueue } from '../../core/serial.ts';
import type { Sys } from '../../core/sys.ts';
import { hostArchitecture } from '../../storage/image-config.ts';
import { type ImageConfig, type ImageRecord, ImageStore, type Lease } from '../../storage/image-store.ts';
import { chainIds } from '../../storage/layer-store.ts';
import { noSuchImage, parseReference, tagKey, withTag } from '../../storage/reference.ts';
import { applyChanges } from './changes.ts';
import { type HistoryEntry, imageHistory } from './history.ts';
import { streamToUncompressed } from './layer-file.ts';
import { loadArchive } from './load.ts';
import { type PruneReport, pruneImages } from './prune.ts';
import { type ContainerUse, type DeleteCtx, type DeleteRecord, removeImage } from './remove.ts';
import { saveArchive } from './save.ts';
import { inspectImage, listImages } from './views.ts';

export type { ImageConfig, Lease } from '../../storage/image-store.ts';

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
  /** Prunes run one at a time: a second one waits and then finds what the first left. */
  private readonly prunes = new KeyedQueue();

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
    if (!rec) throw noSuchImage(ref);
    return rec;
  }

  /** The image and every image built on it, at any depth (what `ps --filter ancestor=` matches). */
  descendants(id: string): Set<string> {
    const out = new Set([id]);
    const children = new Map<string, string[]>();
    for (const r of this.store.all())
      if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.id]);
    const todo = [id];
    for (let next = todo.pop(); next; next = todo.pop())
      for (const c of children.get(next) ?? [])
        if (!out.has(c)) {
          out.add(c);
          todo.push(c);
        }
    return out;
  }

  /** A lease for an operation in flight (see Lease); release it when the operation ends. */
  lease(): Lease {
    return this.store.lease();
  }

  /**
   * The image `ref` names, as it is now. With a lease, the image is pinned in the same step, so that
   * it stays (with its layers) until the lease is released.
   */
  async resolve(ref: string, lease?: Lease): Promise<ResolvedImage | undefined> {
    const rec = this.store.resolve(ref);
    const config = rec && this.store.configOf(rec.id);
    if (!rec || !config) return undefined;
    lease?.use(rec.id);
    return {
      id: rec.id,
      config,
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
    let rec: ImageRecord;
    try {
      rec = this.get(ref);
    } catch (err) {
      // dockerd names what was asked for before why it was not found.
      throw wrap(`no such image: ${ref}`, err);
    }
    return inspectImage(this.store, rec);
  }

  /** Normalises the tags a build is to get (`name` → `name:latest`), refusing one that is not a name. */
  tagKeys(tags: string[]): string[] {
    return tags.map((t) => {
      try {
        return tagKey(t);
      } catch (err) {
        throw invalid(`invalid tag ${JSON.stringify(t)}: ${errorMessage(err)}`);
      }
    });
  }

  /** `docker history`: newest first, with the size of each layer an entry adds. */
  history(ref: string): Promise<HistoryEntry[]> {
    return imageHistory(this.store, ref);
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const rec = this.get(source);
    if (!repo) throw invalid('repository name must have at least one component');
    const key = withTag(repo, tag);
    await this.store.setTag(key, rec.id);
    this.emit('tag', rec.id, key);
  }

  private get deleteCtx(): DeleteCtx {
    return { store: this.store, usedBy: this.opts.usedBy, emit: this.emit.bind(this) };
  }

  /** `docker rmi`: like dockerd, deleting an image also deletes its untagged parents, unless noprune. */
  async remove(ref: string, opts: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteRecord[]> {
    return removeImage(this.deleteCtx, ref, { force: opts.force, prune: !opts.noprune });
  }

  /** `docker image prune`; see pruneImages. */
  prune(filters: Record<string, string[]>): Promise<PruneReport> {
    return this.prunes.run('prune', async () => {
      const report = await pruneImages({ ...this.deleteCtx, log: this.opts.log }, filters);
      this.opts.emit({
        Type: 'image',
        Action: 'prune',
        Actor: { ID: '', Attributes: { reclaimed: String(report.SpaceReclaimed) } },
      });
      return report;
    });
  }

  async load(body: NodeJS.ReadableStream, progress: (msg: object) => void): Promise<void> {
    const lease = this.store.lease();
    try {
      await this.tagLoaded(await loadArchive(this.store, body, lease), progress);
    } finally {
      lease.release();
    }
  }

  private async tagLoaded(
    loaded: Array<{ id: string; tags: string[] }>,
    progress: (msg: object) => void,
  ): Promise<void> {
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
    const lease = this.store.lease();
    try {
      await this.saveHeld(refs, out, lease);
    } finally {
      lease.release();
    }
  }

  private async saveHeld(refs: string[], out: NodeJS.WritableStream, lease: Lease): Promise<void> {
    const images: Array<{ rec: ImageRecord; tags: string[] }> = [];
    for (const ref of refs) {
      const found = this.store.lookup(ref);
      if (!found) throw notFound(`No such image: ${ref}`);
      lease.read(found.rec.id);
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
    const lease = this.store.lease();
    try {
      return await this.importHeld(body, key, runtime, opts.message, lease);
    } finally {
      lease.release();
    }
  }

  private async importHeld(
    body: NodeJS.ReadableStream,
    key: string | undefined,
    runtime: ImageConfig['config'],
    message: string | undefined,
    lease: Lease,
  ): Promise<string> {
    const tmp = this.store.newTempPath('import');
    let diffId: string;
    try {
      diffId = await streamToUncompressed(body, tmp);
      lease.keep(chainIds([diffId]), [diffId]);
      if (!(await this.store.content.has(diffId))) await this.store.content.adopt(tmp, diffId);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await this.store.layers.ensure(this.store.content.path(diffId), diffId, diffId, undefined);
    const now = new Date().toISOString();
    const comment = message || 'Imported from -';
    const config: ImageConfig = {
      architecture: hostArchitecture,
      os: 'linux',
      created: now,
      comment,
      config: runtime,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: now, comment }],
    };
    const rec = await this.store.putImage(Buffer.from(JSON.stringify(config)), [], undefined, lease);
    if (key) await this.store.setTag(key, rec.id);
    this.emit('import', rec.id, key ?? rec.id);
    return rec.id;
  }

  /** Used by the containers service to validate references early. */
  static validReference(ref: string): void {
    parseReference(ref);
  }
}
