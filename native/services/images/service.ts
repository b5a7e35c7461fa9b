import { promises as fs } from 'node:fs';
import { conflict, invalid, notFound } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { type ImageConfig, type ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { parseReference, tagKey, withTag } from '../../storage/reference.ts';
import { applyChanges } from './changes.ts';
import { streamToUncompressed } from './layer-file.ts';
import { loadArchive } from './load.ts';
import { saveArchive } from './save.ts';

export type { ImageConfig } from '../../storage/image-store.ts';

export interface ImageEvent {
  Type: 'image';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  layerDirs: string[];
  repoTags: string[];
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

function globToRegex(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Images as the Docker API shows them; storage stays in native/storage. */
export class ImageService {
  readonly store: ImageStore;

  constructor(
    private readonly opts: {
      root: string;
      log: Logger;
      sys: Sys;
      emit: (e: ImageEvent) => void;
      usedBy: (imageId: string) => Array<{ id: string; running: boolean }>;
    },
  ) {
    this.store = new ImageStore(opts.root, opts.sys, opts.log);
  }

  init(): Promise<void> {
    return this.store.init();
  }

  private emit(action: string, id: string, name?: string) {
    this.opts.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: name ? { name } : {} } });
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

  private get(ref: string): ImageRecord {
    const rec = this.store.resolve(ref);
    if (!rec) throw notFound(`No such image: ${ref}`);
    return rec;
  }

  async list(q: { all?: boolean; filters?: Record<string, string[]>; digests?: boolean }) {
    const f = q.filters ?? {};
    for (const k of Object.keys(f)) {
      if (!['dangling', 'label', 'before', 'since', 'reference', 'until'].includes(k))
        throw invalid(`invalid filter '${k}'`);
    }
    const createdOf = (ref: string) => Date.parse(this.get(ref).created);
    const before = f.before?.[0] ? createdOf(f.before[0]) : undefined;
    const since = f.since?.[0] ? createdOf(f.since[0]) : undefined;
    const out = [];
    for (const rec of this.store.all()) {
      const tags = this.store.tagsOf(rec.id);
      const cfg = await this.store.config(rec.id);
      const labels = cfg.config?.Labels ?? {};
      if (f.dangling?.length) {
        const want = f.dangling[0] === 'true' || f.dangling[0] === '1';
        if (want !== (tags.length === 0)) continue;
      }
      if (
        f.reference?.length &&
        !f.reference.some((g) =>
          tags.some((t) => globToRegex(g).test(t) || globToRegex(g).test(t.replace(/:[^:/]+$/, ''))),
        )
      )
        continue;
      if (
        f.label?.length &&
        !f.label.every((l) =>
          l.includes('=') ? labels[l.split('=')[0]] === l.slice(l.indexOf('=') + 1) : l in labels,
        )
      )
        continue;
      const created = Date.parse(rec.created);
      if (before !== undefined && created >= before) continue;
      if (since !== undefined && created <= since) continue;
      out.push({
        Id: rec.id,
        ParentId: '',
        RepoTags: tags,
        RepoDigests: rec.repoDigests,
        Created: Math.floor(created / 1000),
        Size: rec.size,
        SharedSize: -1,
        VirtualSize: rec.size,
        Labels: cfg.config?.Labels ?? null,
        Containers: -1,
      });
    }
    return out.sort((a, b) => b.Created - a.Created);
  }

  async inspect(ref: string) {
    const rec = this.get(ref);
    const cfg = await this.store.config(rec.id);
    const dirs = rec.chainIds.map((c) => this.store.layerDir(c));
    return {
      Id: rec.id,
      RepoTags: this.store.tagsOf(rec.id),
      RepoDigests: rec.repoDigests,
      Parent: '',
      Comment: cfg.history?.[cfg.history.length - 1]?.comment ?? '',
      Created: rec.created,
      DockerVersion: '',
      Author: cfg.author ?? '',
      Config: {
        Env: null,
        Cmd: null,
        Entrypoint: null,
        WorkingDir: '',
        User: '',
        Labels: null,
        OnBuild: null,
        ...(cfg.config ?? {}),
      },
      Architecture: cfg.architecture,
      ...(cfg.variant ? { Variant: cfg.variant } : {}),
      Os: cfg.os,
      Size: rec.size,
      VirtualSize: rec.size,
      GraphDriver: {
        Name: 'overlay2',
        Data: dirs.length
          ? {
              LowerDir: dirs.slice(0, -1).reverse().join(':') || undefined,
              UpperDir: dirs[dirs.length - 1],
              MergedDir: '',
              WorkDir: '',
            }
          : {},
      },
      RootFS: { Type: 'layers', Layers: rec.diffIds },
      Metadata: { LastTagTime: rec.lastTagTime ?? '0001-01-01T00:00:00Z' },
    };
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const rec = this.get(source);
    if (!repo) throw invalid('repository name must have at least one component');
    const key = withTag(repo, tag);
    await this.store.setTag(key, rec.id);
    this.emit('tag', rec.id, key);
  }

  async remove(
    ref: string,
    opts: { force?: boolean; noprune?: boolean },
  ): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    const rec = this.get(ref);
    const out: Array<{ Untagged?: string; Deleted?: string }> = [];
    const users = this.opts.usedBy(rec.id);
    const tags = this.store.tagsOf(rec.id);
    let byTag = false;
    try {
      const key = tagKey(ref);
      byTag = this.store.tagTarget(key) === rec.id && !/^(sha256:)?[a-f0-9]{6,64}$/.test(ref);
    } catch {
      byTag = false;
    }
    if (byTag) {
      const key = tagKey(ref);
      if (tags.length > 1 || (users.length > 0 && !opts.force && false)) {
        await this.store.deleteTag(key);
        this.emit('untag', rec.id, key);
        return [{ Untagged: key }];
      }
      if (users.length > 0 && !opts.force) {
        const running = users.some((u) => u.running);
        throw conflict(
          `conflict: unable to remove repository reference "${ref}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${short(rec.id)}${running ? '' : ''}`,
        );
      }
      await this.store.deleteTag(key);
      this.emit('untag', rec.id, key);
      out.push({ Untagged: key });
      if (users.length > 0) return out; // forced: untagged, the image stays for its containers
    } else {
      const running = users.find((u) => u.running);
      if (running) {
        throw conflict(
          `conflict: unable to delete ${short(rec.id)} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`,
        );
      }
      if (users.length > 0 && !opts.force) {
        throw conflict(
          `conflict: unable to delete ${short(rec.id)} (must be forced) - image is being used by stopped container ${users[0].id.slice(0, 12)}`,
        );
      }
      if (tags.length > 1 && !opts.force) {
        throw conflict(
          `conflict: unable to delete ${short(rec.id)} (must be forced) - image is referenced in multiple repositories`,
        );
      }
      for (const t of tags) {
        await this.store.deleteTag(t);
        this.emit('untag', rec.id, t);
        out.push({ Untagged: t });
      }
      for (const d of rec.repoDigests) out.push({ Untagged: d });
      if (users.length > 0) return out;
    }
    await this.store.deleteImage(rec.id);
    out.push({ Deleted: rec.id });
    this.emit('delete', rec.id);
    return out;
  }

  async load(body: NodeJS.ReadableStream, progress: (msg: object) => void): Promise<void> {
    const loaded = await loadArchive(this.store, body);
    for (const img of loaded) {
      if (img.tags.length === 0) {
        progress({ stream: `Loaded image ID: ${img.id}\n` });
      }
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
      this.emit('load', img.id, img.tags[0]);
    }
  }

  async save(refs: string[], out: NodeJS.WritableStream): Promise<void> {
    const images: Array<{ rec: ImageRecord; tags: string[] }> = [];
    for (const ref of refs) {
      const rec = this.get(ref);
      let tags: string[] = [];
      try {
        const key = tagKey(ref);
        if (this.store.tagTarget(key) === rec.id) tags = [key];
      } catch {
        /* an id: no tag */
      }
      if (tags.length === 0 && !ref.startsWith('sha256:') && !/^[a-f0-9]+$/.test(ref))
        tags = this.store.tagsOf(rec.id);
      const existing = images.find((i) => i.rec.id === rec.id);
      if (existing) existing.tags.push(...tags.filter((t) => !existing.tags.includes(t)));
      else images.push({ rec, tags });
      this.emit('save', rec.id, tags[0]);
    }
    await saveArchive(this.store, images, out);
  }

  async import(
    body: NodeJS.ReadableStream,
    opts: { repo?: string; tag?: string; changes?: string[]; message?: string },
  ): Promise<string> {
    const key = opts.repo ? withTag(opts.repo, opts.tag) : undefined;
    const tmp = this.store.newTempPath('import');
    let diffId: string;
    try {
      diffId = await streamToUncompressed(body, tmp);
      if (!(await this.store.hasBlob(diffId))) await this.store.commitBlob(tmp, diffId);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await this.store.ensureLayer(diffId, diffId, undefined);
    const now = new Date().toISOString();
    const config: ImageConfig = {
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      created: now,
      config: applyChanges({}, opts.changes ?? []),
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: now, comment: opts.message || 'Imported from -' }],
    };
    const rec = await this.store.putImage(Buffer.from(JSON.stringify(config)));
    if (key) await this.store.setTag(key, rec.id);
    this.emit('import', rec.id, key);
    return rec.id;
  }

  /** Used by the containers service to validate references early. */
  static validReference(ref: string): void {
    parseReference(ref);
  }
}
