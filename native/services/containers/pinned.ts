// Containers without a process: a pod's sandbox as CRI-O runs it with drop_infra_ctr. It holds the
// pod's namespaces as files — its network namespace (the engine's own bind-mounted netns, with its
// address on the network as any container's), its IPC namespace (`unshare --ipc=FILE`) and its
// /dev/shm — and nothing runs in it: no rootfs, no runtime, no monitor. A pause process under runc and
// conmon was a third of a pod start's CPU on a node and held nothing the files do not.
//
// It is chosen with the runtime name `io.berth.pinned` (model.ts; the kubelet asks for it) and is
// otherwise a container: `docker ps` lists it running, others join its network and IPC with
// `container:<id>`, and it ends as a pause ends — SIGKILL, with exit code 137 in an exit file that the
// exit monitor handles as any container's; other signals it ignores, as a pause (PID 1 without
// handlers) does. It survives a restart of berthd while its namespace files are mounted.
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { hasOwnFilesystem } from '../../core/fsutil.ts';
import { runOk } from '../../core/sys.ts';
import { deleteNetns, makeMountPoint } from '../../network/link.ts';
import type { ContainerContext } from '../context.ts';
import { emitContainerEvent } from './create.ts';
import { type ContainerRecord, isPinned } from './model.ts';
import { ipcPinPath, sharedNamespaces, unmountShm } from './namespaces.ts';
import { transition } from './state.ts';

/** Whether a pinned container still holds its namespaces (a reboot or a hand's umount ends it). */
export function pinnedAlive(ctx: ContainerContext, rec: ContainerRecord): Promise<boolean> {
  return hasOwnFilesystem(ipcPinPath(ctx, rec.Id));
}

/** Starts a pinned container: its namespaces, network and /dev/shm; the caller holds its lock. */
export async function startPinned(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  const ipc = ipcPinPath(ctx, rec.Id);
  try {
    rmSync(path.join(ctx.paths.exits, rec.Id), { force: true });
    // A namespace of the last run still pinned (a failed stop) goes first.
    if (await hasOwnFilesystem(ipc)) await unpinIpc(ctx, rec);
    // The IPC namespace is pinned with the network namespace, by the one process that makes it.
    const [attached] = await Promise.all([
      ctx.network.attach(rec, { pins: [`--ipc=${ipc}`] }),
      sharedNamespaces(ctx, rec),
    ]);
    await (attached.ready ?? Promise.resolve());
    if (!attached.pinned) {
      // No namespace of its own for the network (host, none): the IPC namespace alone.
      makeMountPoint(ipc);
      await runOk(ctx.sys, 'unshare', [`--ipc=${ipc}`, 'true']);
    }
  } catch (err) {
    await releasePinned(ctx, rec);
    transition.startFailed(rec, errorMessage(err), 128);
    await ctx.store.save(rec).catch(() => undefined);
    throw err;
  }
  transition.started(rec, 0, ctx.clock.now());
  rec.RuntimeName = 'pinned';
  rec.ManuallyStopped = false;
  await ctx.store.save(rec);
  emitContainerEvent(ctx, rec, 'start');
  ctx.lifecycle.emit(`started:${rec.Id}`);
}

/**
 * A signal to a pinned container: SIGKILL ends it (its exit file says 137 and the exit monitor does
 * the rest); any other is ignored, as by a pause.
 */
export async function signalPinned(ctx: ContainerContext, rec: ContainerRecord, sig: number): Promise<void> {
  if (sig !== 9) return;
  const file = path.join(ctx.paths.exits, rec.Id);
  const tmp = path.join(ctx.paths.exits, `.${rec.Id}.tmp`);
  await fs.writeFile(tmp, '137');
  await fs.rename(tmp, file);
}

/** Unmounts a pinned container's IPC namespace (nothing for another container). */
export async function unpinIpc(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  if (isPinned(rec)) await deleteNetns(ctx.sys, ipcPinPath(ctx, rec.Id));
}

/** What a start that failed half-way had made: the network, the IPC namespace, /dev/shm. */
async function releasePinned(ctx: ContainerContext, rec: ContainerRecord): Promise<void> {
  await Promise.all([
    ctx.network.detach(rec).catch(() => undefined),
    unpinIpc(ctx, rec).catch(() => undefined),
    unmountShm(ctx, rec).catch(() => undefined),
  ]);
}
