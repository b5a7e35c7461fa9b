// The scheduling framework, shaped as kube-scheduler's: a profile of plugins, each with any of
// preFilter (once per pod: work every node shares), filter (per node: can the pod go there?),
// score (per feasible node, normalised to 0..100 and weighted). A node's filters stop at the first
// that rejects it; when no node is left, the reasons are counted over the nodes and the pod's message
// is written as FitError.Error() writes it (`0/1 nodes are available: 1 Insufficient cpu. preemption: …`),
// with what preemption (preemption.ts) finds.
// Each plugin also names the cluster events that could make a pod it rejected fit, which is how the
// scheduler knows which unschedulable pods to try again — no timer, no polling.
import type { KubeObject } from '../apiserver/registry.ts';
import { nodeTaints, type Taint } from './matching.ts';
import { type Candidate, preempt } from './preemption.ts';
import {
  addResources,
  asList,
  asObj,
  emptyResources,
  nodeAllocatable,
  podRequests,
  type Resources,
} from './resources.ts';

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** A plugin's refusal of one node; no status is success. */
export interface Status {
  code: Code;
  reasons: string[];
  plugin: string;
}

/** What can change in the cluster to make a rejected pod fit somewhere. */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeLabel'
  | 'NodeTaint'
  | 'NodeSchedulable'
  | 'NodeAllocatable'
  /** A pod assigned to a node appeared (or this scheduler bound one). */
  | 'AssignedPodAdd'
  | 'AssignedPodLabel'
  /** A pod assigned to a node went, or finished: its resources, ports and affinity weight are free. */
  | 'AssignedPodDelete';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  pod: KubeObject;
  /** namespace/name */
  key: string;
  requests: Resources;
  /** Requests with scoring's non-zero defaults. */
  nonZeroRequests: Resources;
  hostPorts: HostPort[];
  priority: number;
}

export interface NodeInfo {
  name: string;
  node: KubeObject;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: Resources;
  allowedPods: number;
  pods: PodInfo[];
  requested: Resources;
  nonZeroRequested: Resources;
  usedPorts: HostPort[];
}

export function podInfo(pod: KubeObject): PodInfo {
  const spec = asObj(pod.spec);
  const hostPorts: HostPort[] = [];
  for (const c of [...asList(spec.initContainers), ...asList(spec.containers)])
    for (const p of asList(c.ports)) {
      const port = Number(p.hostPort ?? 0);
      if (port > 0)
        hostPorts.push({ ip: String(p.hostIP || '0.0.0.0'), protocol: String(p.protocol || 'TCP'), port });
    }
  return {
    pod,
    key: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts,
    priority: Number(spec.priority ?? 0),
  };
}

export function nodeInfo(node: KubeObject, pods: PodInfo[]): NodeInfo {
  const { resources, pods: allowedPods } = nodeAllocatable(node);
  const requested = emptyResources();
  const nonZeroRequested = emptyResources();
  const usedPorts: HostPort[] = [];
  for (const p of pods) {
    addResources(requested, p.requests);
    addResources(nonZeroRequested, p.nonZeroRequests);
    usedPorts.push(...p.hostPorts);
  }
  return {
    name: node.metadata?.name ?? '',
    node,
    labels: node.metadata?.labels ?? {},
    taints: nodeTaints(node),
    allocatable: resources,
    allowedPods,
    pods,
    requested,
    nonZeroRequested,
    usedPorts,
  };
}

/** Data a plugin's preFilter leaves for its filter and score, for one pod's scheduling cycle. */
export type CycleState = Map<string, unknown>;

export interface Plugin {
  readonly name: string;
  /** The events that could make a pod this plugin rejected fit. */
  readonly events: readonly ClusterEvent[];
  /** Weight of its score among the score plugins' (kube-scheduler's default profile). */
  readonly weight?: number;
  preFilter?(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): void;
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined;
  /** A raw score for a node that passed every filter. */
  score?(state: CycleState, pod: PodInfo, node: NodeInfo, nodes: NodeInfo[]): number;
  /** Raw scores to 0..100 (default: as they are). */
  normalize?(scores: number[]): number[];
}

export const maxNodeScore = 100;

/** kube-scheduler's DefaultNormalizeScore: scaled to the highest, optionally reversed. */
export function defaultNormalize(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? maxNodeScore : 0));
  return scores.map((s) => {
    const n = Math.floor((s * maxNodeScore) / max);
    return reverse ? maxNodeScore - n : n;
  });
}

export type ScheduleResult =
  | { node: string; scores: Map<string, number> }
  | {
      node?: undefined;
      /** Why each node was rejected. */
      statuses: Map<string, Status>;
      /** The plugins that rejected it somewhere: what decides which events try it again. */
      rejectedBy: Set<string>;
      message: string;
      /** The node preemption would free for it, and the pods it would take. */
      preemption?: Candidate;
    };

/** How many nodes said each reason, as FitError counts them: "1 node(s) were unschedulable, 2 Insufficient cpu". */
export function reasonHistogram(statuses: Iterable<Status>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Sorted as Go's sort.Strings sorts: by bytes.
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join(', ');
}

export class Framework {
  constructor(readonly plugins: Plugin[]) {}

  /** Whether the pod passes every filter on one node (preFilter over `nodes`): undefined when it does. */
  filterOne(pod: PodInfo, node: NodeInfo, nodes: NodeInfo[]): Status | undefined {
    const state: CycleState = new Map();
    for (const p of this.plugins) p.preFilter?.(state, pod, nodes);
    for (const p of this.plugins) {
      const rejected = p.filter?.(state, pod, node);
      if (rejected) return rejected;
    }
    return undefined;
  }

  /**
   * Finds the best node for the pod, or says why there is none; then, as the PostFilter, the node
   * and victims preemption would take (`pdbs`: the PodDisruptionBudgets victims are weighed against).
   */
  schedule(pod: PodInfo, nodes: NodeInfo[], opts: { pdbs?: KubeObject[] } = {}): ScheduleResult {
    if (nodes.length === 0)
      return {
        statuses: new Map(),
        rejectedBy: new Set(['NoNodes']),
        message: 'no nodes available to schedule pods',
      };
    const state: CycleState = new Map();
    for (const p of this.plugins) p.preFilter?.(state, pod, nodes);
    const statuses = new Map<string, Status>();
    const feasible: NodeInfo[] = [];
    for (const node of nodes) {
      let rejected: Status | undefined;
      for (const p of this.plugins) {
        rejected = p.filter?.(state, pod, node);
        if (rejected) break;
      }
      if (rejected) statuses.set(node.name, rejected);
      else feasible.push(node);
    }
    if (!feasible.length) {
      const message = `0/${nodes.length} nodes are available: ${reasonHistogram(statuses.values())}.`;
      const rejectedBy = new Set([...statuses.values()].map((s) => s.plugin));
      const post = preempt(this, pod, nodes, statuses, opts.pdbs ?? []);
      // A nominated node is no failure to explain: FitError says only what the filters said.
      if (post.candidate) return { statuses, rejectedBy, message, preemption: post.candidate };
      return { statuses, rejectedBy, message: `${message} preemption: ${post.message}` };
    }
    const scores = new Map<string, number>(feasible.map((n) => [n.name, 0]));
    if (feasible.length > 1)
      for (const p of this.plugins) {
        if (!p.score) continue;
        const raw = feasible.map((n) => p.score!(state, pod, n, nodes));
        const norm = p.normalize ? p.normalize(raw) : raw;
        for (const [i, n] of feasible.entries())
          scores.set(n.name, scores.get(n.name)! + norm[i] * (p.weight ?? 1));
      }
    let best = feasible[0].name;
    for (const n of feasible) if (scores.get(n.name)! > scores.get(best)!) best = n.name;
    return { node: best, scores };
  }

  /** The plugins that care about an event (for the unschedulable pods they rejected). */
  interestedIn(event: ClusterEvent): Set<string> {
    return new Set(this.plugins.filter((p) => p.events.includes(event)).map((p) => p.name));
  }
}
