// The two ways a Deployment moves from its old ReplicaSets to the new one, as Kubernetes' rolling.go
// and recreate.go do it. RollingUpdate: grow the new ReplicaSet while the total stays within
// replicas+maxSurge, then shrink old ones (unhealthy replicas first) while available pods stay at
// least replicas-maxUnavailable; each step is one sync, the next comes from the ReplicaSets' status
// changes. Recreate: old ReplicaSets to 0, wait until none of their pods is left, then the new one
// to full size.
import type { KubeObject } from '../apiserver/registry.ts';
import { int, status } from './common.ts';
import type { DeploymentController, Rollout } from './deployment.ts';
import {
  availableReplicas,
  byCreation,
  deploymentComplete,
  isActive,
  maxUnavailable,
  newReplicaSetReplicas,
  replicas,
  specReplicas,
} from './deployment-util.ts';

export async function rolloutRolling(dc: DeploymentController, r: Rollout): Promise<void> {
  const { newRS, old } = await dc.newAndOld(r, true);
  const all = (): KubeObject[] => dc.current(r, [...old, ...(newRS ? [newRS] : [])]);
  if (newRS && (await reconcileNew(dc, r, all(), dc.current(r, [newRS])[0])))
    return dc.syncRolloutStatus(r, all(), newRS);
  if (newRS && (await reconcileOld(dc, r, all(), dc.current(r, old), dc.current(r, [newRS])[0])))
    return dc.syncRolloutStatus(r, all(), newRS);
  if (deploymentComplete(r.d, status(r.d))) await dc.cleanup(r, old);
  return dc.syncRolloutStatus(r, all(), newRS);
}

async function reconcileNew(dc: DeploymentController, r: Rollout, all: KubeObject[], newRS: KubeObject) {
  const want = replicas(r.d);
  if (replicas(newRS) === want) return false;
  if (replicas(newRS) > want) return (await dc.scaleTo(r, newRS, want)).scaled;
  return (await dc.scaleTo(r, newRS, newReplicaSetReplicas(r.d, all, newRS))).scaled;
}

async function reconcileOld(
  dc: DeploymentController,
  r: Rollout,
  all: KubeObject[],
  old: KubeObject[],
  newRS: KubeObject,
): Promise<boolean> {
  if (specReplicas(old) === 0) return false;
  const minAvailable = replicas(r.d) - maxUnavailable(r.d);
  const newUnavailable = replicas(newRS) - int(status(newRS).availableReplicas);
  const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy replicas first: they would otherwise block the rollout.
  let cleaned = 0;
  const sorted = [...old].sort(byCreation);
  for (const [i, rs] of sorted.entries()) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = replicas(rs) - int(status(rs).availableReplicas);
    if (replicas(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    sorted[i] = (await dc.scaleTo(r, rs, replicas(rs) - n)).rs;
    cleaned += n;
  }
  // Then healthy ones, while enough stay available.
  const available = availableReplicas([...sorted, newRS]);
  let scaledDown = 0;
  if (available > minAvailable) {
    const total = available - minAvailable;
    for (const rs of sorted) {
      if (scaledDown >= total) break;
      if (replicas(rs) === 0) continue;
      const n = Math.min(replicas(rs), total - scaledDown);
      await dc.scaleTo(r, rs, replicas(rs) - n);
      scaledDown += n;
    }
  }
  return cleaned + scaledDown > 0;
}

export async function rolloutRecreate(dc: DeploymentController, r: Rollout): Promise<void> {
  let { newRS, old } = await dc.newAndOld(r, false);
  const all = (): KubeObject[] => dc.current(r, [...old, ...(newRS ? [newRS] : [])]);
  let scaledDown = false;
  for (const rs of old.filter(isActive)) if ((await dc.scaleTo(r, rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return dc.syncRolloutStatus(r, all(), newRS);
  if (oldPodsRunning(r, newRS, dc.current(r, old))) return dc.syncRolloutStatus(r, all(), newRS);
  if (!newRS) ({ newRS, old } = await dc.newAndOld(r, true));
  if (newRS) await dc.scaleTo(r, dc.current(r, [newRS])[0], replicas(r.d));
  if (deploymentComplete(r.d, status(r.d))) await dc.cleanup(r, old);
  return dc.syncRolloutStatus(r, all(), newRS);
}

/** Whether any pod of an old ReplicaSet is still there (and not finished). */
function oldPodsRunning(r: Rollout, newRS: KubeObject | undefined, old: KubeObject[]): boolean {
  if (old.some((rs) => int(status(rs).replicas) > 0)) return true;
  for (const [uid, pods] of r.pods) {
    if (uid === newRS?.metadata?.uid) continue;
    if (pods.some((p) => !['Failed', 'Succeeded'].includes(String(status(p).phase)))) return true;
  }
  return false;
}
