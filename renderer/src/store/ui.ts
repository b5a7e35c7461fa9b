// The ui slice: which screen is shown, kept in the URL hash so that Back and a reload work.
import type { KubeKind } from '../../../electron/contract/index.ts';
import type { Slice } from './types.ts';

export type Route =
  | { screen: 'dashboard' }
  /** With `project`: that compose project's view (its services, their containers and logs). */
  | { screen: 'containers'; project?: string }
  | { screen: 'container'; id: string }
  | { screen: 'images' }
  | { screen: 'image'; id: string }
  | { screen: 'terminal' }
  | { screen: 'volumes' }
  | { screen: 'volume'; name: string }
  | { screen: 'networks' }
  | { screen: 'settings' }
  | { screen: 'troubleshoot' }
  /** A Kubernetes list, in the app's active context and namespace. */
  | { screen: 'kube'; kind: KubeKind }
  /** One object of the active context (`namespace` empty for cluster-scoped kinds). */
  | { screen: 'kubeObject'; kind: KubeKind; namespace: string; name: string };

export interface UiSlice {
  route: Route;
  navigate(route: Route): void;
}

const listScreens = new Set([
  'containers',
  'images',
  'volumes',
  'networks',
  'terminal',
  'settings',
  'troubleshoot',
] as const);
type ListScreen = typeof listScreens extends Set<infer S> ? S : never;

export const kubeKinds: readonly KubeKind[] = [
  'pods',
  'deployments',
  'statefulsets',
  'daemonsets',
  'jobs',
  'cronjobs',
  'services',
  'configmaps',
  'secrets',
  'events',
  'namespaces',
];
const isKubeKind = (k: string | undefined): k is KubeKind => kubeKinds.includes(k as KubeKind);

export function parseRoute(hash: string): Route {
  const [, screen, id, ...rest] = hash.replace(/^#/, '').split('/');
  if (screen === 'kube') {
    const kind = isKubeKind(id) ? id : 'pods';
    if (rest.length === 2 && rest[1])
      return {
        screen: 'kubeObject',
        kind,
        namespace: decodeURIComponent(rest[0]),
        name: decodeURIComponent(rest[1]),
      };
    return { screen: 'kube', kind };
  }
  if (screen === 'containers' && id) return { screen: 'container', id: decodeURIComponent(id) };
  if (screen === 'projects' && id) return { screen: 'containers', project: decodeURIComponent(id) };
  if (screen === 'volumes' && id) return { screen: 'volume', name: decodeURIComponent(id) };
  if (screen === 'images' && id) return { screen: 'image', id: decodeURIComponent(id) };
  if (listScreens.has(screen as ListScreen)) return { screen: screen as ListScreen };
  return { screen: 'dashboard' };
}

export function routeHash(r: Route): string {
  if (r.screen === 'kube') return `#/kube/${r.kind}`;
  if (r.screen === 'kubeObject')
    return `#/kube/${r.kind}/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`;
  if (r.screen === 'container') return `#/containers/${encodeURIComponent(r.id)}`;
  if (r.screen === 'containers' && r.project) return `#/projects/${encodeURIComponent(r.project)}`;
  if (r.screen === 'volume') return `#/volumes/${encodeURIComponent(r.name)}`;
  if (r.screen === 'image') return `#/images/${encodeURIComponent(r.id)}`;
  return `#/${r.screen}`;
}

const inBrowser = typeof window !== 'undefined' && typeof localStorage !== 'undefined';

export const uiSlice: Slice<UiSlice> = (set) => ({
  route: inBrowser ? parseRoute(location.hash) : { screen: 'dashboard' },
  navigate(route) {
    if (inBrowser && location.hash !== routeHash(route)) history.pushState(null, '', routeHash(route));
    set({ route });
  },
});
