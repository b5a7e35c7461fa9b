// The cluster's life beyond a running berthd: disabled (berthd started without --kubernetes), the
// pods' containers are stopped and everything else kept, so enabling it again brings the same pods
// back; reset, the cluster's state (store, certificates, pod files) and its containers go, and the
// engine's images stay. Both act through the engine's container interface only; the pods' memory-backed
// volumes (tmpfs mounts under the cluster's folder) are released with them. Small on purpose: berthd
// imports it without loading the orchestrator.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/log.ts';
import type { ContainerOperations } from '../services/containers/operations.ts';
import { type MemoryMounts, memoryRoot, unmountUnder } from './kubelet/memory-volumes.ts';
import { Label, sandboxContainerName } from './kubelet/names.ts';

async function podContainers(ops: ContainerOperations) {
  const all = await ops.list();
  return all.filter((c) => c.Labels[Label.podUid] !== undefined);
}

/**
 * Unmounts the pods' memory-backed volumes of a cluster that is off: what they held goes, as after a
 * reboot (a pod that runs again gets empty ones). Containers that still run keep their own view of
 * them until they stop: their binds hold the tmpfs, not the host's mount point.
 */
export async function releaseMemoryVolumes(dir: string, mounts: MemoryMounts, log: Logger): Promise<void> {
  for (const under of [path.join(dir, 'pods'), memoryRoot(dir)])
    await unmountUnder(mounts, under).catch((err) =>
      log.warn("cannot unmount the pods' memory volumes", { error: String(err) }),
    );
}

/** Stops the running containers of pods, apps before their sandboxes; returns how many were stopped. */
export async function stopClusterPods(ops: ContainerOperations, log: Logger): Promise<number> {
  const running = (await podContainers(ops)).filter(
    (c) => c.State.Status === 'running' || c.State.Status === 'paused',
  );
  const sandboxesLast = [
    ...running.filter((c) => c.Labels[Label.containerName] !== sandboxContainerName),
    ...running.filter((c) => c.Labels[Label.containerName] === sandboxContainerName),
  ];
  let stopped = 0;
  for (const c of sandboxesLast) {
    try {
      await ops.stop(c.Id, { timeoutS: c.Labels[Label.containerName] === sandboxContainerName ? 0 : 10 });
      stopped++;
    } catch (err) {
      log.warn('cannot stop a pod container while Kubernetes is off', {
        container: c.Name,
        error: String(err),
      });
    }
  }
  if (stopped)
    log.info(`Kubernetes is off: stopped ${stopped} pod container(s); the cluster's state is kept`);
  return stopped;
}

/** Removes every pod container and the cluster's directory; images are the engine's and stay. */
export async function resetCluster(
  ops: ContainerOperations,
  dir: string,
  log: Logger,
  mounts: MemoryMounts,
): Promise<void> {
  const containers = await podContainers(ops);
  for (const c of containers) await ops.remove(c.Id, { force: true, volumes: true });
  await unmountUnder(mounts, dir);
  await fs.rm(dir, { recursive: true, force: true });
  log.info(`Kubernetes reset: removed ${containers.length} pod container(s) and the cluster's state`);
}
