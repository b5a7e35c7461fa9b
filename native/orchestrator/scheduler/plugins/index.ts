// The default profile: kube-scheduler 1.32's filter order (a node's first refusal is the one
// reported) and score weights, for the plugins this scheduler has.
import { Framework } from '../framework.ts';
import { nodePorts, nodeResourcesFit } from './fit.ts';
import { interPodAffinity, type NamespaceLabels } from './interpod.ts';
import { nodeAffinity, nodeName, nodeUnschedulable, taintToleration } from './node.ts';

export function defaultFramework(nsLabels: NamespaceLabels): Framework {
  return new Framework([
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    interPodAffinity(nsLabels),
  ]);
}
