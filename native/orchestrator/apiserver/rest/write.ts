// create and update (the object, its status, a namespace's finalize): the API server's bookkeeping
// (uid, creationTimestamp, generation, resourceVersion CAS, status kept apart from spec), then the
// kind's defaults, validation and admission, then the store.
import { randomUUID } from 'node:crypto';
import { StoreError } from '../../store/store.ts';
import { admit } from '../admission.ts';
import { type ApiContext, fieldManagerOf, isDryRun, type Scope } from '../context.ts';
import {
  checkTypeMeta,
  fromStored,
  generateSuffix,
  sameObject,
  settleNamespace,
  specPart,
  toStored,
} from '../objects.ts';
import { apiVersionOf, copyJson, type KubeObject, type Operation, storeKey } from '../registry.ts';
import {
  ApiError,
  alreadyExists,
  badRequest,
  type FieldError,
  invalid,
  notFound,
  staleObject,
} from '../status.ts';
import { validateMeta } from '../validation.ts';
import { qualified } from './read.ts';

export const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const timestamp = (ctx: ApiContext) => iso(ctx.clock.now());

/** Unknown fields under fieldValidation: Strict fail the request, Warn (the default) warn. */
export function checkFields(ctx: ApiContext, scope: Scope, body: Record<string, unknown>): void {
  const mode = scope.query.get('fieldValidation') ?? 'Warn';
  if (!['Ignore', 'Warn', 'Strict'].includes(mode))
    throw badRequest(`fieldValidation parameter unsupported: ${mode}. Must be one of Ignore, Warn or Strict`);
  if (mode === 'Ignore' || !ctx.unknownFields) return;
  const unknown = ctx.unknownFields(scope.def, body);
  if (unknown.length === 0) return;
  if (mode === 'Strict')
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  for (const f of unknown) scope.warnings.push(`unknown field "${f}"`);
}

function validate(scope: Scope, obj: KubeObject, old?: KubeObject): void {
  const def = scope.def;
  const errs: FieldError[] = [
    ...validateMeta(
      def,
      obj.metadata ?? {},
      def.nameRule ?? (def.nameIsLabel ? (def.kind === 'Service' ? 'label1035' : 'label') : 'subdomain'),
    ),
    ...(def.strategy.validate?.(obj, old, scope.subresource) ?? []),
  ];
  if (old?.metadata?.deletionTimestamp) {
    const added = (obj.metadata?.finalizers ?? []).filter(
      (f) => !(old.metadata?.finalizers ?? []).includes(f),
    );
    if (added.length)
      errs.push({
        field: 'metadata.finalizers',
        type: 'FieldValueForbidden',
        detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}`,
      });
  }
  if (errs.length) throw invalid(def.kind, def.group, obj.metadata?.name ?? '', errs);
}

async function admitChange(
  ctx: ApiContext,
  scope: Scope,
  operation: Operation,
  obj: KubeObject,
  old?: KubeObject,
) {
  await admit(ctx.admission, {
    operation,
    def: scope.def,
    namespace: scope.namespace,
    name: obj.metadata?.name ?? '',
    subresource: scope.subresource,
    object: obj,
    oldObject: old,
    dryRun: isDryRun(scope),
    user: scope.user,
  });
}

export interface WriteOptions {
  /** managedFields are already what they should be (an apply settled them), not an Update to record. */
  settledFields?: boolean;
}

/** An Update by the request's field manager, recorded in managedFields (when the server keeps them). */
function recordUpdate(ctx: ApiContext, scope: Scope, old: KubeObject | undefined, obj: KubeObject): void {
  const manager = fieldManagerOf(scope);
  if (!ctx.fields || !manager) return;
  const entries = ctx.fields.update(
    { def: scope.def, subresource: scope.subresource, manager, time: timestamp(ctx) },
    old,
    obj,
  );
  obj.metadata ??= {};
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

export async function createObject(
  ctx: ApiContext,
  scope: Scope,
  body: Record<string, unknown>,
  opts: WriteOptions = {},
): Promise<KubeObject> {
  const def = scope.def;
  if (def.custom?.terminating)
    throw new ApiError(
      405,
      'MethodNotAllowed',
      'create not allowed while custom resource definition is terminating',
    );
  checkTypeMeta(def, body);
  if (!opts.settledFields) checkFields(ctx, scope, body);
  const obj = copyJson(body) as KubeObject;
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
  settleNamespace(scope, obj);
  const meta = obj.metadata!;
  const generated = !meta.name && !!meta.generateName;
  for (const k of [
    'uid',
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
  ] as const)
    delete meta[k];
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(ctx);
  if (def.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (def.strategy.initialStatus) {
    const status = def.strategy.initialStatus(obj);
    if (status) obj.status = status;
    else delete obj.status;
  }
  for (let attempt = 0; ; attempt++) {
    if (generated) meta.name = meta.generateName + generateSuffix();
    def.strategy.defaults?.(obj);
    if (!opts.settledFields) recordUpdate(ctx, scope, undefined, obj);
    validate(scope, obj);
    if (attempt === 0) scope.warnings.push(...(def.strategy.warnings?.(obj) ?? []));
    await admitChange(ctx, scope, 'CREATE', obj);
    if (isDryRun(scope)) {
      const key = storeKey(def, scope.namespace, meta.name!);
      if (await ctx.store.get(key)) throw alreadyExists(qualified(scope), meta.name!);
      return fromStored(def, { key, value: toStored(def, obj), revision: 0 });
    }
    try {
      const stored = await ctx.store.create(storeKey(def, scope.namespace, meta.name!), toStored(def, obj));
      return fromStored(def, stored);
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'exists') {
        if (generated && attempt < 8) continue;
        throw alreadyExists(qualified(scope), meta.name!);
      }
      throw err;
    }
  }
}

/** The object after an update of `subresource` (undefined: the main resource) from `body`. */
function mergeUpdate(scope: Scope, old: KubeObject, body: KubeObject): KubeObject {
  const def = scope.def;
  if (scope.subresource === 'status') return { ...copyJson(old), status: body.status ?? {} };
  // Only the ephemeral containers change through pods/ephemeralcontainers; the rest is the stored pod.
  if (scope.subresource === 'ephemeralcontainers') {
    const obj = copyJson(old);
    obj.spec ??= {};
    const spec = obj.spec;
    const wanted = body.spec?.ephemeralContainers;
    if (Array.isArray(wanted) && wanted.length) spec.ephemeralContainers = copyJson(wanted);
    else delete spec.ephemeralContainers;
    return obj;
  }
  if (scope.subresource === 'finalize') {
    return {
      ...copyJson(old),
      spec: { ...old.spec, finalizers: (body.spec?.finalizers as unknown[]) ?? [] },
    };
  }
  const obj = copyJson(body);
  obj.metadata ??= {};
  const meta = obj.metadata;
  const oldMeta = old.metadata ?? {};
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.deletionTimestamp = oldMeta.deletionTimestamp;
  meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  meta.generation = oldMeta.generation;
  meta.namespace = oldMeta.namespace;
  meta.generateName ??= oldMeta.generateName;
  for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'generateName'] as const)
    if (meta[k] === undefined) delete meta[k];
  if (def.subresources?.status) {
    if (old.status === undefined) delete obj.status;
    else obj.status = old.status;
  }
  return obj;
}

export async function updateObject(
  ctx: ApiContext,
  scope: Scope,
  body: Record<string, unknown>,
): Promise<KubeObject> {
  checkTypeMeta(scope.def, body);
  if (!scope.subresource) checkFields(ctx, scope, body);
  return updateObjectWith(ctx, scope, () => copyJson(body) as KubeObject);
}

/**
 * An update whose new object `build` makes from the stored one (a PUT's body, a patch applied to it),
 * again from a fresh copy when another write got in first. A resourceVersion in the new object is a
 * precondition. Then the same path for every update: defaults, managedFields, validation, admission,
 * and the store unless nothing changed.
 */
export async function updateObjectWith(
  ctx: ApiContext,
  scope: Scope,
  build: (old: KubeObject) => KubeObject,
  opts: WriteOptions = {},
): Promise<KubeObject> {
  const def = scope.def;
  const key = storeKey(def, scope.namespace, scope.name!);
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.get(key);
    if (!current) throw notFound(qualified(scope), scope.name!);
    const old = fromStored(def, current);
    const bodyObj = build(copyJson(old));
    const name = bodyObj.metadata?.name;
    if (name !== scope.name)
      throw badRequest(
        `the name of the object (${name ?? ''}) does not match the name on the URL (${scope.name})`,
      );
    if (def.namespaced && bodyObj.metadata?.namespace && bodyObj.metadata.namespace !== scope.namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    const wanted = bodyObj.metadata?.resourceVersion;
    if (wanted && String(current.revision) !== wanted) throw staleObject(qualified(scope), scope.name!);
    const obj = mergeUpdate(scope, old, bodyObj);
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    if (!scope.subresource) def.strategy.prepareForUpdate?.(obj, old);
    def.strategy.defaults?.(obj);
    const generationChanged = def.strategy.generationChanged
      ? def.strategy.generationChanged(obj, old)
      : specPart(obj) !== specPart(old);
    if (def.tracksGeneration && generationChanged)
      obj.metadata!.generation = (old.metadata?.generation ?? 0) + 1;
    if (!opts.settledFields) recordUpdate(ctx, scope, old, obj);
    validate(scope, obj, old);
    if (!scope.subresource) scope.warnings.push(...(def.strategy.warnings?.(obj, old) ?? []));
    await admitChange(ctx, scope, 'UPDATE', obj, old);
    obj.metadata!.resourceVersion = old.metadata?.resourceVersion;
    if (sameObject(obj, old)) return old;
    const finished =
      !!obj.metadata?.deletionTimestamp &&
      (obj.metadata.finalizers ?? []).length === 0 &&
      !def.strategy.finalizing?.(obj);
    if (isDryRun(scope)) return obj;
    try {
      // The last finalizer gone from an object being deleted: the object goes.
      const stored = finished
        ? await ctx.store.delete(key, current.revision)
        : await ctx.store.update(key, toStored(def, obj), current.revision);
      return finished
        ? { ...obj, metadata: { ...obj.metadata, resourceVersion: String(stored.revision) } }
        : fromStored(def, stored);
    } catch (err) {
      // Another write got in first: build again on it (a stated resourceVersion then fails above).
      if (err instanceof StoreError && err.kind === 'conflict' && attempt < 5) continue;
      if (err instanceof StoreError && err.kind === 'conflict')
        throw staleObject(qualified(scope), scope.name!);
      if (err instanceof StoreError && err.kind === 'not-found') continue;
      throw err;
    }
  }
}
