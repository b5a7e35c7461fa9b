// The orchestrator's in-process client: how the controllers, the scheduler and the kubelet read and
// write the cluster's objects. It calls the API server's own handlers (defaults, validation,
// admission, generation, resourceVersion compare-and-swap) with a Scope built here instead of parsed
// from a URL, so an object a controller writes is exactly what kubectl would have got from the same
// request, without an HTTPS hop, a serialisation or a token. Errors are the API server's ApiErrors
// (status.ts): a caller checks `reason` ('NotFound', 'Conflict', 'AlreadyExists'…).
import type { UserInfo } from '../apiserver/authn.ts';
import type { ApiContext, Scope } from '../apiserver/context.ts';
import { fromStored } from '../apiserver/objects.ts';
import type { KubeObject, ResourceDef } from '../apiserver/registry.ts';
import { copyJson, storeKey } from '../apiserver/registry.ts';
import { bindPod } from '../apiserver/rest/binding.ts';
import { type DeleteOptions, deleteObject } from '../apiserver/rest/delete.ts';
import { getObject, listObjects } from '../apiserver/rest/read.ts';
import { createObject, updateObject } from '../apiserver/rest/write.ts';
import { ApiError } from '../apiserver/status.ts';
import { StoreError } from '../store/store.ts';

/** A kind as the registry knows it: its API group ('' for core) and its Kind. */
export interface KindRef {
  group: string;
  kind: string;
}

export const Kinds = {
  Namespace: { group: '', kind: 'Namespace' },
  Node: { group: '', kind: 'Node' },
  Pod: { group: '', kind: 'Pod' },
  Service: { group: '', kind: 'Service' },
  Endpoints: { group: '', kind: 'Endpoints' },
  ConfigMap: { group: '', kind: 'ConfigMap' },
  Secret: { group: '', kind: 'Secret' },
  ServiceAccount: { group: '', kind: 'ServiceAccount' },
  Event: { group: '', kind: 'Event' },
  PersistentVolumeClaim: { group: '', kind: 'PersistentVolumeClaim' },
  PersistentVolume: { group: '', kind: 'PersistentVolume' },
  StorageClass: { group: 'storage.k8s.io', kind: 'StorageClass' },
  EndpointSlice: { group: 'discovery.k8s.io', kind: 'EndpointSlice' },
  Deployment: { group: 'apps', kind: 'Deployment' },
  ReplicaSet: { group: 'apps', kind: 'ReplicaSet' },
  StatefulSet: { group: 'apps', kind: 'StatefulSet' },
  DaemonSet: { group: 'apps', kind: 'DaemonSet' },
  ControllerRevision: { group: 'apps', kind: 'ControllerRevision' },
  Job: { group: 'batch', kind: 'Job' },
  CronJob: { group: 'batch', kind: 'CronJob' },
  HorizontalPodAutoscaler: { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  Lease: { group: 'coordination.k8s.io', kind: 'Lease' },
  PodDisruptionBudget: { group: 'policy', kind: 'PodDisruptionBudget' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  CustomResourceDefinition: { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
} as const satisfies Record<string, KindRef>;

export interface ListOptions {
  /** Absent: every namespace (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

export type ClientWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  /** Every change up to this resourceVersion has been delivered. */
  | { type: 'BOOKMARK'; resourceVersion: string };

/** What an orchestrator part may do with objects. */
export interface KubeClient {
  /** undefined when absent. */
  get(kind: KindRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(kind: KindRef, opts?: ListOptions): Promise<ObjectList>;
  create(kind: KindRef, obj: KubeObject): Promise<KubeObject>;
  /** A PUT: the object's metadata.resourceVersion, when set, must be current (Conflict otherwise). */
  update(kind: KindRef, obj: KubeObject): Promise<KubeObject>;
  /** A PUT of the status subresource. */
  updateStatus(kind: KindRef, obj: KubeObject): Promise<KubeObject>;
  /**
   * A POST of a core/v1 Binding to pods/binding (client-go's Pods().Bind): assigns the pod named by
   * its metadata to target.name; Conflict when the pod already has a node or is being deleted.
   */
  bind(binding: KubeObject): Promise<void>;
  /**
   * A PUT of a namespace's finalize subresource: its spec.finalizers become the object's; the last one
   * gone from a namespace being deleted deletes it.
   */
  finalize(obj: KubeObject): Promise<KubeObject>;
  /**
   * A PUT of a pod's ephemeralcontainers subresource (client-go's UpdateEphemeralContainers): its
   * spec.ephemeralContainers become the pod's, which only ever adds debug containers.
   */
  updateEphemeralContainers(pod: KubeObject): Promise<KubeObject>;
  /** Deletes (or marks for deletion: finalizers, grace periods); resolves when done, also when already gone. */
  delete(kind: KindRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<void>;
  /**
   * Every change after `resourceVersion`, until `signal` aborts. Throws an ApiError with reason
   * 'Expired' (410) when that version is compacted: list again.
   */
  watch(
    kind: KindRef,
    resourceVersion: string,
    signal: AbortSignal,
    opts?: { namespace?: string },
  ): AsyncIterable<ClientWatchEvent>;
}

/** Who the orchestrator's own writes are from (as kube-controller-manager's are). */
const systemUser: UserInfo = { name: 'system:kube-controller-manager', groups: ['system:masters'] };

/** The client over the API server's handlers and store, in the same process. */
export class LocalClient implements KubeClient {
  constructor(
    private readonly ctx: ApiContext,
    private readonly user: UserInfo = systemUser,
  ) {}

  private def(kind: KindRef): ResourceDef {
    const def = this.ctx.registry.byKind(kind.group, kind.kind);
    if (!def) throw new Error(`no kind ${kind.kind} in group "${kind.group}"`);
    return def;
  }

  private scope(def: ResourceDef, namespace?: string, name?: string, extra: Partial<Scope> = {}): Scope {
    return {
      def,
      namespace: def.namespaced ? namespace : undefined,
      name,
      query: new URLSearchParams(),
      user: this.user,
      rendering: { as: 'object' },
      warnings: [],
      ...extra,
    };
  }

  async get(kind: KindRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await getObject(this.ctx, this.scope(this.def(kind), namespace, name));
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  }

  async list(kind: KindRef, opts: ListOptions = {}): Promise<ObjectList> {
    const query = new URLSearchParams();
    if (opts.labelSelector) query.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) query.set('fieldSelector', opts.fieldSelector);
    const page = await listObjects(
      this.ctx,
      this.scope(this.def(kind), opts.namespace, undefined, { query }),
    );
    // Listed objects may be the watch cache's own: the caller gets copies it may change.
    return { items: page.items.map((o) => copyJson(o)), resourceVersion: String(page.revision) };
  }

  create(kind: KindRef, obj: KubeObject): Promise<KubeObject> {
    const def = this.def(kind);
    return createObject(this.ctx, this.scope(def, obj.metadata?.namespace), obj);
  }

  update(kind: KindRef, obj: KubeObject): Promise<KubeObject> {
    const def = this.def(kind);
    return updateObject(this.ctx, this.scope(def, obj.metadata?.namespace, obj.metadata?.name), obj);
  }

  updateStatus(kind: KindRef, obj: KubeObject): Promise<KubeObject> {
    const def = this.def(kind);
    return updateObject(
      this.ctx,
      this.scope(def, obj.metadata?.namespace, obj.metadata?.name, { subresource: 'status' }),
      obj,
    );
  }

  updateEphemeralContainers(pod: KubeObject): Promise<KubeObject> {
    const def = this.def(Kinds.Pod);
    return updateObject(
      this.ctx,
      this.scope(def, pod.metadata?.namespace, pod.metadata?.name, { subresource: 'ephemeralcontainers' }),
      pod,
    );
  }

  async bind(binding: KubeObject): Promise<void> {
    const def = this.def(Kinds.Pod);
    const meta = binding.metadata ?? {};
    await bindPod(this.ctx, this.scope(def, meta.namespace, meta.name, { subresource: 'binding' }), binding);
  }

  finalize(obj: KubeObject): Promise<KubeObject> {
    const def = this.def(Kinds.Namespace);
    return updateObject(
      this.ctx,
      this.scope(def, undefined, obj.metadata?.name, { subresource: 'finalize' }),
      obj,
    );
  }

  async delete(
    kind: KindRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<void> {
    try {
      await deleteObject(this.ctx, this.scope(this.def(kind), namespace, name), opts);
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') return;
      throw err;
    }
  }

  async *watch(
    kind: KindRef,
    resourceVersion: string,
    signal: AbortSignal,
    opts: { namespace?: string } = {},
  ): AsyncIterable<ClientWatchEvent> {
    const def = this.def(kind);
    const prefix = storeKey(def, def.namespaced ? opts.namespace : undefined);
    try {
      for await (const e of this.ctx.store.watch(prefix, Number(resourceVersion), signal)) {
        if (e.type === 'PROGRESS') yield { type: 'BOOKMARK', resourceVersion: String(e.revision) };
        else if (e.type === 'DELETED') {
          const obj = fromStored(def, e.object);
          yield { type: 'DELETED', object: obj };
        } else yield { type: e.type, object: fromStored(def, e.object) };
      }
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'gone')
        throw new ApiError(410, 'Expired', `too old resource version: ${resourceVersion}`);
      throw err;
    }
  }
}
