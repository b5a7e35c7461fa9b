// The checks kube-apiserver makes before it connects a stream to the kubelet (its streamLocation):
// the pod exists, the container is one of its own (or the only one), the pod has a node. Each fails
// with the Status kube-apiserver answers, before the upgrade.
import type { ApiContext, Scope } from '../context.ts';
import type { KubeObject } from '../registry.ts';
import { getObject } from '../rest/read.ts';
import { badRequest } from '../status.ts';
import { containerNotFound } from './backends.ts';

const names = (list: unknown) =>
  (Array.isArray(list) ? list : []).map((c) => String((c as { name?: unknown }).name ?? ''));

export async function streamPod(ctx: ApiContext, scope: Scope): Promise<KubeObject> {
  const pod = await getObject(ctx, { ...scope, subresource: undefined });
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName)
    throw badRequest(`pod ${scope.name} does not have a host assigned`);
  return pod;
}

/** The container a request names, or the pod's only one. */
export function streamContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec ?? {};
  const containers = names(spec.containers);
  if (!requested) {
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    const inits = names(spec.initContainers);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
    throw badRequest(msg);
  }
  const all = [...containers, ...names(spec.initContainers), ...names(spec.ephemeralContainers)];
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/**
 * Exec and attach need the container running. What the pod's status says decides it here, before the
 * upgrade, so that kubectl's SPDY retry after a failed WebSocket upgrade is refused the same way; the
 * words are the kubelet's (kubectl prints them).
 */
export function requireRunning(pod: KubeObject, container: string): void {
  const status = (pod.status ?? {}) as {
    phase?: string;
    containerStatuses?: { name: string; state?: Record<string, unknown> }[];
    initContainerStatuses?: { name: string; state?: Record<string, unknown> }[];
    ephemeralContainerStatuses?: { name: string; state?: Record<string, unknown> }[];
  };
  const own = [
    ...(status.containerStatuses ?? []),
    ...(status.initContainerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ].find((c) => c.name === container);
  const running = own ? Boolean(own.state?.running) : status.phase === 'Running';
  if (!running) throw containerNotFound(container);
}

/** A query boolean as Go's strconv.ParseBool reads it; absent is false. */
export function queryBool(query: URLSearchParams, key: string): boolean {
  const v = query.get(key);
  if (v === null) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(v)) return false;
  throw badRequest(`invalid value for ${key}: ${JSON.stringify(v)}`);
}
