import { promises as fs } from 'node:fs';
import path from 'node:path';
import { removeCgroup } from '../../runtime/cgroups.ts';
import { rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import { bundleDir, type ContainerContext, cgroupsPath, withLock } from '../context.ts';
import { emitContainerEvent } from './create.ts';
import { waitForExit } from './lifecycle.ts';
import { type ContainerRecord, isPinned } from './model.ts';
import { unmountShm } from './namespaces.ts';
import { signalPinned, unpinIpc } from './pinned.ts';
import { guard, hasProcess, transition } from './state.ts';

export interface RemoveOptions {
  force: boolean;
  volumes: boolean;
}

export async function removeContainer(
  ctx: ContainerContext,
  ref: string,
  opts: RemoveOptions,
): Promise<void> {
  const rec = ctx.store.get(ref);
  await withLock(ctx, rec.Id, () => removeLocked(ctx, rec, opts));
}

/** Removes a container and everything it left: process, mounts, cgroups, bundle, files. */
export async function removeLocked(
  ctx: ContainerContext,
  rec: ContainerRecord,
  opts: RemoveOptions,
): Promise<void> {
  if (!ctx.store.find(rec.Id)) return;
  const status = rec.State.Status;
  guard.remove(rec, opts.force);
  ctx.cancelRestart(rec.Id);
  rec.ManuallyStopped = true;
  if (hasProcess(status)) {
    if (status === 'paused') await ctx.runtime.resume(rec.Id).catch(() => undefined);
    if (isPinned(rec)) await signalPinned(ctx, rec, 9).catch(() => undefined);
    else await ctx.runtime.kill(rec.Id, 9, true).catch(() => undefined);
    emitContainerEvent(ctx, rec, 'kill', { signal: '9' });
    if (!(await waitForExit(ctx, rec, 10_000))) {
      // The monitor did not see the exit (conmon gone?); clean up by hand.
      ctx.log.warn('container did not report its exit after SIGKILL; cleaning up', { id: rec.Id });
    }
  }
  transition.removing(rec);
  await ctx.store.save(rec).catch(() => undefined);
  if (await ctx.runtime.hasState(rec.Id)) await ctx.runtime.delete(rec.Id, true).catch(() => undefined);
  if (rec.ConmonPid > 0 && ctx.sys.alive(rec.ConmonPid)) ctx.sys.kill(rec.ConmonPid, 'SIGKILL');
  ctx.health.stopped(rec);
  // What the container holds does not depend on each other; its directory goes last.
  await Promise.all([
    unmountRootfs(ctx.sys, rootfsDirs(ctx.store.dir(rec.Id))),
    unmountShm(ctx, rec).catch(() => undefined),
    unpinIpc(ctx, rec).catch(() => undefined),
    removeCgroup(ctx.cgroups, cgroupsPath(rec.Id)).catch(() => undefined),
    ctx.network
      .detach(rec)
      .catch(() => undefined)
      .then(() => ctx.network.release(rec)),
    ctx.volumes.release(rec, opts.volumes),
    fs.rm(bundleDir(ctx, rec.Id), { recursive: true, force: true }),
    fs.rm(path.join(ctx.paths.exits, rec.Id), { force: true }),
    fs.rm(path.join(ctx.paths.sockets, rec.Id), { force: true }),
  ]);
  await ctx.store.delete(rec);
  emitContainerEvent(ctx, rec, 'destroy');
  ctx.lifecycle.emit(`removed:${rec.Id}`);
}
