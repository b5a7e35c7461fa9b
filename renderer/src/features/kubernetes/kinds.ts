// The kinds the Kubernetes section shows, in the nav's order, with the words each screen uses.
import type { KubeKind } from '../../../../electron/contract/index.ts';

export interface KindWords {
  /** The nav's and the list's title: `Pods`. */
  title: string;
  /** One object, for a detail's heading and dialogs: `Pod`. */
  singular: string;
  /** Plural in a sentence: `pods`. */
  noun: string;
  namespaced: boolean;
}

export const kindWords: Record<KubeKind, KindWords> = {
  pods: { title: 'Pods', singular: 'Pod', noun: 'pods', namespaced: true },
  deployments: { title: 'Deployments', singular: 'Deployment', noun: 'deployments', namespaced: true },
  statefulsets: { title: 'StatefulSets', singular: 'StatefulSet', noun: 'statefulsets', namespaced: true },
  daemonsets: { title: 'DaemonSets', singular: 'DaemonSet', noun: 'daemonsets', namespaced: true },
  jobs: { title: 'Jobs', singular: 'Job', noun: 'jobs', namespaced: true },
  cronjobs: { title: 'CronJobs', singular: 'CronJob', noun: 'cronjobs', namespaced: true },
  services: { title: 'Services', singular: 'Service', noun: 'services', namespaced: true },
  configmaps: { title: 'ConfigMaps', singular: 'ConfigMap', noun: 'configmaps', namespaced: true },
  secrets: { title: 'Secrets', singular: 'Secret', noun: 'secrets', namespaced: true },
  events: { title: 'Events', singular: 'Event', noun: 'events', namespaced: true },
  namespaces: { title: 'Namespaces', singular: 'Namespace', noun: 'namespaces', namespaced: false },
};

/** The nav's entries, grouped as Lens and Headlamp group them. */
export const kubeNavGroups: { label: string; kinds: KubeKind[] }[] = [
  { label: 'Workloads', kinds: ['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] },
  { label: 'Network', kinds: ['services'] },
  { label: 'Config', kinds: ['configmaps', 'secrets'] },
  { label: 'Cluster', kinds: ['events', 'namespaces'] },
];
