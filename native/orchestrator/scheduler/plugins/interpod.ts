// InterPodAffinity: where the pods already running decide where a new one may go, per topology
// domain (the nodes sharing a topologyKey label's value: kubernetes.io/hostname is one node, a zone
// label many). The preFilter counts, once per pod, the existing pods matching each term per domain;
// the filter then checks a node's domains: the pod's required affinity must find a match there (or,
// for the first of a group that selects itself, nothing matching anywhere), its required
// anti-affinity must find none, and no existing pod's anti-affinity may select the pod there.
// Preferred terms (both ways) and existing pods' required affinity score, as kube-scheduler's do.
import type { KubeObject } from '../../apiserver/registry.ts';
import type { CycleState, NodeInfo, Plugin, PodInfo } from '../framework.ts';
import { labelSelectorMatches } from '../matching.ts';
import { asList, asObj } from '../resources.ts';

type Obj = Record<string, unknown>;

/** The labels of a namespace (for a term's namespaceSelector); undefined when unknown. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

const key = 'InterPodAffinity';
/** kube-scheduler's hardPodAffinityWeight: how much an existing pod's required affinity scores. */
const hardPodAffinityWeight = 1;

interface Counts {
  affinity: Map<string, number>;
  antiAffinity: Map<string, number>;
  existingAntiAffinity: Map<string, number>;
}

const pair = (k: string, v: string) => `${k}\u0000${v}`;
const bump = (m: Map<string, number>, p: string, by = 1) => m.set(p, (m.get(p) ?? 0) + by);

function terms(
  pod: KubeObject,
  kind: 'podAffinity' | 'podAntiAffinity',
  which: 'required' | 'preferred',
): Obj[] {
  const a = asObj(asObj(asObj(pod.spec).affinity)[kind]);
  return which === 'required'
    ? asList(a.requiredDuringSchedulingIgnoredDuringExecution)
    : asList(a.preferredDuringSchedulingIgnoredDuringExecution);
}

/** Whether `target` is selected by `term`, a term of `owner` (its namespaces default to the owner's). */
function termMatches(term: Obj, owner: KubeObject, target: KubeObject, nsLabels: NamespaceLabels): boolean {
  const targetNs = target.metadata?.namespace ?? '';
  const namespaces = asList(term.namespaces) as unknown as string[];
  const nsSelector = term.namespaceSelector;
  let inNamespace: boolean;
  if (!namespaces.length && (nsSelector === undefined || nsSelector === null))
    inNamespace = targetNs === owner.metadata?.namespace;
  else
    inNamespace =
      namespaces.includes(targetNs) ||
      (nsSelector !== undefined &&
        nsSelector !== null &&
        labelSelectorMatches(nsSelector, nsLabels(targetNs)));
  return inNamespace && labelSelectorMatches(term.labelSelector, target.metadata?.labels);
}

export function interPodAffinity(nsLabels: NamespaceLabels): Plugin {
  return {
    name: 'InterPodAffinity',
    events: ['NodeAdd', 'NodeLabel', 'AssignedPodAdd', 'AssignedPodLabel', 'AssignedPodDelete'],
    weight: 2,
    preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]) {
      const counts: Counts = {
        affinity: new Map(),
        antiAffinity: new Map(),
        existingAntiAffinity: new Map(),
      };
      const affinity = terms(pod.pod, 'podAffinity', 'required');
      const anti = terms(pod.pod, 'podAntiAffinity', 'required');
      for (const node of nodes)
        for (const existing of node.pods) {
          const other = existing.pod;
          for (const t of terms(other, 'podAntiAffinity', 'required')) {
            const tk = String(t.topologyKey ?? '');
            if (Object.hasOwn(node.labels, tk) && termMatches(t, other, pod.pod, nsLabels))
              bump(counts.existingAntiAffinity, pair(tk, node.labels[tk]));
          }
          if (affinity.length && affinity.every((t) => termMatches(t, pod.pod, other, nsLabels)))
            for (const t of affinity) {
              const tk = String(t.topologyKey ?? '');
              if (Object.hasOwn(node.labels, tk)) bump(counts.affinity, pair(tk, node.labels[tk]));
            }
          for (const t of anti) {
            const tk = String(t.topologyKey ?? '');
            if (Object.hasOwn(node.labels, tk) && termMatches(t, pod.pod, other, nsLabels))
              bump(counts.antiAffinity, pair(tk, node.labels[tk]));
          }
        }
      state.set(key, counts);
    },
    filter(state, pod, node) {
      const counts = state.get(key) as Counts;
      const affinity = terms(pod.pod, 'podAffinity', 'required');
      if (affinity.length) {
        let podsExist = true;
        for (const t of affinity) {
          const tk = String(t.topologyKey ?? '');
          // Every topology label the terms name must be on the node.
          if (!Object.hasOwn(node.labels, tk))
            return {
              code: 'UnschedulableAndUnresolvable',
              reasons: ["node(s) didn't match pod affinity rules"],
              plugin: this.name,
            };
          if ((counts.affinity.get(pair(tk, node.labels[tk])) ?? 0) <= 0) podsExist = false;
        }
        // The first pod of a group with affinity to itself may go anywhere its topology labels exist.
        const first =
          counts.affinity.size === 0 && affinity.every((t) => termMatches(t, pod.pod, pod.pod, nsLabels));
        if (!podsExist && !first)
          return {
            code: 'UnschedulableAndUnresolvable',
            reasons: ["node(s) didn't match pod affinity rules"],
            plugin: this.name,
          };
      }
      for (const t of terms(pod.pod, 'podAntiAffinity', 'required')) {
        const tk = String(t.topologyKey ?? '');
        if (Object.hasOwn(node.labels, tk) && (counts.antiAffinity.get(pair(tk, node.labels[tk])) ?? 0) > 0)
          return {
            code: 'Unschedulable',
            reasons: ["node(s) didn't match pod anti-affinity rules"],
            plugin: this.name,
          };
      }
      for (const [k, v] of Object.entries(node.labels))
        if ((counts.existingAntiAffinity.get(pair(k, v)) ?? 0) > 0)
          return {
            code: 'Unschedulable',
            reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
            plugin: this.name,
          };
      return undefined;
    },
    score(_state, pod, node, nodes) {
      // Weight per topology domain from every existing pod, then the node's domains summed.
      const domains = new Map<string, number>();
      const add = (t: Obj, at: NodeInfo, weight: number) => {
        const tk = String(t.topologyKey ?? '');
        if (Object.hasOwn(at.labels, tk)) bump(domains, pair(tk, at.labels[tk]), weight);
      };
      for (const at of nodes)
        for (const existing of at.pods) {
          const other = existing.pod;
          for (const w of terms(pod.pod, 'podAffinity', 'preferred')) {
            const t = asObj(w.podAffinityTerm);
            if (termMatches(t, pod.pod, other, nsLabels)) add(t, at, Number(w.weight ?? 0));
          }
          for (const w of terms(pod.pod, 'podAntiAffinity', 'preferred')) {
            const t = asObj(w.podAffinityTerm);
            if (termMatches(t, pod.pod, other, nsLabels)) add(t, at, -Number(w.weight ?? 0));
          }
          for (const t of terms(other, 'podAffinity', 'required'))
            if (termMatches(t, other, pod.pod, nsLabels)) add(t, at, hardPodAffinityWeight);
          for (const w of terms(other, 'podAffinity', 'preferred')) {
            const t = asObj(w.podAffinityTerm);
            if (termMatches(t, other, pod.pod, nsLabels)) add(t, at, Number(w.weight ?? 0));
          }
          for (const w of terms(other, 'podAntiAffinity', 'preferred')) {
            const t = asObj(w.podAffinityTerm);
            if (termMatches(t, other, pod.pod, nsLabels)) add(t, at, -Number(w.weight ?? 0));
          }
        }
      let sum = 0;
      for (const [k, v] of Object.entries(node.labels)) sum += domains.get(pair(k, v)) ?? 0;
      return sum;
    },
    normalize(scores) {
      const min = Math.min(...scores);
      const max = Math.max(...scores);
      return scores.map((s) => (max > min ? Math.floor((100 * (s - min)) / (max - min)) : 0));
    },
  };
}
