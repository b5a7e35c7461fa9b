import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { invalid } from '../../core/errors.ts';
import { chainIds, type ImageConfig, type ImageStore, type Lease } from '../../storage/image-store.ts';
import { tagKey } from '../../storage/reference.ts';
import { safeRelative } from '../../storage/tar-extract.ts';
import { uncompressLayer } from './layer-file.ts';
import { type Archive, type ArchiveImage, readOciLayout } from './oci-layout.ts';

export interface LoadedImage {
  id: string;
  tags: string[];
}

/**
 * Writes the archive's regular files under `dir` (safe names only) and remembers its symlinks:
 * docker save links a layer.tar that two v1 IDs share instead of writing it twice.
 */
async function stage(
  body: NodeJS.ReadableStream,
  dir: string,
  known: (diffId: string) => boolean,
): Promise<Archive> {
  const links = new Map<string, string>();
  // A `<diffID>/layer.tar` (berthd's own save) whose layer is already here is never read: the image's
  // config names its layers by diffID, and those are in the store. Skipping it saves writing it out.
  const skipped = new Set<string>();
  const extract = tarStream.extract();
  extract.on('entry', (h, stream, next) => {
    const rel = safeRelative(h.name);
    if (rel && h.type === 'symlink' && h.linkname) links.set(rel, h.linkname);
    if (!rel || (h.type !== 'file' && h.type !== 'contiguous-file')) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    const byDiff = /^([a-f0-9]{64})\/layer\.tar$/.exec(rel);
    if (byDiff && known(`sha256:${byDiff[1]}`)) {
      skipped.add(rel);
      stream.on('end', next);
      stream.resume();
      return;
    }
    const out = path.join(dir, rel);
    fs.mkdir(path.dirname(out), { recursive: true })
      .then(() => fs.rm(out, { force: true }))
      .then(() => pipeline(stream, createWriteStream(out, { flags: 'wx', mode: 0o600 })))
      .then(
        () => next(),
        (err: Error) => extract.destroy(err),
      );
  });
  await pipeline(body, extract).catch(() => {
    // dockerd's words for a body that is not a (whole) tar: its untar helper's exit and Go's EOF.
    throw invalid('Error processing tar file(exit status 1): unexpected EOF');
  });
  return {
    dir,
    async file(name: string): Promise<string> {
      let rel = safeRelative(name);
      if (rel && skipped.has(rel)) return path.join(dir, rel);
      for (let hops = 0; rel && hops < 8; hops++) {
        const st = await fs.lstat(path.join(dir, rel)).catch(() => undefined);
        if (st?.isFile()) return path.join(dir, rel);
        const link = links.get(rel);
        if (!link) break;
        rel = safeRelative(link.startsWith('/') ? link : path.posix.join(path.posix.dirname(rel), link));
      }
      throw invalid(`invalid archive: ${name} is missing`);
    },
  };
}

async function readJsonFile<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    throw invalid(`invalid archive: cannot read ${what}`);
  }
}

async function readDockerSave(archive: Archive): Promise<ArchiveImage[]> {
  const manifest = await readJsonFile<
    Array<{ Config: string; RepoTags?: string[] | null; Layers: string[] }>
  >(await archive.file('manifest.json'), 'manifest.json');
  if (!Array.isArray(manifest)) throw invalid('invalid archive: manifest.json is not a list');
  const images: ArchiveImage[] = [];
  for (const m of manifest) {
    const layers: string[] = [];
    for (const l of m.Layers ?? []) layers.push(await archive.file(l));
    images.push({ configFile: await archive.file(m.Config), layerFiles: layers, tags: m.RepoTags ?? [] });
  }
  return images;
}

interface Verified {
  config: Buffer;
  diffIds: string[];
  /** Uncompressed, verified layer tars not yet in the store, by diffID. */
  pending: Map<string, string>;
  tags: string[];
}

/** Uncompresses and checks every layer against the config's diff_ids before anything is committed. */
async function verify(
  store: ImageStore,
  img: ArchiveImage,
  seen: Map<string, string>,
  lease: Lease,
): Promise<Verified> {
  const config = await fs.readFile(img.configFile);
  let parsed: ImageConfig;
  try {
    parsed = JSON.parse(config.toString('utf8')) as ImageConfig;
  } catch {
    throw invalid('invalid archive: image config is not JSON');
  }
  const diffIds = parsed.rootfs?.diff_ids ?? [];
  if (diffIds.length !== img.layerFiles.length)
    throw invalid(`invalid manifest: ${img.layerFiles.length} layers for ${diffIds.length} diff IDs`);
  const chains = chainIds(diffIds);
  // Kept before looking: what is here now stays until the image is recorded and tagged.
  lease.keep(chains, diffIds);
  const pending = new Map<string, string>();
  for (let i = 0; i < diffIds.length; i++) {
    const known = seen.get(diffIds[i]);
    if (known) {
      pending.set(diffIds[i], known);
      continue;
    }
    // The layer is made from the stored tar when only that is here.
    if (await store.content.has(diffIds[i])) continue;
    const tmp = store.newTempPath('layer');
    const { diffId } = await uncompressLayer(img.layerFiles[i], tmp);
    if (diffId !== diffIds[i]) {
      await fs.rm(tmp, { force: true });
      throw invalid(`invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${diffId}"`);
    }
    pending.set(diffId, tmp);
    seen.set(diffId, tmp);
  }
  return { config, diffIds, pending, tags: img.tags.map((t) => tagKey(t)) };
}

async function commit(store: ImageStore, v: Verified, lease: Lease): Promise<string> {
  const chains = chainIds(v.diffIds);
  for (let i = 0; i < v.diffIds.length; i++) {
    const tmp = v.pending.get(v.diffIds[i]);
    if (tmp && !(await store.content.has(v.diffIds[i]))) await store.content.adopt(tmp, v.diffIds[i]);
    await store.layers.ensure(store.content.path(v.diffIds[i]), v.diffIds[i], chains[i], chains[i - 1]);
  }
  return (await store.putImage(v.config, [], undefined, lease)).id;
}

/**
 * Loads a docker-save archive (manifest.json; v1 `<id>/layer.tar` or `blobs/sha256/…` layers) or an
 * OCI image layout (index.json) into the store. Several images per archive are fine. Every layer of
 * every image is verified before the first one is committed.
 */
export async function loadArchive(
  store: ImageStore,
  body: NodeJS.ReadableStream,
  lease: Lease,
): Promise<LoadedImage[]> {
  const dir = store.newTempPath('load');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    // A tar an image here already has is left unread, and kept in the store from that moment on.
    const archive = await stage(body, dir, (d) => {
      if (!store.all().some((r) => r.diffIds.includes(d))) return false;
      lease.keep([], [d]);
      return true;
    });
    const has = (f: string) =>
      archive.file(f).then(
        () => true,
        () => false,
      );
    let images: ArchiveImage[];
    if (await has('manifest.json')) images = await readDockerSave(archive);
    else if (await has('index.json')) images = await readOciLayout(archive);
    else throw invalid('invalid archive: no manifest.json or index.json');
    const seen = new Map<string, string>();
    try {
      const verified: Verified[] = [];
      for (const img of images) verified.push(await verify(store, img, seen, lease));
      const loaded: LoadedImage[] = [];
      for (const v of verified) loaded.push({ id: await commit(store, v, lease), tags: v.tags });
      return loaded;
    } finally {
      for (const tmp of seen.values()) await fs.rm(tmp, { force: true });
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
