// ClusterRole aggregation: the rules a role with an aggregationRule holds, gathered from the roles its
// selectors match. The clusterrole-aggregation controller keeps them; the default roles start with them.
import type { KubeObject } from '../registry.ts';
import { asList, asObj } from '../resources/podspec.ts';
import { matchLabels, selectorRequirements } from '../selectors.ts';

/** The rules an aggregated role should hold: its matches' rules, by role name, each rule once. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] {
  const selectors = asList(asObj(role.aggregationRule).clusterRoleSelectors).map(selectorRequirements);
  const matches = all
    .filter((other) => other.metadata?.name !== role.metadata?.name)
    // An empty selector matches every role, as metav1.LabelSelectorAsSelector makes it.
    .filter((other) => selectors.some((reqs) => !!reqs && matchLabels(reqs, other.metadata?.labels)))
    // By name, byte-wise (Go's string order), so the rules' order is the same on every sync.
    .sort((a, b) => (String(a.metadata?.name) < String(b.metadata?.name) ? -1 : 1));
  const rules: unknown[] = [];
  const seen = new Set<string>();
  for (const other of matches) {
    for (const rule of asList(other.rules)) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

/** The aggregated roles of a set, filled from the others until nothing changes (view into edit into admin). */
export function fillAggregated(roles: KubeObject[]): KubeObject[] {
  const out = roles.map((r) => structuredClone(r));
  for (let changed = true, rounds = 0; changed && rounds < out.length; rounds++) {
    changed = false;
    for (const role of out) {
      if (!role.aggregationRule) continue;
      const rules = aggregatedRules(role, out);
      if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
      role.rules = rules;
      changed = true;
    }
  }
  return out;
}
