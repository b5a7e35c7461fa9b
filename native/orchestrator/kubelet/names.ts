// How a pod's engine containers are named and labelled: as cri-dockerd (and dockershim before it)
// names them, so that `docker ps` on a node reads the same as on a Docker-backed Kubernetes node, and
// so that the kubelet finds its containers again after a restart from their labels alone.
import type { KubeObject } from '../apiserver/registry.ts';

export const Label = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /** `podsandbox` or `container`, as cri-dockerd writes it. */
  type: 'io.kubernetes.docker.type',
  sandboxId: 'io.kubernetes.sandbox.id',
  /** The attempt (restart count) of a container, and of a sandbox. */
  attempt: 'annotation.io.kubernetes.container.restartCount',
  /** Init, app or ephemeral container: the kubelet's own, so that a restart tells them apart. */
  role: 'io.berth.kubelet.role',
} as const;

/** What a pod's container is: an init container, an app container or an ephemeral (debug) container. */
export type ContainerRole = 'init' | 'app' | 'ephemeral';

/** The pod spec's list of each role. */
export const roleField = {
  init: 'initContainers',
  app: 'containers',
  ephemeral: 'ephemeralContainers',
} as const satisfies Record<ContainerRole, string>;

/** The role of the pod's container of this name; undefined when the pod has none of that name. */
export function roleOf(pod: KubeObject, name: string): ContainerRole | undefined {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const has = (field: string) =>
    Array.isArray(spec[field]) && (spec[field] as { name?: unknown }[]).some((c) => c?.name === name);
  return (['app', 'init', 'ephemeral'] as const).find((r) => has(roleField[r]));
}

export const sandboxContainerName = 'POD';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

export function podRef(pod: KubeObject): PodRef {
  const m = pod.metadata ?? {};
  return { name: String(m.name), namespace: String(m.namespace ?? 'default'), uid: String(m.uid) };
}

/** `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>` (`POD` for the sandbox). */
export function containerName(pod: PodRef, container: string, attempt: number): string {
  return `k8s_${container}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;
}

export function podLabels(pod: PodRef): Record<string, string> {
  return { [Label.podName]: pod.name, [Label.podNamespace]: pod.namespace, [Label.podUid]: pod.uid };
}

export function sandboxLabels(pod: PodRef, attempt: number, podLabelsOfUser: Record<string, string>) {
  return {
    // The pod's own labels go on its sandbox, as cri-dockerd puts them there.
    ...podLabelsOfUser,
    ...podLabels(pod),
    [Label.containerName]: sandboxContainerName,
    [Label.type]: 'podsandbox',
    [Label.attempt]: String(attempt),
  };
}

export function appLabels(
  pod: PodRef,
  container: string,
  attempt: number,
  sandboxId: string,
  role: ContainerRole,
): Record<string, string> {
  return {
    ...podLabels(pod),
    [Label.containerName]: container,
    [Label.type]: 'container',
    [Label.sandboxId]: sandboxId,
    [Label.attempt]: String(attempt),
    [Label.role]: role,
  };
}

export const attemptOf = (labels: Record<string, string>) => Number(labels[Label.attempt] ?? 0) || 0;
