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
  | { screen: 'kubeObject'; kind: KubeKind; namespace: string; name: string }
  /** Apply YAML in a context (`berth` unless the route names one). */
  | { screen: 'kube-apply'; context: string }
  | { screen: 'kube-pod'; context: string; namespace: string; pod: string; tab: 'logs' | 'terminal' }
  | { screen: 'kube-port-forwards' };

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

/** The Kubernetes I/O screens: #/kubernetes/apply[/<context>], #/kubernetes/pod/<ctx>/<ns>/<pod>/<tab>. */
function parseKubeRoute(parts: string[]): Route | null {
  const d = parts.map((p) => decodeURIComponent(p));
  if (d[0] === 'apply') return { screen: 'kube-apply', context: d[1] || 'berth' };
  if (d[0] === 'port-forwards') return { screen: 'kube-port-forwards' };
  if (d[0] === 'pod' && d[1] && d[2] && d[3])
    return {
      screen: 'kube-pod',
      context: d[1],
      namespace: d[2],
      pod: d[3],
      tab: d[4] === 'terminal' ? 'terminal' : 'logs',
    };
  return null;
}

export function parseRoute(hash: string): Route {
  const [, screen, id, ...rest] = hash.replace(/^#/, '').split('/');
  if (screen === 'kubernetes') {
    const r = parseKubeRoute([id ?? '', ...rest]);
    if (r) return r;
  }
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
  if (r.screen === 'kube-apply') return `#/kubernetes/apply/${encodeURIComponent(r.context)}`;
  if (r.screen === 'kube-port-forwards') return '#/kubernetes/port-forwards';
  if (r.screen === 'kube-pod')
    return `#/kubernetes/pod/${[r.context, r.namespace, r.pod, r.tab].map(encodeURIComponent).join('/')}`;
  return `#/${r.screen}`;
}

const inBrowser = typeof window !== 'undefined' && typeof localStorage !== 'undefined';

export const uiSlice: Slice<UiSlice> = (set, get) => ({
  route: inBrowser ? parseRoute(location.hash) : { screen: 'dashboard' },
  navigate(route) {
    if (inBrowser && location.hash !== routeHash(route)) history.pushState(null, '', routeHash(route));
    // A kind's list is asked for now, while its screen renders, not once it has.
    if (route.screen === 'kube') get().watchKubeListAhead(route.kind);
    set({ route });
  },
});
