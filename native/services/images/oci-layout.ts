import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { invalid } from '../../core/errors.ts';
import { hostArchitecture } from '../../storage/image-config.ts';
import { parseReference, tagKey } from '../../storage/reference.ts';

/** A staged image archive: `file(name)` is the path of a member, following the archive's symlinks. */
export interface Archive {
  dir: string;
  file(name: string): Promise<string>;
}

/** One image found in an archive, before verification. */
export interface ArchiveImage {
  configFile: string;
  /** Layer files as stored in the archive (plain or gzip tars), bottom first. */
  layerFiles: string[];
  tags: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

async function digestOf(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** The path of a blob, after checking that its bytes have the digest that names it. */
async function blob(archive: Archive, digest: string): Promise<string> {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest))
    throw invalid(`invalid OCI layout: unsupported digest ${digest}`);
  const file = await archive.file(`blobs/sha256/${digest.slice('sha256:'.length)}`).catch(() => {
    throw invalid(`invalid OCI layout: blob ${digest} is missing`);
  });
  const actual = await digestOf(file);
  if (actual !== digest) throw invalid(`invalid OCI layout: blob ${digest} has digest ${actual}`);
  return file;
}

async function readBlobJson<T>(archive: Archive, digest: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(await blob(archive, digest), 'utf8')) as T;
  } catch (err) {
    if (err instanceof Error && err.name === 'EngineError') throw err;
    throw invalid(`invalid OCI layout: ${digest} is not JSON`);
  }
}

/** Follows an index down to the manifest for this host's platform (or the first one). */
async function manifestOf(
  archive: Archive,
  desc: Descriptor,
): Promise<{ config: Descriptor; layers: Descriptor[] }> {
  const doc = await readBlobJson<{ manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(
    archive,
    desc.digest,
  );
  if (doc.manifests) {
    const pick =
      doc.manifests.find(
        (m) => m.platform?.architecture === hostArchitecture && m.platform?.os === 'linux',
      ) ?? doc.manifests.find((m) => m.platform?.architecture !== 'unknown');
    if (!pick) throw invalid('invalid OCI layout: no manifest in index');
    return manifestOf(archive, pick);
  }
  if (!doc.config || !doc.layers) throw invalid(`invalid OCI layout: ${desc.digest} is not a manifest`);
  for (const l of doc.layers) {
    if (l.mediaType?.includes('zstd')) throw invalid(`unsupported layer media type ${l.mediaType}`);
  }
  return { config: doc.config, layers: doc.layers };
}

/**
 * The tag an index entry names: `io.containerd.image.name` (a full reference) or an
 * `org.opencontainers.image.ref.name` that is a full reference; a bare tag ("1") names no repository.
 */
export function ociTag(annotations: Record<string, string> | undefined): string | undefined {
  const a = annotations ?? {};
  for (const candidate of [a['io.containerd.image.name'], a['org.opencontainers.image.ref.name']]) {
    if (!candidate || !/[/:]/.test(candidate)) continue;
    try {
      const ref = parseReference(candidate);
      if (!ref.digest) return tagKey(candidate);
    } catch {
      // not a reference: try the next annotation
    }
  }
  return undefined;
}

/** The images of an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`). */
export async function readOciLayout(archive: Archive): Promise<ArchiveImage[]> {
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(await fs.readFile(await archive.file('index.json'), 'utf8')) as typeof index;
  } catch {
    throw invalid('invalid OCI layout: cannot read index.json');
  }
  const images: ArchiveImage[] = [];
  for (const desc of index.manifests ?? []) {
    const { config, layers } = await manifestOf(archive, desc);
    const layerFiles: string[] = [];
    for (const l of layers) layerFiles.push(await blob(archive, l.digest));
    const tag = ociTag(desc.annotations);
    images.push({ configFile: await blob(archive, config.digest), layerFiles, tags: tag ? [tag] : [] });
  }
  return images;
}
