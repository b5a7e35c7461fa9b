// A container's environment as the kubelet makes it: envFrom first, then env in order, each value
// with `$(VAR)` expanded from what came before (`$$(VAR)` stays literal), valueFrom read from
// ConfigMaps, Secrets, the pod's own fields and the container's resources. A required key that is
// missing is the kubelet's CreateContainerConfigError, with its words.
import type { KubeObject } from '../apiserver/registry.ts';
import { parseQuantity } from './quantity.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface EnvSources {
  /** A ConfigMap or Secret of the pod's namespace; undefined when there is none. */
  lookup(kind: 'ConfigMap' | 'Secret', name: string): Promise<KubeObject | undefined>;
  /** Values the pod has once it runs. */
  podIP: string;
  hostIP: string;
  /** The node's allocatable, for resourceFieldRef of a limit the container does not set. */
  allocatable: { cpu: number; memory: number };
  /**
   * The Services whose variables the container gets: those of the pod's namespace (with
   * enableServiceLinks) and the API's own `kubernetes` Service in default (always).
   */
  services?(links: boolean): Promise<KubeObject[]>;
}

/**
 * Docker-links-style variables of Services, as the kubelet sets them: `<NAME>_SERVICE_HOST`,
 * `<NAME>_SERVICE_PORT[_<PORT NAME>]`, `<NAME>_PORT` and `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`.
 */
export function serviceEnv(services: KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of services) {
    const spec = obj(svc.spec);
    const ip = spec.clusterIP;
    const ports = list(spec.ports);
    if (typeof ip !== 'string' || !ip || ip === 'None' || !ports.length) continue;
    const name = String(svc.metadata?.name).toUpperCase().replace(/-/g, '_');
    out.set(`${name}_SERVICE_HOST`, ip);
    out.set(`${name}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports)
      if (p.name)
        out.set(`${name}_SERVICE_PORT_${String(p.name).toUpperCase().replace(/-/g, '_')}`, String(p.port));
    const proto = (p: Obj) => String(p.protocol ?? 'TCP');
    out.set(`${name}_PORT`, `${proto(ports[0]).toLowerCase()}://${ip}:${ports[0].port}`);
    for (const p of ports) {
      const base = `${name}_PORT_${p.port}_${proto(p)}`;
      out.set(base, `${proto(p).toLowerCase()}://${ip}:${p.port}`);
      out.set(`${base}_PROTO`, proto(p).toLowerCase());
      out.set(`${base}_PORT`, String(p.port));
      out.set(`${base}_ADDR`, ip);
    }
  }
  return out;
}

/** Why a container cannot be made: the waiting reason and message the pod's status shows. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(
    message: string,
    /** How soon to try again (a claim about to be bound: soon). */
    readonly retryMs = 10_000,
  ) {
    super(message);
  }
}

/** The value a fieldRef names; also used by downwardAPI volumes. */
export function fieldValue(
  pod: KubeObject,
  path: string,
  sources: Pick<EnvSources, 'podIP' | 'hostIP'>,
): string {
  const meta = pod.metadata ?? {};
  const spec = obj(pod.spec);
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return String(obj(meta[sub[1] as 'labels'])[sub[2]] ?? '');
  const map = (m: unknown) =>
    Object.entries(obj(m))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}="${v}"`)
      .join('\n');
  switch (path) {
    case 'metadata.name':
      return String(meta.name ?? '');
    case 'metadata.namespace':
      return String(meta.namespace ?? '');
    case 'metadata.uid':
      return String(meta.uid ?? '');
    case 'metadata.labels':
      return map(meta.labels);
    case 'metadata.annotations':
      return map(meta.annotations);
    case 'spec.nodeName':
      return String(spec.nodeName ?? '');
    case 'spec.serviceAccountName':
      return String(spec.serviceAccountName ?? '');
    case 'status.podIP':
    case 'status.podIPs':
      return sources.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return sources.hostIP;
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
}

/** A resourceFieldRef's value: the container's request or limit (limits default to the node's). */
export function resourceValue(container: Obj, ref: Obj, allocatable: EnvSources['allocatable']): string {
  const resource = String(ref.resource ?? '');
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const resources = obj(container.resources);
  let value = parseQuantity(obj(resources[kind])[name]);
  if (value === undefined && name === 'cpu') value = kind === 'limits' ? allocatable.cpu : 0;
  if (value === undefined && name === 'memory') value = kind === 'limits' ? allocatable.memory : 0;
  if (value === undefined && name === 'ephemeral-storage') value = 0;
  if (value === undefined) throw new ContainerConfigError(`unsupported container resource: ${resource}`);
  const divisor = parseQuantity(ref.divisor ?? (name === 'cpu' ? '1' : '1')) || 1;
  return String(Math.ceil(value / divisor - 1e-9));
}

/** `$(NAME)` from the variables defined so far; `$$` escapes; unknown references stay as written. */
export function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : (vars.get(name!) ?? m),
  );
}

function dataOf(o: KubeObject, kind: 'ConfigMap' | 'Secret'): Map<string, string> {
  const out = new Map<string, string>();
  const o2 = o as Obj;
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(obj(o2.data)))
      out.set(k, Buffer.from(String(v), 'base64').toString());
    for (const [k, v] of Object.entries(obj(o2.stringData))) out.set(k, String(v));
  } else {
    for (const [k, v] of Object.entries(obj(o2.data))) out.set(k, String(v));
    for (const [k, v] of Object.entries(obj(o2.binaryData)))
      out.set(k, Buffer.from(String(v), 'base64').toString());
  }
  return out;
}

/** `NAME=value` lines for the engine, in the order Kubernetes defines them. */
export async function containerEnv(pod: KubeObject, container: Obj, sources: EnvSources): Promise<string[]> {
  // Service variables come first, so that env can refer to them with $(VAR).
  const links = obj(pod.spec).enableServiceLinks !== false;
  const vars = sources.services ? serviceEnv(await sources.services(links)) : new Map<string, string>();
  const lower = (k: 'ConfigMap' | 'Secret') => (k === 'ConfigMap' ? 'configmap' : 'secret');
  const source = async (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean) => {
    const o = await sources.lookup(kind, name);
    if (!o && !optional) throw new ContainerConfigError(`${lower(kind)} "${name}" not found`);
    return o && dataOf(o, kind);
  };
  for (const from of list(container.envFrom)) {
    const prefix = String(from.prefix ?? '');
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const ref = obj(from[kind === 'ConfigMap' ? 'configMapRef' : 'secretRef']);
      if (!ref.name) continue;
      const data = await source(kind, String(ref.name), ref.optional === true);
      for (const [k, v] of data ?? []) vars.set(prefix + k, v);
    }
  }
  for (const e of list(container.env)) {
    const name = String(e.name);
    const from = obj(e.valueFrom);
    if (!e.valueFrom) {
      vars.set(name, expand(String(e.value ?? ''), vars));
      continue;
    }
    let value: string | undefined;
    for (const kind of ['ConfigMap', 'Secret'] as const) {
      const ref = obj(from[kind === 'ConfigMap' ? 'configMapKeyRef' : 'secretKeyRef']);
      if (!ref.name) continue;
      const optional = ref.optional === true;
      const data = await source(kind, String(ref.name), optional);
      value = data?.get(String(ref.key));
      if (value === undefined && data && !optional)
        throw new ContainerConfigError(
          `couldn't find key ${ref.key} in ${kind} ${pod.metadata?.namespace}/${ref.name}`,
        );
    }
    if (from.fieldRef) value = fieldValue(pod, String(obj(from.fieldRef).fieldPath), sources);
    if (from.resourceFieldRef)
      value = resourceValue(container, obj(from.resourceFieldRef), sources.allocatable);
    if (value !== undefined) vars.set(name, value);
  }
  return [...vars].map(([k, v]) => `${k}=${v}`);
}
