import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { invalid } from '../../core/errors.ts';
import { chainIds, digestOfFile, type ImageConfig, type ImageStore } from '../../storage/image-store.ts';
import { parseReference, tagKey } from '../../storage/reference.ts';
import { safeRelative } from '../../storage/tar-extract.ts';
import { uncompressLayer } from './layer-file.ts';

export interface LoadedImage {
  id: string;
  tags: string[];
}

/** Writes every regular file of the archive under `dir` (safe names only) before anything is read. */
async function stage(body: NodeJS.ReadableStream, dir: string): Promise<void> {
  const extract = tarStream.extract();
  extract.on('entry', (h, stream, next) => {
    const rel = safeRelative(h.name);
    if (!rel || (h.type !== 'file' && h.type !== 'contiguous-file')) {
      stream.resume();
      stream.on('end', next);
      return;
    }
    const out = path.join(dir, rel);
    fs.mkdir(path.dirname(out), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(out, { mode: 0o600 })))
      .then(
        () => next(),
        (err) => extract.destroy(err as Error),
      );
  });
  await pipeline(body, extract);
}

async function readJsonFile<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    throw invalid(`invalid archive: cannot read ${what}`);
  }
}

/** Verifies and commits a layer file, then extracts it as the given chain. */
async function commitLayer(
  store: ImageStore,
  file: string,
  expectedDiff: string,
  chainId: string,
  parent: string | undefined,
  index: number,
) {
  if (!(await store.hasBlob(expectedDiff))) {
    const tmp = store.newTempPath('layer');
    const { diffId } = await uncompressLayer(file, tmp);
    if (diffId !== expectedDiff) {
      await fs.rm(tmp, { force: true });
      throw invalid(`invalid diffID for layer ${index}: expected "${expectedDiff}", got "${diffId}"`);
    }
    await store.commitBlob(tmp, diffId);
  }
  await store.ensureLayer(expectedDiff, chainId, parent);
}

async function importImage(store: ImageStore, configFile: string, layerFiles: string[]): Promise<string> {
  const configBytes = await fs.readFile(configFile);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffs = config.rootfs?.diff_ids ?? [];
  if (diffs.length !== layerFiles.length)
    throw invalid(`invalid manifest: ${layerFiles.length} layers for ${diffs.length} diff IDs`);
  const chains = chainIds(diffs);
  for (let i = 0; i < diffs.length; i++)
    await commitLayer(store, layerFiles[i], diffs[i], chains[i], chains[i - 1], i);
  return (await store.putImage(configBytes)).id;
}

interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;

async function ociBlob(dir: string, digest: string): Promise<string> {
  const [algo, hex] = digest.split(':');
  const file = path.join(dir, 'blobs', algo, hex);
  const actual = await digestOfFile(file).catch(() => undefined);
  if (actual === undefined) throw invalid(`invalid OCI layout: blob ${digest} is missing`);
  if (actual !== digest) throw invalid(`invalid OCI layout: blob ${digest} has digest ${actual}`);
  return file;
}

/** Picks the manifest for this host from a descriptor that may be an index. */
async function ociManifest(
  dir: string,
  desc: OciDescriptor,
): Promise<{ config: OciDescriptor; layers: OciDescriptor[] }> {
  const doc = await readJsonFile<{
    manifests?: OciDescriptor[];
    config?: OciDescriptor;
    layers?: OciDescriptor[];
  }>(await ociBlob(dir, desc.digest), desc.digest);
  if (doc.manifests) {
    const pick =
      doc.manifests.find((m) => m.platform?.architecture === hostArch && m.platform?.os === 'linux') ??
      doc.manifests[0];
    if (!pick) throw invalid('invalid OCI layout: empty index');
    return ociManifest(dir, pick);
  }
  if (!doc.config || !doc.layers) throw invalid(`invalid OCI layout: ${desc.digest} is not a manifest`);
  return { config: doc.config, layers: doc.layers };
}

function ociTag(desc: OciDescriptor): string | undefined {
  const a = desc.annotations ?? {};
  const full = a['io.containerd.image.name'];
  if (full) return tagKey(full);
  const ref = a['org.opencontainers.image.ref.name'];
  if (ref && /[/:]/.test(ref)) {
    try {
      return tagKey(ref);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Loads a docker-save or OCI-layout archive (several images allowed) into the store. */
export async function loadArchive(store: ImageStore, body: NodeJS.ReadableStream): Promise<LoadedImage[]> {
  const dir = store.newTempPath('load');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await stage(body, dir);
    const has = (f: string) =>
      fs.stat(path.join(dir, f)).then(
        () => true,
        () => false,
      );
    const loaded: LoadedImage[] = [];
    if (await has('manifest.json')) {
      const manifest = await readJsonFile<
        Array<{ Config: string; RepoTags?: string[] | null; Layers: string[] }>
      >(path.join(dir, 'manifest.json'), 'manifest.json');
      for (const m of manifest) {
        const configFile = path.join(dir, safeRelative(m.Config) ?? '');
        const layers = m.Layers.map((l) => path.join(dir, safeRelative(l) ?? ''));
        const id = await importImage(store, configFile, layers);
        loaded.push({ id, tags: (m.RepoTags ?? []).map((t) => tagKey(t)) });
      }
      return loaded;
    }
    if (await has('index.json')) {
      const index = await readJsonFile<{ manifests: OciDescriptor[] }>(
        path.join(dir, 'index.json'),
        'index.json',
      );
      for (const desc of index.manifests ?? []) {
        const { config, layers } = await ociManifest(dir, desc);
        const configFile = await ociBlob(dir, config.digest);
        const layerFiles: string[] = [];
        for (const l of layers) layerFiles.push(await ociBlob(dir, l.digest));
        const id = await importImage(store, configFile, layerFiles);
        const tag = ociTag(desc);
        loaded.push({ id, tags: tag ? [tag] : [] });
      }
      return loaded;
    }
    throw invalid('unrecognized image archive: no manifest.json or index.json');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export { parseReference };
