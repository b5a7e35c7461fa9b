// The plugins that count what pods already on a node use: NodePorts (a hostPort is taken when the
// same protocol and port are bound on the same address, or either side binds every address) and
// NodeResourcesFit (requests against allocatable, with every shortfall named; scored by what is left,
// LeastAllocated over cpu and memory).
import { type HostPort, maxNodeScore, type NodeInfo, type Plugin, type PodInfo } from '../framework.ts';

const conflicts = (a: HostPort, b: HostPort) =>
  a.port === b.port &&
  a.protocol === b.protocol &&
  (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');

export const nodePorts: Plugin = {
  name: 'NodePorts',
  events: ['NodeAdd', 'AssignedPodDelete'],
  filter(_state, pod, node) {
    if (!pod.hostPorts.some((want) => node.usedPorts.some((used) => conflicts(want, used)))) return undefined;
    return {
      code: 'Unschedulable',
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
      plugin: this.name,
    };
  },
};

/** Every resource the pod asks for more of than the node has left, in kube-scheduler's order. */
export function insufficient(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.length + 1 > node.allowedPods) out.push('Too many pods');
  const r = pod.requests;
  const free = (want: number, alloc: number, used: number) => want > 0 && want > alloc - used;
  if (free(r.milliCPU, node.allocatable.milliCPU, node.requested.milliCPU)) out.push('Insufficient cpu');
  if (free(r.memory, node.allocatable.memory, node.requested.memory)) out.push('Insufficient memory');
  if (free(r.ephemeralStorage, node.allocatable.ephemeralStorage, node.requested.ephemeralStorage))
    out.push('Insufficient ephemeral-storage');
  for (const [name, want] of Object.entries(r.scalar))
    if (free(want, node.allocatable.scalar[name] ?? 0, node.requested.scalar[name] ?? 0))
      out.push(`Insufficient ${name}`);
  return out;
}

export const nodeResourcesFit: Plugin = {
  name: 'NodeResourcesFit',
  events: ['NodeAdd', 'NodeAllocatable', 'AssignedPodDelete'],
  weight: 1,
  filter(_state, pod, node) {
    const reasons = insufficient(pod, node);
    return reasons.length ? { code: 'Unschedulable', reasons, plugin: this.name } : undefined;
  },
  /** LeastAllocated: the share of cpu and memory left once the pod is there, averaged. */
  score(_state, pod, node) {
    const left = (alloc: number, used: number) =>
      alloc <= 0 || used > alloc ? 0 : Math.floor(((alloc - used) * maxNodeScore) / alloc);
    const cpu = left(
      node.allocatable.milliCPU,
      node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU,
    );
    const mem = left(node.allocatable.memory, node.nonZeroRequested.memory + pod.nonZeroRequests.memory);
    return Math.floor((cpu + mem) / 2);
  },
};
