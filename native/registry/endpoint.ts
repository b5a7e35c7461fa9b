import type { Reference } from '../storage/reference.ts';

export interface RegistryConfig {
  /** Hosts (`host[:port]`) or CIDRs spoken to over plain HTTP, besides localhost and 127.0.0.0/8. */
  insecureRegistries: string[];
  /** Mirrors tried first for Docker Hub pulls, e.g. `http://127.0.0.1:5001`. */
  mirrors: string[];
  /** Blobs bigger than this are uploaded in PATCH chunks of this size. */
  uploadChunkSize?: number;
}

/**
 * Reads the optional `BERTH_INSECURE_REGISTRIES` and `BERTH_REGISTRY_MIRRORS` (comma-separated) and
 * `BERTH_REGISTRY_CHUNK_SIZE` (bytes) from the environment; dockerd's `--insecure-registry` /
 * `--registry-mirror` would feed the same object.
 */
export function registryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const chunk = Number(env.BERTH_REGISTRY_CHUNK_SIZE);
  return {
    insecureRegistries: list(env.BERTH_INSECURE_REGISTRIES),
    mirrors: list(env.BERTH_REGISTRY_MIRRORS),
    ...(Number.isInteger(chunk) && chunk > 0 ? { uploadChunkSize: chunk } : {}),
  };
}

const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `docker.io` is served at registry-1.docker.io; every other domain is its own host. */
export function registryHost(domain: string): string {
  return dockerHubHosts.has(domain) ? 'registry-1.docker.io' : domain;
}

export function isDockerHub(domain: string): boolean {
  return dockerHubHosts.has(domain);
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 ? host.slice(0, colon) : host;
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base);
  const bits = Number(bitsText);
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

/** Docker speaks plain HTTP to loopback registries and to those the user declared insecure. */
export function isInsecure(host: string, config: RegistryConfig): boolean {
  const name = hostname(host);
  if (name === 'localhost' || name === '::1' || inCidr(name, '127.0.0.0/8')) return true;
  return config.insecureRegistries.some((entry) =>
    entry.includes('/') ? inCidr(name, entry) : entry === host || entry === name,
  );
}

/** The base URL of a registry's v2 API for a reference's domain, e.g. `http://localhost:5000`. */
export function registryBaseUrl(domain: string, config: RegistryConfig): string {
  const host = registryHost(domain);
  return `${isInsecure(host, config) ? 'http' : 'https'}://${host}`;
}

/** Where to pull from: mirrors first for Docker Hub, then the registry itself. */
export function pullEndpoints(ref: Reference, config: RegistryConfig): string[] {
  const own = registryBaseUrl(ref.domain, config);
  if (!isDockerHub(ref.domain)) return [own];
  return [...config.mirrors.map((m) => m.replace(/\/+$/, '')), own];
}

/** `/v2/<name>/manifests/<ref>` and friends; the name's slashes stay as they are. */
export function v2Path(repo: string, kind: 'manifests' | 'blobs', ref: string): string {
  return `/v2/${repo}/${kind}/${ref}`;
}

/**
 * Resolves an upload `Location`: it is opaque, may be relative to the request and carries state in
 * its query, which must be kept when more parameters (`digest=`) are added.
 */
export function resolveLocation(location: string, requestUrl: string): URL {
  return new URL(location, requestUrl);
}
