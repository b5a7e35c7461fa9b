// Discovery: /api, /apis and each group-version's resource list, in the plain form and in the
// aggregated form (apidiscovery.k8s.io v2 and v2beta1) that kubectl asks for first. A client that
// accepts neither aggregated type gets the plain one, never a 406.
import type { MediaType } from './http.ts';
import { defaultVerbs, type Registry, type ResourceDef } from './registry.ts';

const subresourceVerbs = ['get', 'patch', 'update'];

function verbsOf(def: ResourceDef): string[] {
  return def.verbs ?? defaultVerbs;
}

interface Subresource {
  name: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/** Subresources of a kind: its own, and those other parts serve (the kubelet's log, exec…). */
function subresourcesOf(def: ResourceDef): Subresource[] {
  const own = { group: def.group, version: def.version, kind: def.kind };
  const out: Subresource[] = [];
  if (def.subresources?.status) out.push({ name: 'status', kind: own, verbs: subresourceVerbs });
  if (def.subresources?.scale)
    out.push({
      name: 'scale',
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: subresourceVerbs,
    });
  if (def.kind === 'Namespace' && !def.group) out.push({ name: 'finalize', kind: own, verbs: ['update'] });
  if (def.kind === 'Pod' && !def.group)
    out.push({ name: 'ephemeralcontainers', kind: own, verbs: subresourceVerbs });
  for (const [name, h] of Object.entries(def.handlers ?? {}))
    out.push({ name, kind: h.kind, verbs: h.verbs });
  return out;
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(registry: Registry) {
  const groups = [...registry.groups()].filter(([g]) => g !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function apiGroup(name: string, versions: string[]) {
  const gvs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: gvs, preferredVersion: gvs[0] };
}

export function apiResourceList(registry: Registry, group: string, version: string) {
  const resources: Record<string, unknown>[] = [];
  for (const def of registry.inGroupVersion(group, version)) {
    const r: Record<string, unknown> = {
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: verbsOf(def),
    };
    if (def.shortNames?.length) r.shortNames = def.shortNames;
    if (def.categories?.length) r.categories = def.categories;
    resources.push(r);
    for (const s of subresourcesOf(def)) {
      const sr: Record<string, unknown> = {
        name: `${def.plural}/${s.name}`,
        singularName: '',
        namespaced: def.namespaced,
        kind: s.kind.kind,
        verbs: s.verbs,
      };
      if (s.kind.group !== def.group || s.kind.version !== def.version) {
        sr.group = s.kind.group;
        sr.version = s.kind.version;
      }
      resources.push(sr);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function resourceDiscovery(def: ResourceDef) {
  const r: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: verbsOf(def),
  };
  if (def.shortNames?.length) r.shortNames = def.shortNames;
  if (def.categories?.length) r.categories = def.categories;
  const subs = subresourcesOf(def);
  if (subs.length)
    r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: s.kind, verbs: s.verbs }));
  return r;
}

/** APIGroupDiscoveryList for /api (core: true) or /apis. */
export function aggregatedDiscovery(registry: Registry, core: boolean, version: 'v2' | 'v2beta1') {
  const groups = [...registry.groups()].filter(([g]) => (g === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map(([name, versions]) => ({
      metadata: name ? { name } : {},
      versions: versions.map((v) => ({
        version: v,
        resources: registry.inGroupVersion(name, v).map(resourceDiscovery),
        freshness: 'Current',
      })),
    })),
  };
}

/** Which aggregated discovery version the Accept header asks for first, if any. */
export function wantsAggregated(accept: MediaType[]): 'v2' | 'v2beta1' | undefined {
  for (const m of accept) {
    if (m.type !== 'application/json') continue;
    if (m.params.as !== 'APIGroupDiscoveryList') return undefined;
    if (m.params.g !== 'apidiscovery.k8s.io') continue;
    if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
  }
  return undefined;
}

export const aggregatedContentType = (v: 'v2' | 'v2beta1') =>
  `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
