// Which pods a ReplicaSet scaling down deletes first: Kubernetes' ActivePodsWithRanks order, so a
// scale-down removes what serves least — unscheduled before scheduled, pending before running, not
// ready before ready, lower pod-deletion-cost first, pods doubled up on a node first, then the most
// recently ready, the most restarted, and the newest (durations compared on a log2 scale, as
// LogarithmicScaleDown does by default since 1.31, so pods of about the same age are picked at random
// by uid rather than always the very newest).
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, creationMs, isPodReady, podReadySince, spec, status } from './common.ts';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

const deletionCost = (p: KubeObject) => {
  const v = Number(p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isInteger(v) ? v : 0;
};

const maxRestarts = (p: KubeObject) =>
  Math.max(0, ...asList(status(p).containerStatuses).map((c) => Number(c.restartCount ?? 0)));

/** log2 of the time since `t` in nanoseconds (Go's math.Log2 on a Duration); -1 for no time. */
const logRank = (t: number, now: number) => {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
};

/** Negative: a before b (a is deleted first). */
function compare(a: KubeObject, b: KubeObject, rankA: number, rankB: number, now: number): number {
  const nodeA = !!spec(a).nodeName;
  const nodeB = !!spec(b).nodeName;
  if (nodeA !== nodeB) return nodeA ? 1 : -1;
  const pa = phaseRank[String(status(a).phase)] ?? 0;
  const pb = phaseRank[String(status(b).phase)] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  const uidOrder = () => ((a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : 1);
  if (ra && rb) {
    const ta = podReadySince(a) ?? 0;
    const tb = podReadySince(b) ?? 0;
    if (ta !== tb) {
      const d = logRank(ta, now) - logRank(tb, now);
      return d !== 0 ? d : uidOrder();
    }
  }
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa !== xb) return xb - xa;
  const na = creationMs(a);
  const nb = creationMs(b);
  if (na !== nb) {
    const d = logRank(na, now) - logRank(nb, now);
    return d !== 0 ? d : uidOrder();
  }
  return 0;
}

/**
 * The `n` pods to delete, ranked as Kubernetes ranks them. `related` are the pods of every
 * ReplicaSet of the same owner: a pod sharing its node with more of them goes first.
 */
export function podsToDelete(
  pods: KubeObject[],
  related: KubeObject[],
  n: number,
  now: number,
): KubeObject[] {
  if (n >= pods.length) return pods;
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = String(spec(p).nodeName ?? '');
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: KubeObject) => perNode.get(String(spec(p).nodeName ?? '')) ?? 0;
  return [...pods].sort((a, b) => compare(a, b, rank(a), rank(b), now)).slice(0, n);
}
