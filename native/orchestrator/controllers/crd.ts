// The CustomResourceDefinition controller, kube-apiserver's naming, establishing and finalizing
// controllers in one: a CRD's names are accepted unless another resource of its group holds them
// (NamesAccepted False with PluralConflict, SingularConflict, ShortNamesConflict, KindConflict or
// ListKindConflict, as Kubernetes words them), then it is Established and its kinds are served (the
// registry gets their defs, so discovery, OpenAPI and the REST handlers know them). A CRD being
// deleted has its custom resources deleted (those with finalizers waited for), then its kinds go
// and its customresourcecleanup finalizer is removed, which lets it go.
import { customResourceDefs } from '../apiserver/crd/resource.ts';
import { approvalCondition, isProtectedGroup } from '../apiserver/crd/validation.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import {
  crdCleanupFinalizer,
  isCrdCondition,
  setCrdCondition,
} from '../apiserver/resources/apiextensions.ts';
import { Kinds } from '../client/client.ts';
import { asObj, Controller, iso } from './common.ts';

type Names = {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
};

/** The CRD with the names it may have and its NamesAccepted/Established conditions (naming_controller.go). */
export function acceptNames(
  crd: KubeObject,
  taken: { resources: Set<string>; kinds: Set<string> },
  now: string,
): KubeObject {
  const out = structuredClone(crd);
  const requested = asObj(asObj(out.spec).names) as Names;
  const status = asObj(out.status);
  out.status = status;
  const accepted = asObj(status.acceptedNames) as Names;
  const names: Names = { ...accepted };
  let problem: [string, string] | undefined;
  const fresh = (want: string | undefined, have: string | undefined, used: Set<string>) =>
    !want || want === have || !used.has(want) ? undefined : `"${want}" is already in use`;
  const check = (key: 'plural' | 'singular' | 'kind' | 'listKind', reason: string, used: Set<string>) => {
    const p = fresh(requested[key], accepted[key], used);
    if (p) problem = [reason, p];
    else names[key] = requested[key];
  };
  check('plural', 'PluralConflict', taken.resources);
  check('singular', 'SingularConflict', taken.resources);
  const shortProblems = (requested.shortNames ?? [])
    .filter((s) => !(accepted.shortNames ?? []).includes(s))
    .map((s) => fresh(s, '', taken.resources))
    .filter((p): p is string => !!p);
  if (shortProblems.length)
    problem = [
      'ShortNamesConflict',
      shortProblems.length === 1 ? shortProblems[0] : `[${shortProblems.join(', ')}]`,
    ];
  else names.shortNames = requested.shortNames;
  check('kind', 'KindConflict', taken.kinds);
  check('listKind', 'ListKindConflict', taken.kinds);
  names.categories = requested.categories;
  for (const k of Object.keys(names) as (keyof Names)[]) if (names[k] === undefined) delete names[k];
  status.acceptedNames = { plural: '', kind: '', ...names };
  const [reason, message] = problem ?? ['NoConflicts', 'no conflicts found'];
  setCrdCondition(out, { type: 'NamesAccepted', status: problem ? 'False' : 'True', reason, message }, now);
  if (isProtectedGroup(String(asObj(out.spec).group ?? '')))
    setCrdCondition(out, approvalCondition(out), now);
  if (!isCrdCondition(out, 'Established')) {
    setCrdCondition(
      out,
      problem
        ? {
            type: 'Established',
            status: 'False',
            reason: 'NotAccepted',
            message: 'not all names are accepted',
          }
        : {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          },
      now,
    );
  }
  return out;
}

export class CrdController extends Controller {
  readonly name = 'crd-controller';
  private readonly waits = new Map<string, number>();

  private get crds() {
    return this.env.informers.for(Kinds.CustomResourceDefinition);
  }

  protected register(): void {
    this.crds.on({
      add: (o) => this.enqueue(o),
      update: (o) => this.enqueue(o),
      delete: (o) => {
        this.queue.add(o.metadata!.name!);
        // Another CRD of the group may now have the names it wanted.
        for (const other of this.crds.list())
          if (asObj(other.spec).group === asObj(o.spec).group) this.enqueue(other);
      },
    });
  }

  /** The names the group's other resources hold: other CRDs' accepted ones, and the built-in kinds'. */
  private taken(crd: KubeObject): { resources: Set<string>; kinds: Set<string> } {
    const group = asObj(crd.spec).group;
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const other of this.crds.list()) {
      if (other.metadata?.name === crd.metadata?.name || asObj(other.spec).group !== group) continue;
      const n = asObj(asObj(other.status).acceptedNames) as Names;
      for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
      for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
    }
    for (const def of this.env.registry.all()) {
      if (def.group !== group || def.custom) continue;
      for (const r of [def.plural, def.singular, ...(def.shortNames ?? [])]) resources.add(r);
      kinds.add(def.kind);
      kinds.add(`${def.kind}List`);
    }
    return { resources, kinds };
  }

  protected async sync(name: string): Promise<void> {
    const crd = this.crds.get(undefined, name);
    if (!crd) {
      this.env.registry.replaceCustom(name, []);
      this.waits.delete(name);
      return;
    }
    if (crd.metadata?.deletionTimestamp) return this.finalize(crd);
    const next = acceptNames(crd, this.taken(crd), iso(this.clock.now()));
    let current = crd;
    if (JSON.stringify(next.status) !== JSON.stringify(crd.status))
      current = await this.client.updateStatus(Kinds.CustomResourceDefinition, next);
    this.env.registry.replaceCustom(
      name,
      isCrdCondition(current, 'Established') ? customResourceDefs(current) : [],
    );
  }

  /** Deletes the custom resources, then lets the CRD go (its kinds with it). */
  private async finalize(crd: KubeObject): Promise<void> {
    const name = crd.metadata!.name!;
    if (!(crd.metadata?.finalizers ?? []).includes(crdCleanupFinalizer)) return;
    const def = this.env.registry.all().find((d) => d.custom?.crd === name);
    const now = iso(this.clock.now());
    let remaining = 0;
    if (def) {
      const kind = { group: def.group, kind: def.kind };
      const progress = structuredClone(crd);
      setCrdCondition(
        progress,
        {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionInProgress',
          message: 'CustomResource deletion is in progress',
        },
        now,
      );
      let current = crd;
      if (JSON.stringify(progress.status) !== JSON.stringify(crd.status))
        current = await this.client.updateStatus(Kinds.CustomResourceDefinition, progress);
      // Served on (to be read and deleted), but no longer created.
      this.env.registry.replaceCustom(name, customResourceDefs(current));
      for (const o of (await this.client.list(kind)).items)
        if (!o.metadata?.deletionTimestamp)
          await this.client.delete(kind, o.metadata?.namespace, o.metadata!.name!);
      remaining = (await this.client.list(kind)).items.length;
    }
    if (remaining > 0) {
      // Resources held by finalizers: looked at again after a back-off until they are gone.
      const wait = Math.min((this.waits.get(name) ?? 50) * 2, 30_000);
      this.waits.set(name, wait);
      this.queue.addAfter(name, wait);
      return;
    }
    this.waits.delete(name);
    this.env.registry.replaceCustom(name, []);
    const fresh = await this.client.get(Kinds.CustomResourceDefinition, undefined, name);
    if (!fresh) return;
    await this.client.update(Kinds.CustomResourceDefinition, {
      ...fresh,
      metadata: {
        ...fresh.metadata,
        finalizers: (fresh.metadata?.finalizers ?? []).filter((f) => f !== crdCleanupFinalizer),
      },
    });
  }
}
