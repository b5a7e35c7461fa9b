import { invalid, notFound } from '../core/errors.ts';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export const manifestAccept = [
  mediaTypes.dockerManifest,
  mediaTypes.dockerList,
  mediaTypes.ociManifest,
  mediaTypes.ociIndex,
].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform & { 'os.version'?: string };
  urls?: string[];
}

export interface ImageManifest {
  kind: 'manifest';
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: 'index';
  manifests: Descriptor[];
}

/** Tells an image manifest from an index by media type, or by shape when the type is missing. */
export function parseManifest(bytes: Buffer, contentType: string | null): ImageManifest | ManifestIndex {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('invalid manifest: not JSON');
  }
  const type = (typeof m.mediaType === 'string' ? m.mediaType : '') || (contentType ?? '').split(';')[0];
  if (type === mediaTypes.dockerList || type === mediaTypes.ociIndex || Array.isArray(m.manifests))
    return { kind: 'index', manifests: (m.manifests as Descriptor[]) ?? [] };
  if (m.schemaVersion === 1) throw invalid('unsupported manifest: Docker image manifest schema 1');
  if (!m.config || !Array.isArray(m.layers)) throw invalid(`unsupported manifest media type ${type}`);
  return { kind: 'manifest', config: m.config as Descriptor, layers: m.layers as Descriptor[] };
}

/** The platform this engine runs: linux on amd64 or arm64 (variant v8), like dockerd's default. */
export function hostPlatform(): Platform {
  if (process.arch === 'arm64') return { os: 'linux', architecture: 'arm64', variant: 'v8' };
  if (process.arch === 'arm') return { os: 'linux', architecture: 'arm', variant: 'v7' };
  return { os: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch };
}

/** Parses `--platform linux/arm64/v8`; an empty string means the host. */
export function parsePlatform(spec: string | undefined | null): Platform {
  if (!spec) return hostPlatform();
  const parts = spec.toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p))
    throw invalid(`invalid platform ${JSON.stringify(spec)}: expected os/arch[/variant]`);
  let architecture = parts[1];
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  return { os: parts[0], architecture, variant: parts[2] };
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * Picks the manifest for a platform from an index: os and architecture must match; the variant must
 * match when asked for, else an exact variant (arm64 → v8) wins over none. Attestation entries
 * (`unknown/unknown`) never match.
 */
export function selectPlatform(index: ManifestIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter(
    (d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture,
  );
  const normVariant = (v: string | undefined, arch: string) => (arch === 'arm64' && !v ? 'v8' : v);
  const wanted = normVariant(want.variant, want.architecture);
  const exact = candidates.filter(
    (d) => normVariant(d.platform?.variant, d.platform!.architecture) === wanted,
  );
  const pick = exact[0] ?? (want.variant ? undefined : candidates[0]);
  if (!pick) throw notFound(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return pick;
}
