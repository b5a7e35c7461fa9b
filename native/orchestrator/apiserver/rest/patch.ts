// PATCH: JSON patch, merge patch, strategic merge patch and server-side apply of an object, its status
// or its scale. The patch is applied to the stored object and the result takes the same path as a PUT
// (updateObjectWith: defaults, managedFields, validation, admission, resourceVersion precondition,
// no write when nothing changed); apply creates an object that does not exist yet.
import type http from 'node:http';
import { parseDocument } from 'yaml';
import { type ApiContext, fieldManagerOf, type Scope } from '../context.ts';
import { readRaw } from '../http.ts';
import { checkTypeMeta } from '../objects.ts';
import { pathString } from '../patch/apply/fieldset.ts';
import { ApplyConflicts, printManager } from '../patch/apply/managed.ts';
import { isObject, type Json, type JsonObject } from '../patch/json.ts';
import {
  applyJsonPatch,
  decodeJsonPatch,
  JsonPatchApplyError,
  JsonPatchDecodeError,
} from '../patch/json-patch.ts';
import { mergePatch } from '../patch/merge-patch.ts';
import { StrategicPatchError, strategicMerge } from '../patch/strategic.ts';
import { apiVersionOf, type KubeObject } from '../registry.ts';
import { ApiError, badRequest, invalid, notFound, unsupportedMediaType } from '../status.ts';
import { qualified } from './read.ts';
import { type ScaleObject, writeScale } from './scale.ts';
import { checkFields, createObject, timestamp, updateObjectWith } from './write.ts';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export type PatchType = (typeof patchTypes)[number];

const applyType: PatchType = 'application/apply-patch+yaml';

/** The 422 kube-apiserver answers a JSON patch that does not apply with (it keeps the reason to itself). */
const patchNotApplied = () =>
  new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});

const invalidOptions = (field: string, type: 'FieldValueRequired' | 'FieldValueForbidden', detail: string) =>
  invalid('PatchOptions', 'meta.k8s.io', '', [{ field, type, detail }]);

/** Go's encoding/json words for a body that is not JSON, which kubectl prints as they come. */
function goJsonError(raw: string, err: unknown): string {
  const msg = String((err as Error).message);
  const token =
    /Unexpected token '?(.)'?,/.exec(msg)?.[1] ?? raw[Number(/position (\d+)/.exec(msg)?.[1] ?? -1)];
  if (!token || /end of JSON input/.test(msg)) return 'unexpected end of JSON input';
  return `invalid character '${token}' looking for beginning of value`;
}

function parseJson(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch (err) {
    throw badRequest(goJsonError(raw, err));
  }
}

/** The apply body (YAML, or JSON as kubectl sends it); a repeated key fails only under Strict. */
function parseApply(scope: Scope, raw: string): JsonObject {
  const strict = scope.query.get('fieldValidation') === 'Strict';
  const doc = parseDocument(raw, { uniqueKeys: false });
  if (doc.errors.length) throw badRequest(`error decoding YAML: ${doc.errors[0].message}`);
  const value = doc.toJS() as unknown;
  if (!isObject(value)) throw badRequest('error decoding YAML: the object provided is not a map');
  const dup = parseDocument(raw, { uniqueKeys: true, prettyErrors: false }).errors.find(
    (e) => e.code === 'DUPLICATE_KEY',
  );
  if (dup) {
    const line = raw.slice(0, dup.pos[0]).split('\n').length;
    const key = /"?([^"\s]+)"?\s*:?\s*$/.exec(raw.slice(0, dup.pos[1]))?.[1] ?? '';
    const msg = `error converting YAML to JSON: yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`;
    if (strict) throw badRequest(`error strict decoding YAML: ${msg}`);
    if (scope.query.get('fieldValidation') !== 'Ignore') scope.warnings.push(msg);
  }
  return value;
}

/** Patch options kube-apiserver checks before anything else. */
function checkOptions(scope: Scope, type: PatchType): void {
  const force = scope.query.get('force');
  if (type === applyType) {
    if (!scope.query.get('fieldManager'))
      throw invalidOptions('fieldManager', 'FieldValueRequired', 'is required for apply patch');
  } else if (force !== null)
    throw invalidOptions('force', 'FieldValueForbidden', 'may not be specified for non-apply patch');
  const manager = scope.query.get('fieldManager') ?? '';
  if (manager.length > 128)
    throw invalid('PatchOptions', 'meta.k8s.io', '', [
      { field: 'fieldManager', type: 'FieldValueTooLong', detail: 'may not be more than 128 characters' },
    ]);
}

/** A function that applies the request's patch to a JSON document (the object, or its Scale). */
function patcher(
  ctx: ApiContext,
  scope: Scope,
  type: PatchType,
  raw: string,
): (doc: JsonObject) => JsonObject {
  switch (type) {
    case 'application/json-patch+json': {
      let ops: ReturnType<typeof decodeJsonPatch>;
      try {
        ops = decodeJsonPatch(parseJson(raw));
      } catch (err) {
        if (err instanceof JsonPatchDecodeError) throw badRequest(err.message);
        throw err;
      }
      if (ops.length > 10000)
        throw new ApiError(
          413,
          'RequestEntityTooLarge',
          `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${ops.length}`,
        );
      return (doc) => {
        try {
          const out = applyJsonPatch(doc, ops);
          if (!isObject(out)) throw patchNotApplied();
          return out;
        } catch (err) {
          if (err instanceof JsonPatchApplyError) throw patchNotApplied();
          throw err;
        }
      };
    }
    case 'application/merge-patch+json': {
      let patch: Json;
      try {
        patch = JSON.parse(raw) as Json;
      } catch {
        throw badRequest('Invalid JSON Patch');
      }
      if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
      return (doc) => mergePatch(doc, patch) as JsonObject;
    }
    case 'application/strategic-merge-patch+json': {
      const patch = parseJson(raw);
      if (!isObject(patch))
        throw badRequest(
          `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`,
        );
      const shape = scope.subresource === 'scale' ? ctx.fields?.scaleShape() : ctx.fields?.shape(scope.def);
      return (doc) => {
        try {
          return shape ? strategicMerge(doc, patch, shape) : (mergePatch(doc, patch) as JsonObject);
        } catch (err) {
          if (err instanceof StrategicPatchError) throw badRequest(err.message);
          throw err;
        }
      };
    }
    case 'application/apply-patch+yaml': {
      // A Scale is applied as a merge of the configuration: it has no managedFields of its own.
      const config = parseApply(scope, raw);
      return (doc) => mergePatch(doc, config) as JsonObject;
    }
  }
}

export async function patchResource(
  ctx: ApiContext,
  scope: Scope,
  req: http.IncomingMessage,
): Promise<{ code: 200 | 201; object: KubeObject | ScaleObject }> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() as PatchType;
  // Custom resources have no strategic merge keys: kube-apiserver refuses that patch type for them.
  const accepted: readonly PatchType[] = scope.def.custom
    ? patchTypes.filter((t) => t !== 'application/strategic-merge-patch+json')
    : patchTypes;
  if (!accepted.includes(type)) throw unsupportedMediaType([...accepted]);
  checkOptions(scope, type);
  const raw = (await readRaw(req)).toString('utf8');
  if (scope.subresource === 'scale') {
    const patch = patcher(ctx, scope, type, raw);
    const object = await writeScale(
      ctx,
      scope,
      (current) => patch(current as unknown as JsonObject) as Partial<ScaleObject>,
    );
    return { code: 200, object };
  }
  if (type === applyType && ctx.fields) return serverSideApply(ctx, scope, parseApply(scope, raw));
  const patch = patcher(ctx, scope, type, raw);
  const object = await updateObjectWith(ctx, scope, (old) => {
    const patched = patch(old as JsonObject) as KubeObject;
    checkTypeMeta(scope.def, patched);
    if (!scope.subresource) checkFields(ctx, scope, patched);
    return patched;
  });
  return { code: 200, object };
}

async function serverSideApply(
  ctx: ApiContext,
  scope: Scope,
  config: JsonObject,
): Promise<{ code: 200 | 201; object: KubeObject }> {
  const fields = ctx.fields!;
  const def = scope.def;
  checkTypeMeta(def, config);
  if (config.apiVersion === undefined || config.kind === undefined)
    throw badRequest(
      `invalid object type: ${String(config.apiVersion ?? '')}, Kind=${String(config.kind ?? '')}`,
    );
  const unknown = ctx.unknownFields?.(def, config) ?? [];
  if (unknown.length)
    throw badRequest(
      `failed to create typed patch object (${scope.namespace ? `${scope.namespace}/` : ''}${scope.name}; ${apiVersionOf(def)}, Kind=${def.kind}): .${unknown[0]}: field not declared in schema`,
    );
  const name = (config.metadata as KubeObject['metadata'])?.name;
  if (name !== scope.name)
    throw badRequest(
      `the name of the object (${name ?? ''}) does not match the name on the URL (${scope.name})`,
    );
  const write = { def, subresource: scope.subresource, manager: fieldManagerOf(scope), time: timestamp(ctx) };
  const force = ['true', '1'].includes(scope.query.get('force') ?? '');
  const applied = (live: KubeObject | undefined) => {
    try {
      return fields.apply(write, live, config as KubeObject, force);
    } catch (err) {
      if (err instanceof ApplyConflicts)
        throw new ApiError(409, 'Conflict', err.message, {
          causes: err.conflicts.map((c) => ({
            reason: 'FieldManagerConflict',
            message: `conflict with ${printManager(c.manager)}`,
            field: pathString(c.path),
          })),
        });
      throw err;
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await updateObjectWith(ctx, scope, (old) => applied(old), { settledFields: true });
      return { code: 200, object };
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404 && err.reason === 'NotFound') || scope.subresource)
        throw err;
      if (err.details?.name !== scope.name || err.message !== notFound(qualified(scope), scope.name!).message)
        throw err;
    }
    // No object yet: the apply creates it.
    try {
      const object = await createObject(ctx, scope, applied(undefined) as Record<string, unknown>, {
        settledFields: true,
      });
      return { code: 201, object };
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < 3) continue;
      throw err;
    }
  }
}
