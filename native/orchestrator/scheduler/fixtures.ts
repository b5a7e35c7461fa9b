// Nodes and pods for the scheduler's tests, built the way the kubelet and kubectl would write them.
import type { KubeObject } from '../apiserver/registry.ts';
import { type NodeInfo, nodeInfo, podInfo } from './framework.ts';

export function makeNode(
  name: string,
  opts: {
    labels?: Record<string, string>;
    taints?: { key: string; value?: string; effect: string }[];
    unschedulable?: boolean;
    cpu?: string;
    memory?: string;
    pods?: string;
    extra?: Record<string, string>;
  } = {},
): KubeObject {
  const allocatable = {
    cpu: opts.cpu ?? '2',
    memory: opts.memory ?? '4Gi',
    pods: opts.pods ?? '110',
    'ephemeral-storage': '10Gi',
    ...opts.extra,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...opts.labels,
      },
    },
    spec: {
      ...(opts.taints ? { taints: opts.taints } : {}),
      ...(opts.unschedulable ? { unschedulable: true } : {}),
    },
    status: { capacity: allocatable, allocatable },
  };
}

export function makePod(
  name: string,
  spec: Record<string, unknown> = {},
  meta: { namespace?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: meta.namespace ?? 'default', labels: meta.labels ?? {} },
    spec: { containers: [{ name: 'c', image: 'busybox' }], schedulerName: 'default-scheduler', ...spec },
  };
}

/** A container asking for cpu and memory. */
export const requesting = (cpu?: string, memory?: string, extra: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'busybox',
  resources: {
    requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) },
  },
  ...extra,
});

/** A node with pods already on it. */
export const infoOf = (node: KubeObject, pods: KubeObject[] = []): NodeInfo =>
  nodeInfo(
    node,
    pods.map((p) => podInfo({ ...p, spec: { ...p.spec, nodeName: node.metadata?.name } })),
  );
