// The plugins that look at the node alone: NodeUnschedulable (a cordoned node), NodeName,
// TaintToleration (NoSchedule and NoExecute taints filter; PreferNoSchedule ones score) and
// NodeAffinity (spec.nodeSelector and required node affinity filter; preferred terms score). Their
// reasons are kube-scheduler 1.32's words, which users search for.
import type { KubeObject } from '../../apiserver/registry.ts';
import { defaultNormalize, type Plugin } from '../framework.ts';
import {
  firstUntolerated,
  nodeSelectorTermMatches,
  podMatchesNodeSelectorAndAffinity,
  podTolerations,
  tolerates,
} from '../matching.ts';
import { asList, asObj } from '../resources.ts';

const spec = (pod: KubeObject) => asObj(pod.spec);

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeSchedulable'],
  filter(_state, pod, node) {
    if (!asObj(node.node.spec).unschedulable) return undefined;
    // A pod that tolerates the unschedulable taint also tolerates spec.unschedulable.
    const ok = podTolerations(pod.pod).some((t) =>
      tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    );
    if (ok) return undefined;
    return {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['node(s) were unschedulable'],
      plugin: this.name,
    };
  },
};

export const nodeName: Plugin = {
  name: 'NodeName',
  events: ['NodeAdd'],
  filter(_state, pod, node) {
    const want = spec(pod.pod).nodeName;
    if (!want || want === node.name) return undefined;
    return {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match the requested node name"],
      plugin: this.name,
    };
  },
};

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  events: ['NodeAdd', 'NodeTaint'],
  weight: 3,
  filter(_state, pod, node) {
    const taint = firstUntolerated(
      node.taints,
      podTolerations(pod.pod),
      (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
    );
    if (!taint) return undefined;
    return {
      code: 'UnschedulableAndUnresolvable',
      reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`],
      plugin: this.name,
    };
  },
  /** How many PreferNoSchedule taints the pod does not tolerate: fewer is better. */
  score(_state, pod, node) {
    const tolerations = podTolerations(pod.pod).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return node.taints.filter(
      (taint) => taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint)),
    ).length;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  events: ['NodeAdd', 'NodeLabel'],
  weight: 2,
  filter(_state, pod, node) {
    if (podMatchesNodeSelectorAndAffinity(pod.pod, node.node)) return undefined;
    return {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
      plugin: this.name,
    };
  },
  /** The weights of the preferred terms the node matches. */
  score(_state, pod, node) {
    const preferred = asList(
      asObj(asObj(spec(pod.pod).affinity).nodeAffinity).preferredDuringSchedulingIgnoredDuringExecution,
    );
    let sum = 0;
    for (const p of preferred)
      if (nodeSelectorTermMatches(p.preference, node.node)) sum += Number(p.weight ?? 0);
    return sum;
  },
  normalize: (scores) => defaultNormalize(scores, false),
};
