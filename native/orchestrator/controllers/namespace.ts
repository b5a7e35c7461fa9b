// The namespace controller: a namespace being deleted (deletionTimestamp, spec.finalizers
// ['kubernetes']) has every namespaced object of every kind the registry serves deleted (in the
// background, as Kubernetes' namespace deleter does), and once nothing is left its `kubernetes`
// finalizer is removed through the finalize subresource, which lets the namespace go. Meanwhile its
// status carries the conditions Kubernetes writes (NamespaceContentRemaining, …). What lingers —
// pods in their grace period, objects with finalizers — brings the namespace back when an informer
// sees it go; kinds no informer watches are looked at again after a back-off while anything remains.
import type { KubeObject, ResourceDef } from '../apiserver/registry.ts';
import { defaultVerbs, storageResource } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { asList, asObj, Controller, iso, type Obj } from './common.ts';
import { collectedKinds } from './gc.ts';

const conditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

/** Each condition when all is well, in Kubernetes' words. */
const fine: Record<(typeof conditionTypes)[number], [string, string]> = {
  NamespaceDeletionDiscoveryFailure: ['ResourcesDiscovered', 'All resources successfully discovered'],
  NamespaceDeletionGroupVersionParsingFailure: [
    'ParsedGroupVersions',
    'All legacy kube types successfully parsed',
  ],
  NamespaceDeletionContentFailure: [
    'ContentDeleted',
    'All content successfully deleted, may be waiting on finalization',
  ],
  NamespaceContentRemaining: ['ContentRemoved', 'All content successfully removed'],
  NamespaceFinalizersRemaining: ['ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
};

const terminating = (ns: KubeObject | undefined) =>
  !!ns?.metadata?.deletionTimestamp && asList(asObj(ns.spec).finalizers).includes('kubernetes' as never);

export class NamespaceController extends Controller {
  readonly name = 'namespace-controller';
  /** Back-off for kinds no informer watches, per namespace. */
  private readonly waits = new Map<string, number>();

  private get namespaces() {
    return this.env.informers.for(Kinds.Namespace);
  }

  protected register(): void {
    this.namespaces.on({
      add: (ns) => terminating(ns) && this.enqueue(ns),
      update: (ns) => terminating(ns) && this.enqueue(ns),
      delete: (ns) => this.waits.delete(ns.metadata!.name!),
    });
    // Content that lingers (a pod in its grace period, an object with finalizers) going at last.
    for (const kind of collectedKinds.filter((k) => this.env.registry.byKind(k.group, k.kind)))
      this.env.informers.for(kind).on({
        delete: (o) => {
          const ns = o.metadata?.namespace;
          if (ns && terminating(this.namespaces.get(undefined, ns))) this.queue.add(ns);
        },
      });
  }

  /** The namespaced kinds to empty, one per storage (core and events.k8s.io Events share one). */
  private contentKinds(): ResourceDef[] {
    const seen = new Set<string>();
    return this.env.registry.all().filter((def) => {
      const verbs = def.verbs ?? defaultVerbs;
      if (!def.namespaced || !verbs.includes('delete') || !verbs.includes('list')) return false;
      const storage = storageResource(def);
      if (seen.has(storage)) return false;
      seen.add(storage);
      return true;
    });
  }

  protected async sync(name: string): Promise<void> {
    const cached = this.namespaces.get(undefined, name);
    if (!terminating(cached)) return;
    const failures: string[] = [];
    const remaining: string[] = [];
    const finalizers = new Map<string, number>();
    let uninformed = false;
    const informed = new Set(collectedKinds.map((k) => `${k.group}/${k.kind}`));
    for (const def of this.contentKinds()) {
      const kind = { group: def.group, kind: def.kind };
      let items = (await this.client.list(kind, { namespace: name })).items;
      for (const o of items) {
        if (o.metadata?.deletionTimestamp) continue;
        try {
          await this.client.delete(kind, name, o.metadata!.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          failures.push(`${def.plural}: ${(err as Error).message}`);
        }
      }
      items = (await this.client.list(kind, { namespace: name })).items;
      if (!items.length) continue;
      remaining.push(`${def.plural}.${def.group} has ${items.length} resource instances`);
      if (!informed.has(`${def.group}/${def.kind}`)) uninformed = true;
      for (const o of items)
        for (const f of o.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    }
    const ns = (await this.client.get(Kinds.Namespace, undefined, name)) ?? cached!;
    if (!remaining.length && !failures.length) {
      this.waits.delete(name);
      await this.client.finalize({
        ...ns,
        spec: {
          ...ns.spec,
          finalizers: asList(asObj(ns.spec).finalizers).filter((f) => f !== ('kubernetes' as never)),
        },
      });
      return;
    }
    await this.writeConditions(ns, {
      NamespaceDeletionContentFailure: failures.length
        ? [
            'ContentDeletionFailed',
            `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`,
          ]
        : undefined,
      NamespaceContentRemaining: remaining.length
        ? ['SomeResourcesRemain', `Some resources are remaining: ${remaining.sort().join(', ')}`]
        : undefined,
      NamespaceFinalizersRemaining: finalizers.size
        ? [
            'SomeFinalizersRemain',
            `Some content in the namespace has finalizers remaining: ${[...finalizers]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([f, n]) => `${f} in ${n} resource instances`)
              .join(', ')}`,
          ]
        : undefined,
    });
    if (failures.length || uninformed) {
      const wait = Math.min((this.waits.get(name) ?? 500) * 2, 60_000);
      this.waits.set(name, wait);
      this.queue.addAfter(name, wait);
    }
  }

  private async writeConditions(
    ns: KubeObject,
    problems: Partial<Record<(typeof conditionTypes)[number], [string, string] | undefined>>,
  ): Promise<void> {
    const old = asList(asObj(ns.status).conditions);
    const now = iso(this.clock.now());
    const conditions: Obj[] = conditionTypes.map((type) => {
      const problem = problems[type];
      const [reason, message] = problem ?? fine[type];
      const status = problem ? 'True' : 'False';
      const prev = old.find((c) => c.type === type);
      const lastTransitionTime = prev?.status === status ? prev.lastTransitionTime : now;
      return { type, status, lastTransitionTime, reason, message };
    });
    const st = { ...asObj(ns.status), conditions };
    if (JSON.stringify(st) === JSON.stringify(ns.status)) return;
    await this.client.updateStatus(Kinds.Namespace, { ...ns, status: st });
  }
}
