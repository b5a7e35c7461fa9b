// The matching rules the scheduler's plugins and the taint eviction share, written as Kubernetes
// defines them: node selector terms (ORed; a term's expressions and fields ANDed; an empty term
// matches nothing), label selectors (nil matches nothing, {} everything), and tolerations (an empty
// key with Exists tolerates every taint; an empty effect every effect).
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, asObj } from './resources.ts';

type Labels = Record<string, string>;

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const intRe = /^-?\d+$/;

/** One requirement against a set of labels (or the fields a matchFields term may name). */
export function requirementMatches(r: NodeSelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(v);
    case 'NotIn':
      return !has || !values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !intRe.test(v) || values.length !== 1 || !intRe.test(values[0])) return false;
      return r.operator === 'Gt' ? Number(v) > Number(values[0]) : Number(v) < Number(values[0]);
    }
    default:
      return false;
  }
}

/** A NodeSelectorTerm: its matchExpressions on the labels and its matchFields on metadata.name, ANDed. */
export function nodeSelectorTermMatches(term: unknown, node: KubeObject): boolean {
  const t = asObj(term);
  const exprs = asList(t.matchExpressions) as unknown as NodeSelectorRequirement[];
  const fields = asList(t.matchFields) as unknown as NodeSelectorRequirement[];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata?.labels ?? {};
  const nodeFields = { 'metadata.name': node.metadata?.name ?? '' };
  return (
    exprs.every((r) => requirementMatches(r, labels)) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, nodeFields))
  );
}

/** A NodeSelector (required node affinity): any of its terms. */
export function nodeSelectorMatches(selector: unknown, node: KubeObject): boolean {
  return asList(asObj(selector).nodeSelectorTerms).some((t) => nodeSelectorTermMatches(t, node));
}

/** spec.nodeSelector and required node affinity, both of which must hold. */
export function podMatchesNodeSelectorAndAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = asObj(pod.spec);
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(asObj(spec.nodeSelector))) if (labels[k] !== v) return false;
  const required = asObj(
    asObj(asObj(spec.affinity).nodeAffinity),
  ).requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || required === null || nodeSelectorMatches(required, node);
}

/** A metav1.LabelSelector: undefined/null matches nothing, {} matches everything. */
export function labelSelectorMatches(selector: unknown, labels: Labels | undefined): boolean {
  if (selector === undefined || selector === null) return false;
  const sel = asObj(selector);
  const l = labels ?? {};
  for (const [k, v] of Object.entries(asObj(sel.matchLabels))) if (l[k] !== v) return false;
  return (asList(sel.matchExpressions) as unknown as NodeSelectorRequirement[]).every(
    (r) => ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator) && requirementMatches(r, l),
  );
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Equal':
    case '':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export const podTolerations = (pod: KubeObject): Toleration[] =>
  asList(asObj(pod.spec).tolerations) as unknown as Toleration[];

export const nodeTaints = (node: KubeObject): Taint[] =>
  asList(asObj(node.spec).taints) as unknown as Taint[];

/** The first taint (of those `which` selects) no toleration tolerates. */
export function firstUntolerated(
  taints: Taint[],
  tolerations: Toleration[],
  which: (t: Taint) => boolean,
): Taint | undefined {
  return taints.find((taint) => which(taint) && !tolerations.some((t) => tolerates(t, taint)));
}
