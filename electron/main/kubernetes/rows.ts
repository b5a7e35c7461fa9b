// One row per object, per kind, exactly as the contract's *Row types say: computed once when the watch
// delivers the object (not on every render), so a list's cost per change is one object's mapping.
import type {
  ConfigRow,
  CronJobRow,
  EventRow,
  JobRow,
  KubeKind,
  KubeOwnerRef,
  KubeRow,
  NamespaceRow,
  PodRow,
  ServiceRow,
  WorkloadRow,
} from '../../contract/index.ts';
import { podColumns, type RawCondition, type RawContainer, type RawPod } from './pod-status.ts';
import { rolloutText } from './rollout.ts';

export interface RawMeta {
  uid?: string;
  name?: string;
  namespace?: string;
  creationTimestamp?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; controller?: boolean; uid?: string; apiVersion?: string }[];
  deletionTimestamp?: string;
}

/** An object as the API's JSON has it; each mapper reads the fields of its kind. */
export interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata: RawMeta;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field per kind below.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  status?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above (configmaps' and secrets' data, events' fields).
  [field: string]: any;
}

export interface RowContext {
  /** Berth's own cluster: its NodePorts and LoadBalancer addresses open from this machine. */
  berth: boolean;
  now: () => number;
}

const defaultRowContext: RowContext = { berth: false, now: Date.now };

function base(o: RawObject) {
  const m = o.metadata;
  const owners = m.ownerReferences ?? [];
  const ownerRef = owners.find((r) => r.controller) ?? owners[0];
  const owner: KubeOwnerRef | undefined = ownerRef ? { kind: ownerRef.kind, name: ownerRef.name } : undefined;
  return {
    uid: m.uid ?? `${m.namespace ?? ''}/${m.name ?? ''}`,
    name: m.name ?? '',
    namespace: m.namespace ?? '',
    createdAt: m.creationTimestamp ?? '',
    resourceVersion: m.resourceVersion ?? '',
    labels: m.labels ?? {},
    ...(owner ? { owner } : {}),
    deleting: !!m.deletionTimestamp,
  };
}

function podRow(o: RawObject): PodRow {
  const pod = o as RawPod & RawObject;
  const cols = podColumns(pod);
  return {
    ...base(o),
    kind: 'pods',
    ...cols,
    phase: pod.status?.phase ?? '',
    ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    containers: (pod.spec?.containers ?? []).map((c: RawContainer) => c.name),
    initContainers: (pod.spec?.initContainers ?? []).map((c: RawContainer) => c.name),
  };
}

export interface RawLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.FormatLabelSelector: requirements sorted by key, `<none>` for an empty one. */
export function formatSelector(sel: RawLabelSelector | undefined): string {
  if (!sel) return '<none>';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${values})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${values})`
          : e.operator === 'Exists'
            ? e.key
            : e.operator === 'DoesNotExist'
              ? `!${e.key}`
              : `${e.key} ${e.operator} (${values})`;
    reqs.push([e.key, text]);
  }
  if (!reqs.length) return '<none>';
  return reqs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((r) => r[1])
    .join(',');
}

const images = (o: RawObject, template = o.spec?.template) =>
  ((template?.spec?.containers ?? []) as RawContainer[]).map((c) => c.image ?? '');

function workloadRow(kind: WorkloadRow['kind'], o: RawObject): WorkloadRow {
  const s = o.status ?? {};
  const counts =
    kind === 'daemonsets'
      ? {
          desired: s.desiredNumberScheduled ?? 0,
          ready: s.numberReady ?? 0,
          upToDate: s.updatedNumberScheduled ?? 0,
          available: s.numberAvailable ?? 0,
        }
      : {
          desired: o.spec?.replicas ?? 1,
          ready: s.readyReplicas ?? 0,
          upToDate: s.updatedReplicas ?? 0,
          available: s.availableReplicas ?? 0,
        };
  const rollout = rolloutText(kind, o);
  return {
    ...base(o),
    kind,
    ...counts,
    images: images(o),
    selector: formatSelector(o.spec?.selector),
    ...(rollout ? { rollout } : {}),
  };
}

function jobRow(o: RawObject, ctx: RowContext): JobRow {
  const s = o.status ?? {};
  const spec = o.spec ?? {};
  const completions =
    spec.completions !== undefined && spec.completions !== null
      ? `${s.succeeded ?? 0}/${spec.completions}`
      : (spec.parallelism ?? 0) > 1
        ? `${s.succeeded ?? 0}/1 of ${spec.parallelism}`
        : `${s.succeeded ?? 0}/1`;
  const cond = (t: string) =>
    ((s.conditions ?? []) as RawCondition[]).some((c) => c.type === t && c.status === 'True');
  const status: JobRow['status'] = cond('Complete')
    ? 'Complete'
    : cond('Failed')
      ? 'Failed'
      : cond('Suspended')
        ? 'Suspended'
        : 'Running';
  const start = s.startTime ? Date.parse(s.startTime) : undefined;
  const end = s.completionTime ? Date.parse(s.completionTime) : undefined;
  const durationS =
    start === undefined ? undefined : Math.max(0, Math.round(((end ?? ctx.now()) - start) / 1000));
  return {
    ...base(o),
    kind: 'jobs',
    completions,
    status,
    ...(durationS !== undefined ? { durationS } : {}),
    images: images(o),
  };
}

function cronJobRow(o: RawObject): CronJobRow {
  return {
    ...base(o),
    kind: 'cronjobs',
    schedule: o.spec?.schedule ?? '',
    suspend: o.spec?.suspend === true,
    active: (o.status?.active ?? []).length,
    ...(o.status?.lastScheduleTime ? { lastScheduleAt: o.status.lastScheduleTime } : {}),
  };
}

interface RawServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

function serviceRow(o: RawObject, ctx: RowContext): ServiceRow {
  const spec = o.spec ?? {};
  const type = (spec.type ?? 'ClusterIP') as ServiceRow['type'];
  const ingress = ((o.status?.loadBalancer?.ingress ?? []) as { ip?: string; hostname?: string }[])
    .map((i) => i.ip ?? i.hostname ?? '')
    .filter(Boolean);
  const externalIPs = [...ingress, ...((spec.externalIPs ?? []) as string[])];
  const ports = ((spec.ports ?? []) as RawServicePort[]).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    targetPort: String(p.targetPort ?? p.port),
    ...(p.nodePort ? { nodePort: p.nodePort } : {}),
  }));
  const links: ServiceRow['links'] = [];
  const tcp = ports.filter((p) => p.protocol === 'TCP');
  // A LoadBalancer's ingress address is reachable from wherever the cluster put it; a NodePort only on
  // a node, which for Berth's cluster is this machine.
  if (type === 'LoadBalancer') {
    for (const addr of ingress) {
      for (const p of tcp) {
        const host = addr.includes(':') ? `[${addr}]` : addr;
        links.push({ label: `${addr}:${p.port}`, url: `http://${host}:${p.port}/` });
      }
    }
  }
  if (ctx.berth && (type === 'NodePort' || type === 'LoadBalancer')) {
    for (const p of tcp) {
      if (p.nodePort)
        links.push({ label: `localhost:${p.nodePort}`, url: `http://127.0.0.1:${p.nodePort}/` });
    }
  }
  return {
    ...base(o),
    kind: 'services',
    type,
    ...(spec.clusterIP && spec.clusterIP !== 'None' ? { clusterIP: spec.clusterIP } : {}),
    ...(spec.clusterIP === 'None' ? { clusterIP: 'None' } : {}),
    externalIPs,
    ports,
    links,
  };
}

function configRow(kind: ConfigRow['kind'], o: RawObject): ConfigRow {
  const keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.binaryData ?? {})].sort();
  return {
    ...base(o),
    kind,
    ...(kind === 'secrets' ? { type: o.type ?? 'Opaque' } : {}),
    keys,
  };
}

function eventRow(o: RawObject): EventRow {
  const inv = o.involvedObject ?? o.regarding ?? {};
  const lastSeen =
    o.lastTimestamp ??
    o.series?.lastObservedTime ??
    o.eventTime ??
    o.firstTimestamp ??
    o.metadata.creationTimestamp ??
    '';
  return {
    ...base(o),
    kind: 'events',
    type: o.type ?? 'Normal',
    reason: o.reason ?? '',
    message: o.message ?? o.note ?? '',
    object: { kind: inv.kind ?? '', name: inv.name ?? '', ...(inv.uid ? { uid: inv.uid } : {}) },
    count: o.count ?? o.series?.count ?? 1,
    lastSeen,
    source: o.source?.component ?? o.reportingComponent ?? o.reportingController ?? '',
  };
}

function namespaceRow(o: RawObject): NamespaceRow {
  return { ...base(o), kind: 'namespaces', phase: o.status?.phase ?? '' };
}

export function toRow(kind: KubeKind, o: RawObject, ctx: RowContext = defaultRowContext): KubeRow {
  switch (kind) {
    case 'pods':
      return podRow(o);
    case 'deployments':
    case 'statefulsets':
    case 'daemonsets':
      return workloadRow(kind, o);
    case 'jobs':
      return jobRow(o, ctx);
    case 'cronjobs':
      return cronJobRow(o);
    case 'services':
      return serviceRow(o, ctx);
    case 'configmaps':
    case 'secrets':
      return configRow(kind, o);
    case 'events':
      return eventRow(o);
    case 'namespaces':
      return namespaceRow(o);
  }
}
