// The disruption controller (kube-controller-manager's pkg/controller/disruption): keeps each
// PodDisruptionBudget's status — the pods it covers (its selector, in its namespace), how many there
// should be (expectedPods), how many must stay healthy (desiredHealthy), how many are Ready
// (currentHealthy), and so how many evictions may be granted now (disruptionsAllowed), with the
// DisruptionAllowed condition. The eviction subresource decrements disruptionsAllowed and records the
// pod in disruptedPods; this controller forgets a disrupted pod once it is being deleted, or after
// two minutes if it never is (then it counts again). Event-driven: budgets and pods through their
// informers, and a recheck queued for when a disrupted pod's two minutes run out.
import type { KubeObject } from '../apiserver/registry.ts';
import { getPath } from '../apiserver/registry.ts';
import { matchLabels } from '../apiserver/selectors.ts';
import { Kinds } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import {
  asList,
  asObj,
  Controller,
  controllerRef,
  int,
  isConflict,
  iso,
  isPodReady,
  type Obj,
  selectorRequirements,
  spec,
  status,
  writeStatus,
} from './common.ts';
import { EventRecorder } from './events.ts';

/** How long a pod an eviction granted may take to start going before it counts again. */
export const deletionTimeoutMs = 2 * 60 * 1000;

/**
 * intstr.GetScaledValueFromIntOrPercent with roundUp: an integer as it is, a percentage of `total`
 * rounded up; a string that is not a percentage is an error.
 */
export function scaledValue(v: unknown, total: number): number {
  if (typeof v === 'number') return v;
  const s = String(v);
  if (!s.endsWith('%')) throw new Error('invalid type: string is not a percentage');
  const n = Number(s.slice(0, -1));
  if (!Number.isInteger(n)) throw new Error(`invalid value for IntOrString: invalid value "${s}"`);
  return Math.ceil((n * total) / 100);
}

/** The pods a budget's controller counts: an empty or absent selector covers none (unlike eviction). */
export function podsForBudget(pdb: KubeObject, pods: KubeObject[]): KubeObject[] {
  const reqs = selectorRequirements(spec(pdb).selector);
  if (!reqs || reqs.length === 0) return [];
  return pods.filter((p) => matchLabels(reqs, p.metadata?.labels));
}

/** One controller's scale, by its uid (pods of one controller count it once). */
export type ScaleOf = (pod: KubeObject) => Promise<{ uid: string; scale: number } | undefined>;

/**
 * getExpectedPodCount: with maxUnavailable or a percentage minAvailable the expected count is the
 * sum of the scales of the pods' controllers (a pod without one is unmanaged and not counted; a pod
 * whose controller is not found fails the sync); with an integer minAvailable it is the pod count.
 */
export async function expectedPodCount(
  pdb: KubeObject,
  pods: KubeObject[],
  scaleOf: ScaleOf,
): Promise<{ expected: number; desiredHealthy: number; unmanaged: string[] }> {
  const s = spec(pdb);
  const unmanaged: string[] = [];
  const controllersScale = async () => {
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerRef(pod);
      if (!ref) {
        unmanaged.push(pod.metadata?.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = await scaleOf(pod);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      scales.set(found.uid, found.scale);
    }
    let sum = 0;
    for (const n of scales.values()) sum += n;
    return sum;
  };
  if (s.maxUnavailable !== undefined && s.maxUnavailable !== null) {
    const expected = await controllersScale();
    const desiredHealthy = Math.max(0, expected - scaledValue(s.maxUnavailable, expected));
    return { expected, desiredHealthy, unmanaged };
  }
  if (typeof s.minAvailable === 'number')
    return { expected: pods.length, desiredHealthy: s.minAvailable, unmanaged };
  if (typeof s.minAvailable === 'string') {
    const expected = await controllersScale();
    return { expected, desiredHealthy: scaledValue(s.minAvailable, expected), unmanaged };
  }
  return { expected: 0, desiredHealthy: 0, unmanaged };
}

/**
 * buildDisruptedPodMap: the disrupted pods still expected to go (not yet being deleted, granted
 * less than two minutes ago), and when the soonest of them runs out.
 */
export function disruptedPodMap(
  pdb: KubeObject,
  pods: KubeObject[],
  now: number,
): { disrupted: Record<string, string>; recheckAt?: number; overdue: KubeObject[] } {
  const recorded = asObj(status(pdb).disruptedPods);
  const disrupted: Record<string, string> = {};
  const overdue: KubeObject[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = recorded[pod.metadata?.name ?? ''];
    if (typeof at !== 'string') continue;
    const expectedDeletion = Date.parse(at) + deletionTimeoutMs;
    // Due now counts as overdue (Kubernetes keeps it one more instant, which a recheck due at once
    // would spin on).
    if (expectedDeletion <= now) overdue.push(pod);
    else {
      if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
      disrupted[pod.metadata!.name!] = at;
    }
  }
  return { disrupted, recheckAt, overdue };
}

/** countHealthyPods: Ready pods that are neither being deleted nor recently disrupted. */
export function countHealthy(pods: KubeObject[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + deletionTimeoutMs > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/**
 * apimeta.SetStatusCondition: replaces the condition of the same type, keeping its
 * lastTransitionTime unless the status changed.
 */
export function setCondition(conditions: Obj[], next: Obj, now: number): Obj[] {
  const old = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    old && old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : iso(now);
  const cond = {
    type: next.type,
    status: next.status,
    ...(next.observedGeneration ? { observedGeneration: next.observedGeneration } : {}),
    lastTransitionTime,
    reason: next.reason,
    message: next.message ?? '',
  };
  return old ? conditions.map((c) => (c === old ? cond : c)) : [...conditions, cond];
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods while evictions are allowed. */
export function disruptionAllowedConditions(st: Obj, now: number): Obj[] {
  const allowed = int(st.disruptionsAllowed) > 0;
  return setCondition(
    asList(st.conditions),
    {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      observedGeneration: st.observedGeneration,
    },
    now,
  );
}

/** The status updatePdbStatus writes: disruptionsAllowed is 0 until pods are expected. */
export function budgetStatus(
  pdb: KubeObject,
  counts: { currentHealthy: number; desiredHealthy: number; expected: number },
  disrupted: Record<string, string>,
  now: number,
): Obj {
  let disruptionsAllowed = counts.currentHealthy - counts.desiredHealthy;
  if (counts.expected <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const next: Obj = {
    observedGeneration: pdb.metadata?.generation ?? 0,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy: counts.currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expected,
    conditions: asList(status(pdb).conditions),
  };
  next.conditions = disruptionAllowedConditions(next, now);
  return next;
}

export class DisruptionController extends Controller {
  readonly name = 'disruption-controller';
  private events!: EventRecorder;

  private get budgets() {
    return this.env.informers.for(Kinds.PodDisruptionBudget);
  }

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  protected register(): void {
    this.events = new EventRecorder(this.client, this.clock, this.name);
    // The controllers whose scale a budget may need are read from their caches.
    for (const k of [Kinds.ReplicaSet, Kinds.Deployment, Kinds.StatefulSet]) this.env.informers.for(k);
    this.budgets.on({ add: (b) => this.enqueue(b), update: (b) => this.enqueue(b) });
    this.pods.on({
      add: (p) => this.enqueueBudgetsOf(p),
      update: (p, old) => {
        this.enqueueBudgetsOf(p);
        if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels))
          this.enqueueBudgetsOf(old);
      },
      delete: (p) => this.enqueueBudgetsOf(p),
    });
  }

  private enqueueBudgetsOf(pod: KubeObject): void {
    for (const b of this.budgets.list(pod.metadata?.namespace))
      if (podsForBudget(b, [pod]).length) this.enqueue(b);
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.budgets.get(namespace, name);
    if (!pdb) return;
    try {
      await this.trySync(pdb);
    } catch (err) {
      if (isConflict(err)) throw err;
      this.env.log.warn(`${this.name}: ${key}: ${(err as Error).message}`);
      await this.failSafe(pdb, err as Error);
    }
  }

  private async trySync(pdb: KubeObject): Promise<void> {
    const pods = podsForBudget(pdb, this.pods.list(pdb.metadata?.namespace));
    if (pods.length === 0) this.events.record(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts: Awaited<ReturnType<typeof expectedPodCount>>;
    try {
      counts = await expectedPodCount(pdb, pods, (pod) => this.scaleOf(pod));
    } catch (err) {
      this.events.record(pdb, 'Warning', 'CalculateExpectedPodCountFailed', (err as Error).message);
      throw err;
    }
    if (counts.unmanaged.length)
      this.events.record(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(spec(pdb).selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    const now = this.clock.now();
    const { disrupted, recheckAt, overdue } = disruptedPodMap(pdb, pods, now);
    for (const pod of overdue)
      this.events.record(
        pod,
        'Warning',
        'NotDeleted',
        `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`,
      );
    const currentHealthy = countHealthy(pods, disrupted, now);
    const next = budgetStatus(
      pdb,
      { currentHealthy, desiredHealthy: counts.desiredHealthy, expected: counts.expected },
      disrupted,
      now,
    );
    await writeStatus(this.client, Kinds.PodDisruptionBudget, pdb, next);
    if (recheckAt !== undefined) this.queue.addAfter(keyOf(pdb), recheckAt - now);
  }

  /** A sync that failed: no evictions until the next one succeeds (the SyncFailed condition). */
  private async failSafe(pdb: KubeObject, err: Error): Promise<void> {
    const st: Obj = { ...status(pdb), disruptionsAllowed: 0 };
    st.conditions = setCondition(
      asList(st.conditions),
      {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message: err.message,
        observedGeneration: st.observedGeneration,
      },
      this.clock.now(),
    );
    await writeStatus(this.client, Kinds.PodDisruptionBudget, pdb, st);
  }

  /**
   * The finders, in Kubernetes' order: a Deployment through its ReplicaSet, a ReplicaSet of no
   * Deployment, a StatefulSet, then any kind with a scale subresource.
   */
  private async scaleOf(pod: KubeObject): Promise<{ uid: string; scale: number } | undefined> {
    const ns = pod.metadata?.namespace;
    const ref = controllerRef(pod);
    if (!ref) return undefined;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const replicas = (o: KubeObject) => int(spec(o).replicas, 1);
    if (group === 'apps' && ref.kind === 'ReplicaSet') {
      const rs = this.env.informers.for(Kinds.ReplicaSet).get(ns, ref.name);
      if (rs && rs.metadata?.uid === ref.uid) {
        const owner = controllerRef(rs);
        if (owner?.kind === 'Deployment') {
          const d = this.env.informers.for(Kinds.Deployment).get(ns, owner.name);
          if (d && d.metadata?.uid === owner.uid) return { uid: owner.uid, scale: replicas(d) };
        } else return { uid: ref.uid, scale: replicas(rs) };
      }
    }
    if (group === 'apps' && ref.kind === 'StatefulSet') {
      const ss = this.env.informers.for(Kinds.StatefulSet).get(ns, ref.name);
      if (ss && ss.metadata?.uid === ref.uid) return { uid: ref.uid, scale: replicas(ss) };
    }
    const def = this.env.registry.byKind(group, ref.kind);
    const scale = def?.subresources?.scale;
    if (!def || !scale) return undefined;
    const owner = await this.client.get({ group, kind: ref.kind }, ns, ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: int(getPath(owner, scale.specReplicasPath), 0) };
  }
}
