// metrics.k8s.io/v1beta1 served by berthd itself, as metrics-server serves it on other clusters (kind
// and Docker Desktop's cluster have none until one is installed): `kubectl top pod` and `kubectl top
// node` work on a new cluster. NodeMetrics and PodMetrics are computed when asked (read-only
// resources), from the engine's container stats and the machine's counters (usage.ts).
import type { ContainerOperations } from '../../services/containers/operations.ts';
import type { ApiContext, Scope } from '../apiserver/context.ts';
import type { KubeObject, ResourceDef } from '../apiserver/registry.ts';
import { listObjects } from '../apiserver/rest/read.ts';
import { column, nameColumn } from '../apiserver/table.ts';
import { iso } from '../controllers/common.ts';
import { Label } from '../kubelet/names.ts';
import { cpuQuantity, goSeconds, memoryQuantity, type Usage, type UsageMeter } from './usage.ts';

const metrics = { group: 'metrics.k8s.io', version: 'v1beta1' } as const;

type Obj = Record<string, unknown>;
const usageOf = (o: KubeObject): Obj => (o.usage ?? {}) as Obj;

/** Every object of a kind in the scope's namespace (or all), from the store or its cache. */
async function listKind(ctx: ApiContext, scope: Scope, group: string, kind: string): Promise<KubeObject[]> {
  const def = ctx.registry.byKind(group, kind);
  if (!def) return [];
  const page = await listObjects(ctx, {
    ...scope,
    def,
    name: undefined,
    subresource: undefined,
    query: new URLSearchParams(),
    rendering: { as: 'object' },
  });
  return page.items;
}

const stamp = (u: Usage) => ({
  timestamp: iso(u.atMs),
  window: goSeconds(u.windowMs),
});

function table(cpu: (o: KubeObject) => string, memory: (o: KubeObject) => string) {
  return [
    nameColumn,
    column('CPU', cpu, 'CPU use in cores.'),
    column('Memory', memory, 'Memory use (working set).'),
    column('Window', (o) => String(o.window ?? ''), 'The interval the use is averaged over.'),
  ];
}

/** The sum over a PodMetrics' containers of one usage (`1234n`, `2048Ki`: the number before the unit). */
const podSum = (o: KubeObject, key: 'cpu' | 'memory') =>
  ((o.containers ?? []) as Obj[]).reduce(
    (s, c) => s + Number.parseInt(String((c.usage as Obj)?.[key] ?? '0'), 10),
    0,
  );
const podCpu = (o: KubeObject) => cpuQuantity(podSum(o, 'cpu'));
const podMemory = (o: KubeObject) => `${podSum(o, 'memory')}Ki`;

/** The usage of each running container of these pods, by pod UID (pods with none are left out). */
export async function podContainerUsage(
  containers: ContainerOperations,
  meter: UsageMeter,
  pods: KubeObject[],
): Promise<Map<string, { name: string; usage: Usage }[]>> {
  const uids = new Set(pods.map((p) => String(p.metadata?.uid)));
  const found: { uid: string; id: string; name: string }[] = [];
  for (const c of await containers.list({ labels: { [Label.type]: 'container' } })) {
    const uid = c.Labels[Label.podUid];
    if (c.State.Status === 'running' && uids.has(uid))
      found.push({ uid, id: c.Id, name: c.Labels[Label.containerName] });
  }
  const usage = await meter.usage(found.map((c) => c.id));
  const out = new Map<string, { name: string; usage: Usage }[]>();
  for (const c of found) {
    const u = usage.get(c.id);
    if (u) out.set(c.uid, [...(out.get(c.uid) ?? []), { name: c.name, usage: u }]);
  }
  return out;
}

export function metricsDefs(containers: ContainerOperations, meter: UsageMeter): ResourceDef[] {
  const readOnly = { verbs: ['get', 'list'], strategy: {} };
  const nodes: ResourceDef = {
    ...metrics,
    ...readOnly,
    kind: 'NodeMetrics',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    table: table(
      (o) => String(usageOf(o).cpu ?? ''),
      (o) => String(usageOf(o).memory ?? ''),
    ),
    virtual: {
      async list(ctx, scope) {
        const found = await listKind(ctx, scope, '', 'Node');
        if (!found.length) return [];
        const u = (await meter.usage(['node'])).get('node');
        if (!u) return [];
        return found.map((n) => ({
          kind: 'NodeMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: {
            name: n.metadata?.name,
            labels: n.metadata?.labels,
            creationTimestamp: iso(ctx.clock.now()),
          },
          ...stamp(u),
          usage: { cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) },
        }));
      },
    },
  };
  const pods: ResourceDef = {
    ...metrics,
    ...readOnly,
    kind: 'PodMetrics',
    plural: 'pods',
    singular: '',
    namespaced: true,
    table: table(podCpu, podMemory),
    virtual: {
      async list(ctx, scope) {
        const running = (await listKind(ctx, scope, '', 'Pod')).filter(
          (p) => (p.status as Obj | undefined)?.phase === 'Running',
        );
        if (!running.length) return [];
        const byPod = await podContainerUsage(containers, meter, running);
        const out: KubeObject[] = [];
        for (const p of running) {
          const mine = byPod.get(String(p.metadata?.uid)) ?? [];
          if (!mine.length) continue;
          const first = mine[0].usage;
          out.push({
            kind: 'PodMetrics',
            apiVersion: 'metrics.k8s.io/v1beta1',
            metadata: {
              name: p.metadata?.name,
              namespace: p.metadata?.namespace,
              labels: p.metadata?.labels,
              creationTimestamp: iso(ctx.clock.now()),
            },
            ...stamp(first),
            containers: mine.map((c) => ({
              name: c.name,
              usage: { cpu: cpuQuantity(c.usage.cpuNanoCores), memory: memoryQuantity(c.usage.memoryBytes) },
            })),
          });
        }
        return out;
      },
    },
  };
  return [nodes, pods];
}
