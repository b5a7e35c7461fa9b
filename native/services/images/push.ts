import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { invalid, notFound } from '../../core/errors.ts';
import type { Credentials } from '../../registry/auth.ts';
import { RegistryClient } from '../../registry/client.ts';
import { type RegistryConfig, registryBaseUrl } from '../../registry/endpoint.ts';
import { type Descriptor, mediaTypes } from '../../registry/manifest.ts';
import { type ProgressSink, progress, shortDigest, throttled } from '../../registry/progress.ts';
import { DistributionMap, type RemoteBlob } from '../../storage/distribution-map.ts';
import type { ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { familiarName, fullName, parseReference, type Reference } from '../../storage/reference.ts';

export interface PushOptions {
  /** The repository, `localhost:5000/busybox`, possibly with its tag. */
  name: string;
  /** Empty: every local tag of the repository. */
  tag?: string;
  creds: Credentials;
  config: RegistryConfig;
  progress: ProgressSink;
}

export interface PushedTag {
  tag: string;
  digest: string;
  size: number;
}

interface Ctx {
  store: ImageStore;
  client: RegistryClient;
  ref: Reference;
  opts: PushOptions;
  distribution: DistributionMap;
}

/** gzips an uncompressed layer to `out`, returning the digest and size of the compressed bytes. */
async function compress(file: string, out: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(createReadStream(file), createGzip(), counting, createWriteStream(out, { mode: 0o600 }));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function fileReader(file: string): (offset: number, length: number) => Promise<Buffer> {
  return async (offset, length) => {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  };
}

/** The registry already has one of the blobs we know for this layer, here or in a sibling repository. */
async function reuse(ctx: Ctx, diffId: string, id: string): Promise<RemoteBlob | undefined> {
  const target = fullName(ctx.ref);
  const known = await ctx.distribution.blobsOf(diffId);
  for (const b of known.filter((k) => k.repo === target)) {
    if ((await ctx.client.blobExists(ctx.ref.path, b.digest)) !== undefined) {
      ctx.opts.progress(progress.layer('Layer already exists', id));
      return b;
    }
  }
  const prefix = `${ctx.ref.domain}/`;
  for (const b of known.filter((k) => k.repo !== target && k.repo.startsWith(prefix))) {
    const from = b.repo.slice(prefix.length);
    if (await ctx.client.mountBlob(ctx.ref.path, b.digest, from)) {
      ctx.opts.progress(progress.layer(`Mounted from ${from}`, id));
      return { ...b, repo: target };
    }
  }
  return undefined;
}

async function pushLayer(ctx: Ctx, diffId: string): Promise<Descriptor> {
  const id = shortDigest(diffId);
  const sink = ctx.opts.progress;
  const target = fullName(ctx.ref);
  const blob = await reuse(ctx, diffId, id);
  if (blob) {
    await ctx.distribution.add(diffId, { ...blob, repo: target });
    return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
  }
  const tmp = ctx.store.newTempPath('push');
  try {
    const { digest, size } = await compress(ctx.store.content.path(diffId), tmp);
    if ((await ctx.client.blobExists(ctx.ref.path, digest)) !== undefined) {
      sink(progress.layer('Layer already exists', id));
    } else {
      await ctx.client.uploadBlob(
        ctx.ref.path,
        digest,
        size,
        fileReader(tmp),
        throttled(sink, 'Pushing', id, size),
        ctx.opts.config.uploadChunkSize,
      );
      sink(progress.layer('Pushed', id));
    }
    const mediaType = mediaTypes.dockerLayerGzip;
    await ctx.distribution.add(diffId, { digest, size, mediaType, repo: target });
    return { mediaType, digest, size };
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function pushOne(ctx: Ctx, tag: string, rec: ImageRecord): Promise<PushedTag> {
  const sink = ctx.opts.progress;
  const layersTopFirst = [...rec.diffIds].reverse();
  for (const d of layersTopFirst) sink(progress.layer('Preparing', shortDigest(d)));
  const descriptors = new Map<string, Descriptor>();
  // Three layers at a time, like dockerd's default max-concurrent-uploads.
  const queue = [...new Set(layersTopFirst)];
  const worker = async () => {
    for (let d = queue.shift(); d !== undefined; d = queue.shift())
      descriptors.set(d, await pushLayer(ctx, d));
  };
  await Promise.all([worker(), worker(), worker()]);

  const configBytes = await ctx.store.content.read(rec.id);
  if ((await ctx.client.blobExists(ctx.ref.path, rec.id)) === undefined)
    await ctx.client.uploadBlob(
      ctx.ref.path,
      rec.id,
      configBytes.length,
      async (o, l) => configBytes.subarray(o, o + l),
      () => undefined,
      ctx.opts.config.uploadChunkSize,
    );
  const manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: configBytes.length, digest: rec.id },
    layers: rec.diffIds.map((d) => descriptors.get(d) as Descriptor),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await ctx.client.putManifest(ctx.ref.path, tag, mediaTypes.dockerManifest, bytes);
  await ctx.store.addRepoDigests(rec.id, [`${familiarName(ctx.ref)}@${digest}`]);
  sink(progress.status(`${tag}: digest: ${digest} size: ${bytes.length}`));
  sink(progress.aux({ Tag: tag, Digest: digest, Size: bytes.length }));
  return { tag, digest, size: bytes.length };
}

/**
 * `docker push`: for each tag, uploads the layers the registry lacks (gzip, checked with HEAD first,
 * mounted from a sibling repository when we know it has them), the config, then a Docker schema2
 * manifest, and records the manifest digest as a repo digest of the image.
 */
export async function pushImage(store: ImageStore, opts: PushOptions): Promise<PushedTag[]> {
  const ref = parseReference(opts.name);
  if (ref.digest) throw invalid('cannot push a digest reference');
  const familiar = familiarName(ref);
  const tags = opts.tag
    ? [opts.tag]
    : (ref.tag ? [ref.tag] : [])
        .concat(
          ...store
            .all()
            .flatMap((r) => store.tagsOf(r.id))
            .filter((t) => t.startsWith(`${familiar}:`))
            .map((t) => t.slice(familiar.length + 1)),
        )
        .sort();
  const images = tags.map((t) => ({ tag: t, rec: store.resolve(`${familiar}:${t}`) }));
  if (images.length === 0 || images.some((i) => !i.rec))
    throw notFound(`An image does not exist locally with the tag: ${familiar}`);
  // The bytes being uploaded stay on disk even if the image is deleted meanwhile.
  const lease = store.lease();
  try {
    for (const i of images) lease.read((i.rec as ImageRecord).id);
    return await pushAll(store, opts, ref, images as Array<{ tag: string; rec: ImageRecord }>);
  } finally {
    lease.release();
  }
}

async function pushAll(
  store: ImageStore,
  opts: PushOptions,
  ref: Reference,
  images: Array<{ tag: string; rec: ImageRecord }>,
): Promise<PushedTag[]> {
  opts.progress(progress.status(`The push refers to repository [${fullName(ref)}]`));
  const ctx: Ctx = {
    store,
    client: new RegistryClient(registryBaseUrl(ref.domain, opts.config), opts.creds),
    ref,
    opts,
    distribution: DistributionMap.for(store.root),
  };
  const pushed: PushedTag[] = [];
  for (const { tag, rec } of images) pushed.push(await pushOne(ctx, tag, rec));
  return pushed;
}
