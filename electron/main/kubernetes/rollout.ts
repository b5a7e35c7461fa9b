// A rollout's progress in `kubectl rollout status`'s words (its status viewers for deployments,
// statefulsets and daemonsets); undefined once the rollout is complete.
import type { WorkloadRow } from '../../contract/index.ts';
import type { RawObject } from './rows.ts';

export function rolloutText(kind: WorkloadRow['kind'], o: RawObject): string | undefined {
  const name = o.metadata.name ?? '';
  const generation = o.metadata.generation ?? 0;
  const spec = o.spec ?? {};
  const s = o.status ?? {};
  const observed = s.observedGeneration ?? 0;
  if (kind === 'deployments') {
    if (generation > observed) return 'Waiting for deployment spec update to be observed...';
    const progressing = ((s.conditions ?? []) as { type: string; reason?: string }[]).find(
      (c) => c.type === 'Progressing',
    );
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return `deployment "${name}" exceeded its progress deadline`;
    }
    const replicas = spec.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const total = s.replicas ?? 0;
    const available = s.availableReplicas ?? 0;
    if (updated < replicas) {
      return `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`;
    }
    if (total > updated) {
      return `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`;
    }
    if (available < updated) {
      return `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`;
    }
    return undefined;
  }
  if (kind === 'statefulsets') {
    const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return undefined;
    if (observed === 0 || generation > observed)
      return 'Waiting for statefulset spec update to be observed...';
    const replicas = spec.replicas ?? 1;
    const ready = s.readyReplicas ?? 0;
    if (ready < replicas) return `Waiting for ${replicas - ready} pods to be ready...`;
    const partition = spec.updateStrategy?.rollingUpdate?.partition;
    if (typeof partition === 'number') {
      const updated = s.updatedReplicas ?? 0;
      if (updated < replicas - partition) {
        return `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`;
      }
      return undefined;
    }
    if (s.updateRevision && s.updateRevision !== s.currentRevision) {
      return `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision}...`;
    }
    return undefined;
  }
  const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
  if (strategy !== 'RollingUpdate') return undefined;
  if (generation > observed) return 'Waiting for daemon set spec update to be observed...';
  const desired = s.desiredNumberScheduled ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const available = s.numberAvailable ?? 0;
  if (updated < desired) {
    return `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`;
  }
  if (available < desired) {
    return `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`;
  }
  return undefined;
}
