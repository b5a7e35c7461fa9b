// The garbage collector, after kube-controller-manager's: a graph of objects and their
// ownerReferences, kept from the informers of the kinds in `collectedKinds` (and of custom resources). When an owner goes, its
// dependents are looked at: one with no owner left is deleted (in the background, or as its own
// finalizers say); one whose owner is being deleted in the foreground is deleted in the foreground
// too. An owner deleted with propagationPolicy=Foreground (the `foregroundDeletion` finalizer, which
// rest/delete.ts records) stays until no dependent that blocks its deletion is left, then loses the
// finalizer; one deleted with Orphan (the `orphan` finalizer) has its dependents' references to it
// removed, then loses the finalizer. An owner's existence is confirmed with a live GET before a
// dependent goes, so an informer that lags never makes the collector delete a live object's children.
import type { KubeObject, OwnerReference } from '../apiserver/registry.ts';
import type { KindRef, KubeClient } from '../client/client.ts';
import { Kinds } from '../client/client.ts';
import type { Informers } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { isConflict, isNotFound } from './common.ts';

/** The kinds the collector watches, as owners and as dependents (those the registry serves): one place to grow it. */
export const collectedKinds: KindRef[] = [
  Kinds.Pod,
  Kinds.ReplicaSet,
  Kinds.Deployment,
  Kinds.StatefulSet,
  Kinds.DaemonSet,
  Kinds.ControllerRevision,
  Kinds.Job,
  Kinds.CronJob,
  Kinds.Service,
  Kinds.EndpointSlice,
  Kinds.PersistentVolumeClaim,
];

interface GraphNode {
  kind: KindRef;
  namespace?: string;
  name: string;
  uid: string;
  owners: OwnerReference[];
  /** Being deleted in the foreground: waits for its blocking dependents. */
  deletingDependents: boolean;
  beingDeleted: boolean;
}

const hasFinalizer = (o: KubeObject | undefined, f: string) => !!o?.metadata?.finalizers?.includes(f);
const waitingFor = (o: KubeObject | undefined, f: string) =>
  !!o?.metadata?.deletionTimestamp && hasFinalizer(o, f);

export class GarbageCollector implements ClusterPart {
  readonly name = 'garbage-collector';
  private readonly nodes = new Map<string, GraphNode>();
  /** owner uid → dependent uids. */
  private readonly dependents = new Map<string, Set<string>>();
  private client!: KubeClient;
  private informers!: Informers;
  private env!: PartEnv;
  private deleteQueue!: WorkQueue;
  private orphanQueue!: WorkQueue;
  /** The custom kinds watched (`group/Kind`), and those whose CRD went. */
  private readonly customKinds = new Map<string, KindRef>();
  private readonly goneKinds = new Set<string>();
  private stopped = false;

  async start(env: PartEnv): Promise<void> {
    this.env = env;
    this.client = env.client;
    this.informers = env.informers;
    this.deleteQueue = new WorkQueue('garbage-collector', (uid) => this.attemptToDelete(uid), {
      clock: env.clock,
      log: env.log,
    });
    this.orphanQueue = new WorkQueue('garbage-collector-orphan', (uid) => this.orphan(uid), {
      clock: env.clock,
      log: env.log,
    });
    // A kind not served (yet) is left out rather than watched in vain.
    for (const kind of collectedKinds.filter((k) => env.registry.byKind(k.group, k.kind))) this.watch(kind);
    this.followCustomKinds();
    env.registry.onChange(() => this.followCustomKinds());
    await this.informers.synced();
  }

  private watch(kind: KindRef): void {
    this.informers.for(kind).on({
      add: (o) => this.observe(kind, o, undefined),
      update: (o, old) => this.observe(kind, o, old),
      delete: (o) => this.removed(o),
    });
  }

  /**
   * Custom resources are owners and dependents too, watched while their CRD serves them. When a kind
   * goes (its CRD deleted, which deletes its objects first), what the graph still holds of it is gone,
   * and so are owners of that kind a dependent names.
   */
  private followCustomKinds(): void {
    if (this.stopped) return;
    const served = new Map<string, KindRef>();
    for (const d of this.env.registry.all())
      if (d.custom) served.set(`${d.group}/${d.kind}`, { group: d.group, kind: d.kind });
    for (const [id, kind] of served)
      if (!this.customKinds.has(id)) {
        this.customKinds.set(id, kind);
        this.goneKinds.delete(id);
        this.watch(kind);
      }
    for (const [id, kind] of this.customKinds) {
      if (served.has(id)) continue;
      this.customKinds.delete(id);
      this.goneKinds.add(id);
      for (const o of this.informers.for(kind).list()) this.removed(o);
      this.informers.drop(kind);
    }
  }

  stop(): void {
    this.stopped = true;
    this.deleteQueue?.stop();
    this.orphanQueue?.stop();
  }

  async idle(): Promise<void> {
    await Promise.all([this.deleteQueue.idle(), this.orphanQueue.idle()]);
  }

  private observe(kind: KindRef, o: KubeObject, old: KubeObject | undefined): void {
    const meta = o.metadata ?? {};
    const uid = meta.uid!;
    const owners = meta.ownerReferences ?? [];
    const before = this.nodes.get(uid);
    const node: GraphNode = {
      kind,
      namespace: meta.namespace,
      name: meta.name!,
      uid,
      owners,
      beingDeleted: !!meta.deletionTimestamp,
      deletingDependents: waitingFor(o, 'foregroundDeletion'),
    };
    this.nodes.set(uid, node);
    const oldOwners = new Set((before?.owners ?? []).map((r) => r.uid));
    const newOwners = new Set(owners.map((r) => r.uid));
    for (const ref of before?.owners ?? []) {
      if (newOwners.has(ref.uid)) continue;
      this.dependents.get(ref.uid)?.delete(uid);
      // A dependent that stopped blocking may be what a foreground deletion waits for.
      if (this.nodes.get(ref.uid)?.deletingDependents) this.deleteQueue.add(ref.uid);
    }
    let dangling = false;
    for (const ref of owners) {
      const deps = this.dependents.get(ref.uid) ?? new Set<string>();
      this.dependents.set(ref.uid, deps);
      deps.add(uid);
      if (!oldOwners.has(ref.uid) && !this.nodes.has(ref.uid)) dangling = true;
    }
    // An owner the graph does not know: gone already, or of a kind not watched. A live look decides.
    if (dangling) this.deleteQueue.add(uid);
    if (waitingFor(o, 'orphan') && !waitingFor(old, 'orphan')) this.orphanQueue.add(uid);
    else if (node.deletingDependents && !waitingFor(old, 'foregroundDeletion')) {
      for (const dep of this.dependents.get(uid) ?? []) this.deleteQueue.add(dep);
      this.deleteQueue.add(uid);
    }
  }

  private removed(o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const node = this.nodes.get(uid);
    this.nodes.delete(uid);
    for (const dep of this.dependents.get(uid) ?? []) this.deleteQueue.add(dep);
    for (const ref of node?.owners ?? []) {
      const deps = this.dependents.get(ref.uid);
      deps?.delete(uid);
      if (deps?.size === 0 && !this.nodes.has(ref.uid)) this.dependents.delete(ref.uid);
      if (this.nodes.get(ref.uid)?.deletingDependents) this.deleteQueue.add(ref.uid);
    }
    // The dependents index of a gone owner stays until its dependents are gone or let go of it.
    if (!this.dependents.get(uid)?.size) this.dependents.delete(uid);
  }

  private cached(node: GraphNode): KubeObject | undefined {
    const o = this.informers.for(node.kind).get(node.namespace, node.name);
    return o?.metadata?.uid === node.uid ? o : undefined;
  }

  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const latest = this.cached(node);
    if (!latest) return;
    if (node.beingDeleted && !node.deletingDependents) return;
    if (node.deletingDependents) return this.processDeletingDependents(node);
    const refs = latest.metadata?.ownerReferences ?? [];
    if (!refs.length) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const state = await this.ownerState(node, ref);
      if (state === 'absent') dangling.push(ref);
      else if (state === 'deleting-dependents') waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      return this.updateOwners(node, (owners) => owners.filter((r) => !drop.has(r.uid)));
    }
    if (waiting.length && this.dependents.get(uid)?.size) {
      // The owner goes in the foreground and so does this dependent, with its own dependents first.
      return this.deleteNode(node, 'Foreground');
    }
    const policy = hasFinalizer(latest, 'orphan')
      ? 'Orphan'
      : hasFinalizer(latest, 'foregroundDeletion')
        ? 'Foreground'
        : 'Background';
    await this.deleteNode(node, policy);
  }

  /** Whether an owner is there: the graph first, then a live GET (the graph may lag or not watch its kind). */
  private async ownerState(
    node: GraphNode,
    ref: OwnerReference,
  ): Promise<'absent' | 'present' | 'deleting-dependents'> {
    const known = this.nodes.get(ref.uid);
    if (known) return known.deletingDependents ? 'deleting-dependents' : 'present';
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const def = this.env.registry.byKind(group, ref.kind);
    // A custom kind whose CRD went took its objects with it.
    if (!def && this.goneKinds.has(`${group}/${ref.kind}`)) return 'absent';
    // A kind this server does not serve: never a reason to delete anything.
    if (!def) return 'present';
    if (def.namespaced && !node.namespace) return 'present';
    const owner = await this.client.get(
      { group, kind: ref.kind },
      def.namespaced ? node.namespace : undefined,
      ref.name,
    );
    if (owner?.metadata?.uid !== ref.uid) return 'absent';
    return waitingFor(owner, 'foregroundDeletion') ? 'deleting-dependents' : 'present';
  }

  private async processDeletingDependents(owner: GraphNode): Promise<void> {
    const blocking = [...(this.dependents.get(owner.uid) ?? [])]
      .map((uid) => this.nodes.get(uid))
      .filter(
        (dep): dep is GraphNode =>
          !!dep?.owners.some((r) => r.uid === owner.uid && r.blockOwnerDeletion === true),
      );
    if (!blocking.length) return this.removeFinalizer(owner, 'foregroundDeletion');
    for (const dep of blocking) if (!dep.deletingDependents) this.deleteQueue.add(dep.uid);
  }

  private async orphan(uid: string): Promise<void> {
    const owner = this.nodes.get(uid);
    if (!owner) return;
    for (const depUid of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.nodes.get(depUid);
      if (dep) await this.updateOwners(dep, (owners) => owners.filter((r) => r.uid !== uid));
    }
    await this.removeFinalizer(owner, 'orphan');
  }

  private async deleteNode(node: GraphNode, propagationPolicy: string): Promise<void> {
    await this.client.delete(node.kind, node.namespace, node.name, {
      propagationPolicy,
      preconditions: { uid: node.uid },
    });
  }

  /** Rewrites an object's ownerReferences on its latest version. */
  private updateOwners(node: GraphNode, change: (owners: OwnerReference[]) => OwnerReference[]) {
    return this.rewrite(node, (fresh) => {
      const before = fresh.metadata?.ownerReferences ?? [];
      const after = change(before);
      if (after.length === before.length) return undefined;
      const metadata: KubeObject['metadata'] = { ...fresh.metadata, ownerReferences: after };
      if (!after.length) delete metadata.ownerReferences;
      return { ...fresh, metadata };
    });
  }

  private removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    return this.rewrite(node, (fresh) => {
      if (!hasFinalizer(fresh, finalizer)) return undefined;
      const finalizers = fresh.metadata!.finalizers!.filter((f) => f !== finalizer);
      return { ...fresh, metadata: { ...fresh.metadata, finalizers } };
    });
  }

  /**
   * Applies `change` to the object's latest version and writes it; a conflict (a controller wrote it
   * meanwhile) reads it again, a few times, before the queue's back-off takes over.
   */
  private async rewrite(
    node: GraphNode,
    change: (fresh: KubeObject) => KubeObject | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const fresh = await this.client.get(node.kind, node.namespace, node.name);
      if (fresh?.metadata?.uid !== node.uid) return;
      const next = change(fresh);
      if (!next) return;
      try {
        await this.client.update(node.kind, next);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }
}
