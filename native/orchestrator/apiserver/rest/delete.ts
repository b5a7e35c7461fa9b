// delete and deletecollection. An object with finalizers, a grace period or something of its own to
// finish (a namespace) is marked (deletionTimestamp, deletionGracePeriodSeconds) and goes when that is
// done; otherwise it goes at once. propagationPolicy is recorded as the finalizers the garbage
// collector (later) acts on.
import { StoreError } from '../../store/store.ts';
import { admit } from '../admission.ts';
import { type ApiContext, isDryRun, type Scope } from '../context.ts';
import { fromStored, toStored } from '../objects.ts';
import { copyJson, type KubeObject, storeKey } from '../registry.ts';
import { type ApiError, conflict, invalid, notFound, staleObject } from '../status.ts';
import { listObjects, qualified } from './read.ts';
import { iso } from './write.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export function deleteOptions(scope: Scope, body: Record<string, unknown>): DeleteOptions {
  const q = scope.query;
  const opts: DeleteOptions = {
    gracePeriodSeconds: body.gracePeriodSeconds as number | undefined,
    propagationPolicy: body.propagationPolicy as string | undefined,
    preconditions: body.preconditions as DeleteOptions['preconditions'],
    orphanDependents: body.orphanDependents as boolean | undefined,
  };
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  const policies = ['Foreground', 'Background', 'Orphan'];
  if (opts.propagationPolicy !== undefined && !policies.includes(opts.propagationPolicy))
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [
      {
        field: 'propagationPolicy',
        type: 'FieldValueNotSupported',
        value: opts.propagationPolicy,
        detail: 'supported values: "Foreground", "Background", "Orphan"',
      },
    ]);
  if (
    opts.gracePeriodSeconds !== undefined &&
    (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)
  )
    opts.gracePeriodSeconds = 0;
  return opts;
}

export type DeleteResult = { gone: true; object: KubeObject } | { gone: false; object: KubeObject };

export async function deleteObject(
  ctx: ApiContext,
  scope: Scope,
  opts: DeleteOptions,
): Promise<DeleteResult> {
  const def = scope.def;
  const key = storeKey(def, scope.namespace, scope.name!);
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.get(key);
    if (!current) throw notFound(qualified(scope), scope.name!);
    const obj = fromStored(def, current);
    const meta = obj.metadata!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid)
      throw conflict(
        qualified(scope),
        scope.name!,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion)
      throw conflict(
        qualified(scope),
        scope.name!,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
      );
    await admit(ctx.admission, {
      operation: 'DELETE',
      def,
      namespace: scope.namespace,
      name: scope.name!,
      oldObject: obj,
      dryRun: isDryRun(scope),
      user: scope.user,
    });
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
    const finalizers = [...(meta.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion'))
      finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    const grace = def.strategy.gracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0;
    const lingers = finalizers.length > 0 || grace > 0 || !!def.strategy.finalizing?.(obj);
    try {
      if (!lingers) {
        if (isDryRun(scope)) return { gone: true, object: obj };
        const stored = await ctx.store.delete(key, current.revision);
        return {
          gone: true,
          object: { ...obj, metadata: { ...meta, resourceVersion: String(stored.revision) } },
        };
      }
      if (meta.deletionTimestamp) {
        // Already going: only a shorter grace period changes anything.
        if (
          (meta.deletionGracePeriodSeconds ?? 0) <= grace &&
          finalizers.length === (meta.finalizers ?? []).length
        )
          return { gone: false, object: obj };
      }
      const updated = copyJson(obj);
      const m = updated.metadata!;
      m.deletionTimestamp =
        meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= grace
          ? meta.deletionTimestamp
          : iso(ctx.clock.now() + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
      if (finalizers.length) m.finalizers = finalizers;
      if (def.tracksGeneration && m.generation) m.generation += 1;
      def.strategy.onDelete?.(updated);
      if (isDryRun(scope)) return { gone: false, object: updated };
      const stored = await ctx.store.update(key, toStored(def, updated), current.revision);
      return { gone: false, object: fromStored(def, stored) };
    } catch (err) {
      if (err instanceof StoreError && (err.kind === 'conflict' || err.kind === 'not-found') && attempt < 5)
        continue;
      if (err instanceof StoreError && err.kind === 'conflict')
        throw staleObject(qualified(scope), scope.name!);
      throw err;
    }
  }
}

/** The Status a plain delete answers with (pods answer with the object instead, as Kubernetes does). */
export function deletedStatus(scope: Scope, obj: KubeObject) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata?.name,
      group: scope.def.group || undefined,
      kind: scope.def.plural,
      uid: obj.metadata?.uid,
    },
  };
}

export async function deleteCollection(
  ctx: ApiContext,
  scope: Scope,
  opts: DeleteOptions,
): Promise<KubeObject[]> {
  const page = await listObjects(ctx, { ...scope, query: withoutPaging(scope.query) });
  const out: KubeObject[] = [];
  for (const item of page.items) {
    try {
      const r = await deleteObject(
        ctx,
        { ...scope, namespace: item.metadata?.namespace, name: item.metadata?.name },
        opts,
      );
      out.push(r.object);
    } catch (err) {
      if ((err as ApiError).code === 404) continue;
      throw err;
    }
  }
  return out;
}

function withoutPaging(q: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(q);
  copy.delete('limit');
  copy.delete('continue');
  return copy;
}
