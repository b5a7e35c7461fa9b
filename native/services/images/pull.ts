import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { EngineError, invalid, notFound } from '../../core/errors.ts';
import { exists } from '../../core/fsutil.ts';
import type { Credentials } from '../../registry/auth.ts';
import { RegistryClient, RegistryHttpError } from '../../registry/client.ts';
import { pullEndpoints, type RegistryConfig } from '../../registry/endpoint.ts';
import {
  type Descriptor,
  type ImageManifest,
  parseManifest,
  parsePlatform,
  platformString,
  selectPlatform,
} from '../../registry/manifest.ts';
import { type ProgressSink, progress, shortDigest, throttled } from '../../registry/progress.ts';
import { DistributionMap } from '../../storage/distribution-map.ts';
import { chainIds, type ImageConfig, type ImageStore, type Lease } from '../../storage/image-store.ts';
import { LayerDigester } from '../../storage/layer-digester.ts';
import { familiarName, familiarString, parseReference, type Reference } from '../../storage/reference.ts';

export interface PullOptions {
  /** What the user asked for: `localhost:5000/busybox:t`, `busybox@sha256:…`. */
  ref: string;
  platform?: string;
  creds: Credentials;
  config: RegistryConfig;
  progress: ProgressSink;
  /** Layers fetched at once. */
  concurrency?: number;
}

export interface PullResult {
  id: string;
  manifestDigest: string;
  reference: string;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Runs at most `n` tasks at a time. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

function describeRef(ref: Reference): string {
  return familiarString({ ...ref, tag: ref.digest ? undefined : ref.tag });
}

/** Maps registry errors to what dockerd says about them. */
function pullError(err: unknown, ref: Reference): unknown {
  if (!(err instanceof RegistryHttpError)) return err;
  const name = familiarName(ref);
  if (err.status === 404)
    return notFound(`manifest for ${describeRef(ref)} not found: ${err.detail || 'manifest unknown'}`);
  if (err.status === 401 || err.status === 403)
    return new EngineError(
      'not-found',
      `pull access denied for ${name}, repository does not exist or may require 'docker login': ${err.message}`,
    );
  return err;
}

async function fetchManifest(
  ref: Reference,
  opts: PullOptions,
): Promise<{ client: RegistryClient; bytes: Buffer; contentType: string | null }> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const endpoints = pullEndpoints(ref, opts.config);
  let lastErr: unknown;
  for (const base of endpoints) {
    const client = new RegistryClient(base, opts.creds);
    try {
      const m = await client.getManifest(ref.path, reference);
      return { client, bytes: m.bytes, contentType: m.contentType };
    } catch (err) {
      lastErr = err;
    }
  }
  throw pullError(lastErr, ref);
}

/**
 * Fetches a layer blob and, in the same pass, verifies its digest and size and writes it out
 * uncompressed, returning the diffID (see LayerDigester). The file is a
 * temp file: nothing reaches the store before the digests are checked.
 */
async function download(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  file: string,
  onBytes: (n: number) => void,
): Promise<{ diffId: string; synced: Promise<void> }> {
  const { body } = await client.getBlob(repo, desc.digest);
  const digester = new LayerDigester(file, /gzip/.test(desc.mediaType));
  let got = 0;
  let result: { digest: string; diffId: string; synced: Promise<void> };
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      got += chunk.byteLength;
      if (got > desc.size)
        throw invalid(`blob ${desc.digest} is larger than its declared ${desc.size} bytes`);
      await digester.write(chunk);
      onBytes(got);
    }
    result = await digester.end();
  } catch (err) {
    await digester.abort();
    if (err instanceof EngineError) throw err;
    throw invalid(
      `filesystem layer verification failed for digest ${desc.digest}: ${(err as Error).message}`,
    );
  }
  if (got !== desc.size || result.digest !== desc.digest)
    throw invalid(`filesystem layer verification failed for digest ${desc.digest}`);
  return { diffId: result.diffId, synced: result.synced };
}

async function fetchConfig(client: RegistryClient, repo: string, desc: Descriptor): Promise<Buffer> {
  const { body } = await client.getBlob(repo, desc.digest);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  if (sha256(bytes) !== desc.digest)
    throw invalid(`image config verification failed for digest ${desc.digest}`);
  return bytes;
}

/**
 * `docker pull`: resolves the manifest (through an index for the wanted platform), fetches the config
 * and the layers that are not already extracted (three at a time), checks every blob's digest and
 * every layer's diffID, then records the image, its tag and its repo digest.
 */
export async function pullImage(store: ImageStore, opts: PullOptions): Promise<PullResult> {
  const ref = parseReference(opts.ref);
  if (!ref.tag && !ref.digest) ref.tag = 'latest';
  const sink = opts.progress;
  const repo = ref.path;
  const { client, bytes: top, contentType } = await fetchManifest(ref, opts);
  const manifestDigest = sha256(top);
  if (ref.digest && ref.digest !== manifestDigest)
    throw invalid(`manifest verification failed for digest ${ref.digest}`);
  let parsed = parseManifest(top, contentType);
  if (parsed.kind === 'index') {
    const pick = selectPlatform(parsed, parsePlatform(opts.platform));
    const m = await client.getManifest(repo, pick.digest).catch((err) => {
      throw pullError(err, ref);
    });
    if (sha256(m.bytes) !== pick.digest)
      throw invalid(`manifest verification failed for digest ${pick.digest}`);
    parsed = parseManifest(m.bytes, m.contentType);
    if (parsed.kind !== 'manifest') throw invalid('invalid manifest: an index inside an index');
  }
  const manifest: ImageManifest = parsed;
  sink(progress.status(`Pulling from ${repo}`, ref.digest ?? ref.tag));

  const configBytes = await fetchConfig(client, repo, manifest.config);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch {
    throw invalid('invalid image config: not JSON');
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length)
    throw invalid(`invalid manifest: ${manifest.layers.length} layers for ${diffIds.length} diff IDs`);
  if (opts.platform) {
    const want = parsePlatform(opts.platform);
    const have = { os: config.os, architecture: config.architecture, variant: config.variant };
    if (have.os !== want.os || have.architecture !== want.architecture)
      throw invalid(
        `image with reference ${describeRef(ref)} was found but its platform (${platformString(have)}) does not match the specified platform (${platformString(want)})`,
      );
  }
  const id = sha256(configBytes);
  // Pinned and kept before anything is looked at: a prune cannot take the layers this pull finds
  // present, nor the image before it is tagged.
  const lease = store.lease();
  try {
    return await fetchAndRecord(
      store,
      opts,
      { ref, client, manifest, configBytes, id, diffIds, manifestDigest },
      lease,
    );
  } finally {
    lease.release();
  }
}

interface Fetched {
  ref: Reference;
  client: RegistryClient;
  manifest: ImageManifest;
  configBytes: Buffer;
  id: string;
  diffIds: string[];
  manifestDigest: string;
}

async function fetchAndRecord(
  store: ImageStore,
  opts: PullOptions,
  f: Fetched,
  lease: Lease,
): Promise<PullResult> {
  const { ref, client, manifest, configBytes, id, diffIds, manifestDigest } = f;
  const sink = opts.progress;
  lease.reserve(id, chainIds(diffIds), [...diffIds, id]);
  const already = store.get(id);
  const tagKeyOf = ref.digest ? undefined : familiarString({ ...ref, digest: undefined });
  const upToDate =
    already !== undefined &&
    (tagKeyOf
      ? store.tagTarget(tagKeyOf) === id
      : already.repoDigests.includes(`${familiarName(ref)}@${manifestDigest}`));

  if (!already) await fetchLayers(store, client, ref, manifest.layers, diffIds, sink, opts.concurrency ?? 3);

  const repoDigest = `${familiarName(ref)}@${manifestDigest}`;
  await store.putImage(configBytes, [repoDigest], undefined, lease);
  if (tagKeyOf) await store.setTag(tagKeyOf, id);
  sink(progress.status(`Digest: ${manifestDigest}`));
  const shown = familiarString(ref.digest ? { ...ref, tag: undefined } : ref);
  sink(
    progress.status(
      upToDate ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}`,
    ),
  );
  return { id, manifestDigest, reference: shown };
}

async function fetchLayers(
  store: ImageStore,
  client: RegistryClient,
  ref: Reference,
  layers: Descriptor[],
  diffIds: string[],
  sink: ProgressSink,
  concurrency: number,
): Promise<void> {
  const chains = chainIds(diffIds);
  const distribution = DistributionMap.for(store.root);
  const limit = limiter(concurrency);
  const temps: string[] = [];
  type Fetched = { file: string; diffId: string; synced: Promise<void> };
  const downloads = new Map<string, Promise<Fetched>>();
  const needed: boolean[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (/zstd/.test(l.mediaType)) throw invalid(`unsupported layer media type ${l.mediaType}`);
    needed[i] = !(await store.layers.has(chains[i]));
    if (!needed[i]) {
      sink(progress.layer('Already exists', shortDigest(l.digest)));
      continue;
    }
    if (downloads.has(l.digest)) continue;
    sink(progress.layer('Pulling fs layer', shortDigest(l.digest)));
    const file = store.newTempPath('pull');
    temps.push(file);
    const p = limit(async () => {
      const sid = shortDigest(l.digest);
      const got = await download(client, ref.path, l, file, throttled(sink, 'Downloading', sid, l.size));
      sink(progress.layer('Verifying Checksum', sid));
      sink(progress.layer('Download complete', sid));
      return { file, ...got };
    });
    p.catch(() => undefined);
    downloads.set(l.digest, p);
  }
  try {
    // Each layer is extracted as soon as it is downloaded, in parallel with the others: a layer dir
    // does not depend on the ones below it (only its chain ID does, and that comes from the config).
    const extractOne = async (i: number) => {
      const l = layers[i];
      const sid = shortDigest(l.digest);
      const fetched = await (downloads.get(l.digest) as Promise<Fetched>).catch((err) => {
        throw new EngineError(
          err instanceof EngineError ? err.kind : 'internal',
          `failed to fetch layer ${l.digest}: ${(err as Error).message}`,
        );
      });
      sink(progress.bytes('Extracting', sid, 0, l.size));
      if (fetched.diffId !== diffIds[i])
        throw invalid(`invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${fetched.diffId}"`);
      // Extracted from the temp file while its fsync runs; it joins the content store once durable.
      const stored = await store.content.has(diffIds[i]);
      const source = stored ? store.content.path(diffIds[i]) : fetched.file;
      const adopt = async () => {
        await fetched.synced;
        if (!stored && !(await store.content.has(diffIds[i])))
          await store.content.adopt(fetched.file, fetched.diffId, { synced: true });
      };
      await store.layers.ensure(source, diffIds[i], chains[i], chains[i - 1], adopt);
      // Present already (another pull made it meanwhile): the tar is still wanted in the store.
      if (!stored && (await exists(fetched.file))) await adopt();
      sink(progress.bytes('Extracting', sid, l.size, l.size));
      sink(progress.layer('Pull complete', sid));
    };
    // Layers that share a blob (the same empty layer twice, say) take turns on it.
    const byBlob = new Map<string, Promise<void>>();
    const jobs = layers.map((l, i) => {
      if (!needed[i]) return Promise.resolve();
      const job = (byBlob.get(l.digest) ?? Promise.resolve()).then(() => extractOne(i));
      byBlob.set(
        l.digest,
        job.catch(() => undefined),
      );
      return job;
    });
    const settled = await Promise.allSettled(jobs);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    for (let i = 0; i < layers.length; i++) {
      if (!needed[i]) continue;
      const l = layers[i];
      await distribution.add(diffIds[i], {
        digest: l.digest,
        size: l.size,
        mediaType: l.mediaType,
        repo: `${ref.domain}/${ref.path}`,
      });
    }
  } finally {
    await Promise.allSettled(downloads.values());
    for (const t of temps) await fs.rm(t, { force: true });
  }
}
