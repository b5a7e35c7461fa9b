// Where each kind the screens list lives in the API: its group/version, its plural and whether it is
// namespaced. The paths are built here so the list/watch, get, delete and patch code stays kind-free.
import type { KubeKind } from '../../contract/index.ts';

export interface KubeResource {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const kubeResources: Record<KubeKind, KubeResource> = {
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  statefulsets: {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
  },
  daemonsets: { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true },
  cronjobs: { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', namespaced: true },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
};

export function isKubeKind(k: unknown): k is KubeKind {
  return typeof k === 'string' && Object.hasOwn(kubeResources, k);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(r: KubeResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/**
 * The collection's path: namespaced kinds in one namespace, or across all of them (`namespace` null or
 * empty); cluster-scoped kinds ignore the namespace.
 */
export function collectionPath(r: KubeResource, namespace: string | null): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}`;
}

export function objectPath(r: KubeResource, namespace: string, name: string): string {
  return `${collectionPath(r, r.namespaced ? namespace : null)}/${encodeURIComponent(name)}`;
}
