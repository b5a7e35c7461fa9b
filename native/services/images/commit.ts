import { promises as fs } from 'node:fs';
import type { Sys } from '../../core/sys.ts';
import { rootfsDirs } from '../../storage/container-rootfs.ts';
import { hostArchitecture } from '../../storage/image-config.ts';
import {
  chainIds,
  type ImageConfig,
  type ImageHistory,
  type ImageRecord,
  type ImageRuntimeConfig,
  type ImageStore,
  type Lease,
} from '../../storage/image-store.ts';
import { type DiffFilter, writeDiffTar } from '../../storage/layer-diff.ts';
import { withTag } from '../../storage/reference.ts';
import { actorAttributes } from '../containers/create.ts';
import { pauseContainer, unpauseContainer } from '../containers/lifecycle.ts';
import { type ContainerRecord, isPinned } from '../containers/model.ts';
import { guard } from '../containers/state.ts';
import type { ContainerContext } from '../context.ts';
import { applyChanges } from './changes.ts';
import type { HeldImages } from './operations.ts';

export interface NewImage {
  /** The image this one builds on; undefined for `scratch`. */
  parentId: string | undefined;
  /** An uncompressed layer tar to add (moved into the store), or none for a metadata-only image. */
  layerTar?: { file: string; diffId: string };
  runtime: ImageRuntimeConfig;
  history: ImageHistory;
  author?: string;
  comment?: string;
  /** The container the image was made from (`docker commit`, a build step), as dockerd records it. */
  container?: string;
  /** Holds the new image (pinned until its writer tags or uses it) and what it is made of. */
  lease: Lease;
}

/** Stores a layer tar by diffID and extracts it on top of the parent's layers. */
async function storeLayer(
  store: ImageStore,
  lease: Lease,
  file: string,
  diffId: string,
  parentDiffs: string[],
): Promise<void> {
  const chains = chainIds([...parentDiffs, diffId]);
  lease.keep([chains[chains.length - 1]], [diffId]);
  if (await store.content.has(diffId)) await fs.rm(file, { force: true });
  else await store.content.adopt(file, diffId);
  await store.layers.ensure(store.content.path(diffId), diffId, chains[chains.length - 1], chains.at(-2));
}

/**
 * Writes a new image config on top of a parent (and an optional new layer); returns its record. The
 * parent must be held by the caller (a container using it, or the lease).
 */
export async function commitImage(store: ImageStore, img: NewImage): Promise<ImageRecord> {
  const parent: ImageConfig | undefined = img.parentId ? await store.config(img.parentId) : undefined;
  const diffIds = [...(parent?.rootfs?.diff_ids ?? [])];
  if (img.layerTar) {
    await storeLayer(store, img.lease, img.layerTar.file, img.layerTar.diffId, diffIds);
    diffIds.push(img.layerTar.diffId);
  }
  const created = img.history.created ?? new Date().toISOString();
  const config: ImageConfig = {
    architecture: parent?.architecture ?? hostArchitecture,
    os: parent?.os ?? 'linux',
    ...(parent?.variant ? { variant: parent.variant } : {}),
    created,
    ...(img.author ? { author: img.author } : {}),
    ...(img.comment ? { comment: img.comment } : {}),
    ...(img.container ? { container: img.container } : {}),
    config: img.runtime,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [...(parent?.history ?? []), { ...img.history, created }],
  };
  return store.putImage(Buffer.from(JSON.stringify(config)), [], img.parentId, img.lease);
}

/** Runtime mount points that runc creates in the upper dir; they belong to the container, not the image. */
const mountPoints = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev', 'proc', 'sys']);

export const skipMountPoints: DiffFilter = (rel, st) =>
  mountPoints.has(rel) && ((st.isFile() && st.size === 0) || st.isDirectory());

/** Turns a container's upper dir into a layer tar in the store's temp dir. */
export async function containerDiff(
  sys: Sys,
  store: ImageStore,
  containerDir: string,
): Promise<{ file: string; diffId: string }> {
  const file = store.newTempPath('commit');
  try {
    const { diffId } = await writeDiffTar(sys, rootfsDirs(containerDir).upper, file, skipMountPoints);
    return { file, diffId };
  } catch (err) {
    await fs.rm(file, { force: true });
    throw err;
  }
}

/** The image runtime config a container would leave behind. */
export function runtimeOf(rec: ContainerRecord): ImageRuntimeConfig {
  const c = rec.Config;
  const out: ImageRuntimeConfig = {
    User: c.User,
    Env: c.Env,
    Cmd: c.Cmd,
    Entrypoint: c.Entrypoint,
    WorkingDir: c.WorkingDir,
    Labels: c.Labels,
  };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length) out.ExposedPorts = c.ExposedPorts;
  if (c.Volumes && Object.keys(c.Volumes).length) out.Volumes = c.Volumes;
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck as ImageRuntimeConfig['Healthcheck'];
  if (c.OnBuild?.length) out.OnBuild = c.OnBuild;
  return out;
}

export interface CommitRequest {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause: boolean;
  changes: string[];
  /** The image's runtime config, instead of the container's own with `changes` applied. */
  config?: ImageRuntimeConfig;
  /** The history line's created_by, instead of the container's command. */
  createdBy?: string;
  /** Store the image in this held set (a build's) rather than under a lease of its own. */
  into?: HeldImages;
  /** Send the container's `commit` event (default true). */
  event?: boolean;
}

/** POST /commit and a build's RUN step: the container's changes as a new image on top of its own. */
export async function commitContainer(ctx: ContainerContext, req: CommitRequest): Promise<string> {
  const rec = ctx.store.get(req.container);
  guard.commit(rec);
  const runtime = req.config ?? applyChanges(runtimeOf(rec), req.changes);
  const store = ctx.images.store;
  // Nothing to freeze in a container with no process (a pod sandbox): its upper dir stays empty.
  const pause = req.pause && rec.State.Status === 'running' && !isPinned(rec);
  if (pause) await pauseContainer(ctx, rec.Id);
  const lease = req.into ? undefined : store.lease();
  // Like dockerd, the container stays paused until the image is recorded and its commit event sent.
  let diff: { file: string; diffId: string } | undefined;
  try {
    diff = await containerDiff(ctx.sys, store, ctx.store.dir(rec.Id));
    const spec = {
      parentId: rec.Image,
      layerTar: diff,
      runtime,
      history: {
        created_by: req.createdBy ?? [rec.Path, ...rec.Args].join(' '),
        ...(req.comment ? { comment: req.comment } : {}),
        ...(req.author ? { author: req.author } : {}),
      },
      author: req.author,
      comment: req.comment,
      container: rec.Id,
    };
    const imageId = req.into
      ? await req.into.commit(spec)
      : (await commitImage(store, { ...spec, lease: lease as Lease })).id;
    diff = undefined;
    const key = req.repo ? withTag(req.repo, req.tag || undefined) : undefined;
    if (key) await store.setTag(key, imageId);
    if (req.event !== false)
      ctx.events.emit({
        Type: 'container',
        Action: 'commit',
        Actor: {
          ID: rec.Id,
          Attributes: actorAttributes(rec, {
            comment: req.comment ?? '',
            imageID: imageId,
            imageRef: key ?? '',
          }),
        },
      });
    return imageId;
  } finally {
    // A layer that was not stored goes (a stored one was moved into the store).
    if (diff) await fs.rm(diff.file, { force: true }).catch(() => undefined);
    lease?.release();
    if (pause) await unpauseContainer(ctx, rec.Id).catch(() => undefined);
  }
}
