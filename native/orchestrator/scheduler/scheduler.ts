// The scheduler: a cluster part that binds each pending pod (no spec.nodeName, not being deleted,
// schedulerName default-scheduler) to the best node through pods/binding, as kube-scheduler does.
// It reads nodes and pods from the shared informers and keeps what it bound but has not yet seen
// come back ("assumed" pods) so that two pods scheduled in a row do not both take the last cpu.
// A pod no node takes stays Pending with PodScheduled=False (reason Unschedulable, FitError's
// message) and a FailedScheduling event, and is parked with the plugins that rejected it; it is tried
// again only when a cluster event one of those plugins cares about happens (a taint removed, an
// uncordon, a label, a pod gone) — never on a timer.
import os from 'node:os';
import type { KubeObject } from '../apiserver/registry.ts';
import { sameJson } from '../apiserver/registry.ts';
import { iso } from '../apiserver/rest/write.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, keyOf, splitKey } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { disruptPod } from './disrupt.ts';
import { EventRecorder } from './events.ts';
import {
  type ClusterEvent,
  type Framework,
  type NodeInfo,
  nodeInfo,
  type PodInfo,
  podInfo,
} from './framework.ts';
import { defaultFramework } from './plugins/index.ts';
import { type Candidate, lowerNominated } from './preemption.ts';
import { asList, asObj } from './resources.ts';

export const schedulerName = 'default-scheduler';

const terminal = (pod: KubeObject) => ['Succeeded', 'Failed'].includes(String(asObj(pod.status).phase));

/** A pod this scheduler should place. */
export function needsScheduling(pod: KubeObject): boolean {
  const spec = asObj(pod.spec);
  return (
    !spec.nodeName &&
    !pod.metadata?.deletionTimestamp &&
    (spec.schedulerName ?? schedulerName) === schedulerName &&
    !terminal(pod)
  );
}

/** A pod that holds a node's resources. */
const isAssigned = (pod: KubeObject) => !!asObj(pod.spec).nodeName && !terminal(pod);

/** The changes of a node that can make a rejected pod fit. */
export function nodeChanges(old: KubeObject, node: KubeObject): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!sameJson(old.metadata?.labels ?? {}, node.metadata?.labels ?? {})) out.push('NodeLabel');
  if (!sameJson(asObj(old.spec).taints ?? [], asObj(node.spec).taints ?? [])) out.push('NodeTaint');
  if (!!asObj(old.spec).unschedulable !== !!asObj(node.spec).unschedulable) out.push('NodeSchedulable');
  if (!sameJson(asObj(old.status).allocatable ?? {}, asObj(node.status).allocatable ?? {}))
    out.push('NodeAllocatable');
  return out;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export class Scheduler implements ClusterPart {
  readonly name = 'scheduler';
  private env!: PartEnv;
  private pods!: Informer;
  private nodes!: Informer;
  private namespaces!: Informer;
  private budgets!: Informer;
  private queue!: WorkQueue;
  private framework!: Framework;
  private recorder!: EventRecorder;
  private ready!: Promise<unknown>;
  /** Pods on nodes, as the informer shows them. */
  private readonly assigned = new Map<string, PodInfo>();
  /** Pods this scheduler bound that the informer has not shown on their node yet. */
  private readonly assumed = new Map<string, PodInfo>();
  /** Pods no node took, with the plugins that rejected them. */
  private readonly parked = new Map<string, Set<string>>();
  /** Pending pods nominated to a node by preemption: the node's room is held for them. */
  private readonly nominated = new Map<string, PodInfo>();
  /** Events while a pod is being scheduled: it is not parked yet, so they are checked when it is. */
  private inFlight: ClusterEvent[] | undefined;

  start(env: PartEnv): void {
    this.env = env;
    this.pods = env.informers.for(Kinds.Pod);
    this.nodes = env.informers.for(Kinds.Node);
    this.namespaces = env.informers.for(Kinds.Namespace);
    this.budgets = env.informers.for(Kinds.PodDisruptionBudget);
    this.ready = Promise.all([
      this.pods.synced,
      this.nodes.synced,
      this.namespaces.synced,
      this.budgets.synced,
    ]);
    this.framework = defaultFramework((ns) => this.namespaces.get(undefined, ns)?.metadata?.labels);
    this.recorder = new EventRecorder(
      env.client,
      { component: schedulerName, instance: `${schedulerName}-${os.hostname()}` },
      env.clock,
      env.log,
    );
    this.queue = new WorkQueue('scheduler', (key) => this.scheduleOne(key), {
      clock: env.clock,
      log: env.log,
      workers: 1,
    });
    this.nodes.on({
      add: () => this.clusterEvent('NodeAdd'),
      update: (node, old) => {
        for (const e of nodeChanges(old, node)) this.clusterEvent(e);
      },
    });
    this.pods.on({
      add: (pod) => this.podAdded(pod),
      update: (pod, old) => this.podUpdated(pod, old),
      delete: (pod) => this.podDeleted(pod),
    });
  }

  stop(): void {
    this.queue?.stop();
  }

  /** Resolves when no pod is waiting to be tried (tests wait on it). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Keys of the pods parked as unschedulable. */
  parkedPods(): string[] {
    return [...this.parked.keys()];
  }

  /** Keeps the set of nominated pending pods current. */
  private trackNomination(pod: KubeObject): void {
    const key = keyOf(pod);
    if (needsScheduling(pod) && asObj(pod.status).nominatedNodeName) this.nominated.set(key, podInfo(pod));
    else this.nominated.delete(key);
  }

  private podAdded(pod: KubeObject): void {
    const key = keyOf(pod);
    this.trackNomination(pod);
    if (isAssigned(pod)) {
      this.assigned.set(key, podInfo(pod));
      this.assumed.delete(key);
      this.clusterEvent('AssignedPodAdd');
    } else if (needsScheduling(pod)) this.queue.add(key);
  }

  private podUpdated(pod: KubeObject, old: KubeObject): void {
    const key = keyOf(pod);
    this.trackNomination(pod);
    if (isAssigned(pod)) {
      const known = this.assigned.has(key);
      this.assigned.set(key, podInfo(pod));
      this.assumed.delete(key);
      this.parked.delete(key);
      if (!known) this.clusterEvent('AssignedPodAdd');
      else if (!sameJson(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {}))
        this.clusterEvent('AssignedPodLabel');
      return;
    }
    if (this.assigned.delete(key)) this.clusterEvent('AssignedPodDelete');
    if (!needsScheduling(pod)) {
      this.parked.delete(key);
      return;
    }
    // Its own status changes (the condition this scheduler writes) change nothing; a new spec
    // (tolerations added, gates removed) or new labels may.
    if (!sameJson(old.spec, pod.spec) || !sameJson(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {})) {
      this.parked.delete(key);
      this.queue.add(key);
    }
  }

  private podDeleted(pod: KubeObject): void {
    const key = keyOf(pod);
    this.nominated.delete(key);
    const held = this.assigned.delete(key);
    const assumed = this.assumed.delete(key);
    this.parked.delete(key);
    this.recorder.forget(pod.metadata?.uid);
    if (held || assumed) this.clusterEvent('AssignedPodDelete');
  }

  /** Tries again the parked pods a plugin that rejected them says this event may help. */
  private clusterEvent(event: ClusterEvent): void {
    this.inFlight?.push(event);
    if (!this.parked.size) return;
    const interested = this.framework.interestedIn(event);
    for (const [key, rejectedBy] of this.parked)
      if (this.helps(event, interested, rejectedBy)) {
        this.parked.delete(key);
        this.queue.add(key);
      }
  }

  private helps(event: ClusterEvent, interested: Set<string>, rejectedBy: Set<string>): boolean {
    if (event === 'NodeAdd') return true;
    for (const p of rejectedBy) if (interested.has(p)) return true;
    return false;
  }

  /**
   * The nodes with the pods on them (and those this scheduler assumed there), in name order; for a
   * pod being scheduled, also the pods of at least its priority nominated to a node (their room is
   * held while their victims terminate, as RunFilterPluginsWithNominatedPods holds it).
   */
  private snapshot(forPod?: PodInfo): NodeInfo[] {
    const byNode = new Map<string, PodInfo[]>();
    const place = (p: PodInfo, node = String(asObj(p.pod.spec).nodeName)) => {
      byNode.set(node, [...(byNode.get(node) ?? []), p]);
    };
    for (const p of this.assigned.values()) place(p);
    for (const [key, p] of this.assumed) if (!this.assigned.has(key)) place(p);
    if (forPod)
      for (const [key, p] of this.nominated)
        if (key !== forPod.key && p.priority >= forPod.priority && !this.assumed.has(key))
          place(p, String(asObj(p.pod.status).nominatedNodeName));
    return this.nodes
      .list()
      .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))
      .map((n) => nodeInfo(n, byNode.get(n.metadata?.name ?? '') ?? []));
  }

  private async scheduleOne(key: string): Promise<void> {
    await this.ready;
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !needsScheduling(pod) || this.assumed.has(key)) return;
    if (asList(asObj(pod.spec).schedulingGates).length) {
      // Waits for its gates to go (a spec update brings it back), as kube-scheduler's PreEnqueue does.
      await this.setCondition(pod, {
        type: 'PodScheduled',
        status: 'False',
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      });
      return;
    }
    this.inFlight = [];
    try {
      const info = podInfo(pod);
      const result = this.framework.schedule(info, this.snapshot(info), { pdbs: this.budgets.list() });
      if (result.node !== undefined) {
        await this.bind(pod, result.node);
        return;
      }
      if (result.preemption) await this.preempt(info, result.preemption);
      await this.setCondition(
        pod,
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.message },
        result.preemption?.node,
      );
      await this.recorder.record(pod, 'Warning', 'FailedScheduling', 'Scheduling', result.message);
      // Something that may help happened while it was tried: try again rather than wait for more.
      const missed = this.inFlight.some((e) =>
        this.helps(e, this.framework.interestedIn(e), result.rejectedBy),
      );
      if (missed) this.queue.add(key);
      else if (this.pods.get(namespace, name) && needsScheduling(this.pods.get(namespace, name)!))
        this.parked.set(key, result.rejectedBy);
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * Carries out a preemption (prepareCandidate): each victim marked and deleted with a Preempted event,
   * and the lower-priority pods nominated to the node lose their nomination. The preemptor's own
   * nomination is written with its condition; it is tried again as the victims go.
   */
  private async preempt(pod: PodInfo, c: Candidate): Promise<void> {
    for (const victim of c.victims) {
      await disruptPod(
        this.env.client,
        this.env.clock,
        victim.pod,
        'PreemptionByScheduler',
        `${schedulerName}: preempting to accommodate a higher priority pod`,
      );
      await this.recorder.record(
        victim.pod,
        'Normal',
        'Preempted',
        'Preempting',
        `Preempted by pod ${pod.pod.metadata?.uid} on node ${c.node}`,
      );
    }
    for (const other of lowerNominated(
      pod,
      c.node,
      [...this.nominated.values()].map((p) => p.pod),
    )) {
      const status = { ...asObj(other.status) };
      delete status.nominatedNodeName;
      await this.env.client.updateStatus(Kinds.Pod, { ...other, status }).catch((err) => {
        if (!(err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
      });
    }
  }

  private async bind(pod: KubeObject, node: string): Promise<void> {
    const key = keyOf(pod);
    const meta = pod.metadata ?? {};
    this.assumed.set(key, podInfo({ ...pod, spec: { ...pod.spec, nodeName: node } }));
    try {
      await this.env.client.bind({
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    } catch (err) {
      this.assumed.delete(key);
      // Bound by someone else, being deleted, or gone: nothing left to do for it.
      if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound')) return;
      throw err;
    }
    this.parked.delete(key);
    await this.recorder.record(
      pod,
      'Normal',
      'Scheduled',
      'Binding',
      `Successfully assigned ${meta.namespace}/${meta.name} to ${node}`,
    );
  }

  /**
   * Sets a pod condition (lastTransitionTime when its status changes), and the node preemption
   * nominated for it when there is one; a write only when something changed.
   */
  private async setCondition(pod: KubeObject, want: Condition, nominatedNodeName?: string): Promise<void> {
    let current: KubeObject | undefined = pod;
    for (let attempt = 0; current && attempt < 5; attempt++) {
      if (!needsScheduling(current)) return;
      const conditions = asList(asObj(current.status).conditions) as unknown as Condition[];
      const old = conditions.find((c) => c.type === want.type);
      const nominating =
        nominatedNodeName !== undefined && asObj(current.status).nominatedNodeName !== nominatedNodeName;
      if (
        old &&
        old.status === want.status &&
        old.reason === want.reason &&
        old.message === want.message &&
        !nominating
      )
        return;
      const next: Condition = {
        ...want,
        lastProbeTime: null,
        lastTransitionTime:
          old && old.status === want.status && old.lastTransitionTime
            ? old.lastTransitionTime
            : iso(this.env.clock.now()),
      };
      const status = {
        ...current.status,
        conditions: old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next],
        ...(nominatedNodeName !== undefined ? { nominatedNodeName } : {}),
      };
      try {
        await this.env.client.updateStatus(Kinds.Pod, { ...current, status });
        return;
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'Conflict')) throw err;
        const { namespace, name } = splitKey(keyOf(current));
        current = await this.env.client.get(Kinds.Pod, namespace, name);
      }
    }
  }
}
