// kube-scheduler's DefaultPreemption PostFilter: when no node takes a pod, find the pods of lower
// priority whose removal from a node would let it fit, as few and as unimportant as possible, and
// prefer victims whose PodDisruptionBudgets allow the disruption. The scheduler then deletes the
// victims (each marked DisruptionTarget, with a Preempted event) and nominates the node for the pod,
// whose resources stay reserved for it while the victims terminate.
//
// This module decides and says why not, in DefaultPreemption's words; the scheduler carries it out.
import type { KubeObject } from '../apiserver/registry.ts';
import { matchLabels, selectorRequirements } from '../apiserver/selectors.ts';
import type { Framework, NodeInfo, PodInfo, Status } from './framework.ts';
import { nodeInfo, reasonHistogram } from './framework.ts';
import { asObj } from './resources.ts';

export interface Candidate {
  node: string;
  /** The pods to delete, most important first. */
  victims: PodInfo[];
  /** How many of them go against a PodDisruptionBudget that allows no more disruptions. */
  pdbViolations: number;
}

export type PreemptionResult = { candidate: Candidate } | { candidate?: undefined; message: string };

const startTime = (p: PodInfo) => {
  const t = Date.parse(String(asObj(p.pod.status).startTime ?? p.pod.metadata?.creationTimestamp ?? ''));
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
};

/** MoreImportantPod: higher priority first, then the one that started earlier. */
const moreImportantFirst = (a: PodInfo, b: PodInfo) => b.priority - a.priority || startTime(a) - startTime(b);

/**
 * PodEligibleToPreemptOthers: undefined when it may, else why not. A pod already nominated to a node
 * where a victim of lower priority is still terminating waits for it rather than preempt more.
 */
export function ineligibility(pod: PodInfo, nodes: NodeInfo[]): string | undefined {
  if (asObj(pod.pod.spec).preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = asObj(pod.pod.status).nominatedNodeName;
  if (nominated) {
    const node = nodes.find((n) => n.name === nominated);
    if (node?.pods.some((p) => p.pod.metadata?.deletionTimestamp && p.priority < pod.priority))
      return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/** The budgets a pod falls under (its namespace, its labels, not already counted as disrupted). */
function budgetsOf(pod: KubeObject, pdbs: KubeObject[]): KubeObject[] {
  return pdbs.filter((pdb) => {
    if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
    const reqs = selectorRequirements(asObj(pdb.spec).selector);
    // A nil or empty selector matches nothing here (as preemption's filterPodsWithPDBViolation reads it).
    if (!reqs?.length || !matchLabels(reqs, pod.metadata?.labels)) return false;
    return !(String(pod.metadata?.name) in asObj(asObj(pdb.status).disruptedPods));
  });
}

/** filterPodsWithPDBViolation: which of the pods (in order) a disruption would take past a budget. */
function splitByBudget(pods: PodInfo[], pdbs: KubeObject[]): { violating: PodInfo[]; fine: PodInfo[] } {
  const allowed = new Map(pdbs.map((p) => [p, Number(asObj(p.status).disruptionsAllowed ?? 0)]));
  const violating: PodInfo[] = [];
  const fine: PodInfo[] = [];
  for (const p of pods) {
    let violates = false;
    for (const pdb of budgetsOf(p.pod, pdbs)) {
      const left = allowed.get(pdb)! - 1;
      allowed.set(pdb, left);
      if (left < 0) violates = true;
    }
    (violates ? violating : fine).push(p);
  }
  return { violating, fine };
}

/**
 * SelectVictimsOnNode: every lower-priority pod out, the pod must fit; then each is let back in
 * (those a budget protects first, then the others, most important first) when the pod still fits.
 */
export function selectVictims(
  fw: Framework,
  pod: PodInfo,
  node: NodeInfo,
  nodes: NodeInfo[],
  pdbs: KubeObject[],
): { victims: PodInfo[]; pdbViolations: number } | { status: Status } {
  const lower = node.pods.filter((p) => p.priority < pod.priority);
  if (!lower.length)
    return {
      status: {
        code: 'Unschedulable',
        reasons: ['No preemption victims found for incoming pod'],
        plugin: '',
      },
    };
  let kept = node.pods.filter((p) => !lower.includes(p));
  const fits = (pods: PodInfo[]) => {
    const trial = nodeInfo(node.node, pods);
    return fw.filterOne(
      pod,
      trial,
      nodes.map((n) => (n.name === node.name ? trial : n)),
    );
  };
  const refused = fits(kept);
  if (refused) return { status: refused };
  const { violating, fine } = splitByBudget([...lower].sort(moreImportantFirst), pdbs);
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  for (const [group, violates] of [
    [violating, true],
    [fine, false],
  ] as const)
    for (const p of group) {
      if (!fits([...kept, p])) kept = [...kept, p];
      else {
        victims.push(p);
        if (violates) pdbViolations++;
      }
    }
  return { victims: victims.sort(moreImportantFirst), pdbViolations };
}

/** pickOneNodeForPreemption's order: fewest budget violations, least important victims, fewest of them. */
function better(a: Candidate, b: Candidate): boolean {
  if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations < b.pdbViolations;
  const top = (c: Candidate) => c.victims[0]?.priority ?? Number.MIN_SAFE_INTEGER;
  if (top(a) !== top(b)) return top(a) < top(b);
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  if (sum(a) !== sum(b)) return sum(a) < sum(b);
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  // The candidate whose most important victim started last loses least work.
  const started = (c: Candidate) =>
    Math.min(...c.victims.filter((v) => v.priority === top(c)).map(startTime));
  return started(a) > started(b);
}

/** DefaultPreemption.PostFilter: a node and its victims, or the message that says why there is none. */
export function preempt(
  fw: Framework,
  pod: PodInfo,
  nodes: NodeInfo[],
  statuses: Map<string, Status>,
  pdbs: KubeObject[],
): PreemptionResult {
  const why = ineligibility(pod, nodes);
  if (why) return { message: why };
  const per: Status[] = [];
  let best: Candidate | undefined;
  for (const node of nodes) {
    const s = statuses.get(node.name);
    if (!s || s.code === 'UnschedulableAndUnresolvable') {
      per.push({
        code: 'UnschedulableAndUnresolvable',
        reasons: ['Preemption is not helpful for scheduling'],
        plugin: '',
      });
      continue;
    }
    const r = selectVictims(fw, pod, node, nodes, pdbs);
    if ('status' in r) {
      per.push(r.status);
      continue;
    }
    const candidate = { node: node.name, ...r };
    if (!best || better(candidate, best)) best = candidate;
  }
  if (best) return { candidate: best };
  return { message: `0/${nodes.length} nodes are available: ${reasonHistogram(per)}.` };
}

/** The lower-priority pods nominated to a node a preemptor takes: their nomination is cleared. */
export function lowerNominated(pod: PodInfo, node: string, pending: KubeObject[]): KubeObject[] {
  return pending.filter(
    (p) =>
      asObj(p.status).nominatedNodeName === node &&
      Number(asObj(p.spec).priority ?? 0) < pod.priority &&
      p.metadata?.uid !== pod.pod.metadata?.uid,
  );
}
