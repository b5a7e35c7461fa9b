// The pods/binding subresource: how a scheduler assigns a pod to a node (a POST of a core/v1 Binding),
// as kube-apiserver's BindingREST does it — the pod's spec.nodeName set once (409 when it already has
// one, or is being deleted, or still has scheduling gates), the Binding's annotations merged into the
// pod's, and the PodScheduled condition set True, in one compare-and-swap of the stored pod.
import type http from 'node:http';
import { StoreError } from '../../store/store.ts';
import { type ApiContext, isDryRun, type Scope } from '../context.ts';
import { readObject, sendJson } from '../http.ts';
import { fromStored, toStored } from '../objects.ts';
import { type KubeObject, type SubresourceHandler, storeKey } from '../registry.ts';
import {
  badRequest,
  conflict,
  type FieldError,
  invalid,
  methodNotAllowed,
  notFound,
  type Status,
} from '../status.ts';
import { notSupported, required } from '../validation.ts';
import { timestamp } from './write.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

const bindingConflict = (name: string, why: string) =>
  conflict({ group: '', resource: 'pods/binding' }, name, why);

/** Sets the PodScheduled condition True (lastTransitionTime only when its status changes). */
function markScheduled(pod: KubeObject, now: string): void {
  pod.status ??= {};
  const status = pod.status;
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Obj[]) : [];
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  const old = i >= 0 ? conditions[i] : undefined;
  const next: Obj = {
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now,
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  status.conditions = conditions;
}

/** Binds the pod `scope.name` to the Binding's target node; resolves to the Status kube-apiserver returns. */
export async function bindPod(ctx: ApiContext, scope: Scope, body: Obj): Promise<Status> {
  if (body.kind !== undefined && body.kind !== 'Binding')
    throw badRequest(`not a Binding object: ${String(body.kind)}`);
  const meta = asObj(body.metadata);
  if (meta.name !== scope.name) throw badRequest('name in URL does not match name in Binding object');
  if (meta.namespace !== undefined && meta.namespace !== scope.namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const target = asObj(body.target);
  const errs: FieldError[] = [];
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node')
    errs.push(notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (typeof target.name !== 'string' || !target.name) errs.push(required('target.name'));
  if (errs.length) throw invalid('Binding', '', scope.name ?? '', errs);
  const node = String(target.name);
  const name = scope.name!;
  const key = storeKey(scope.def, scope.namespace, name);
  for (;;) {
    const current = await ctx.store.get(key);
    if (!current) throw notFound({ group: '', resource: 'pods' }, name);
    const pod = fromStored(scope.def, current);
    pod.metadata ??= {};
    pod.spec ??= {};
    const podMeta = pod.metadata;
    const spec = pod.spec;
    if (meta.uid && meta.uid !== podMeta.uid)
      throw bindingConflict(
        name,
        `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${podMeta.uid}`,
      );
    if (meta.resourceVersion && meta.resourceVersion !== podMeta.resourceVersion)
      throw bindingConflict(
        name,
        `Precondition failed: ResourceVersion in precondition: ${String(meta.resourceVersion)}, ResourceVersion in object meta: ${podMeta.resourceVersion}`,
      );
    if (podMeta.deletionTimestamp)
      throw bindingConflict(name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName)
      throw bindingConflict(name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length)
      throw bindingConflict(name, `pod ${name} has non-empty .spec.schedulingGates`);
    spec.nodeName = node;
    const annotations = asObj(meta.annotations);
    if (Object.keys(annotations).length)
      podMeta.annotations = { ...podMeta.annotations, ...(annotations as Record<string, string>) };
    markScheduled(pod, timestamp(ctx));
    if (!isDryRun(scope)) {
      try {
        await ctx.store.update(key, toStored(scope.def, pod), current.revision);
      } catch (err) {
        if (err instanceof StoreError && (err.kind === 'conflict' || err.kind === 'not-found')) continue;
        throw err;
      }
    }
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }
}

/** POST /api/v1/namespaces/<ns>/pods/<name>/binding. */
export const bindingHandler: SubresourceHandler = {
  kind: { group: '', version: 'v1', kind: 'Binding' },
  verbs: ['create'],
  async serve(ctx: ApiContext, scope: Scope, req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.method !== 'POST') throw methodNotAllowed();
    const status = await bindPod(ctx, scope, await readObject(req));
    sendJson(res, 201, status);
  },
};
