// Objects between the store and the wire: the stored form carries no resourceVersion (the store's
// revision is it), and kinds served by two APIs convert to and from one stored form.
import { randomBytes } from 'node:crypto';
import type { StoredObject } from '../store/store.ts';
import type { Scope } from './context.ts';
import {
  apiVersionOf,
  canonical,
  copyJson,
  type KubeObject,
  type ResourceDef,
  sameJson,
} from './registry.ts';
import { badRequest } from './status.ts';

/**
 * The object as the API serves it. With `shared`, the stored value is the watch cache's and is not
 * copied: the result shares its parts, and must only be read.
 */
export function fromStored(def: ResourceDef, stored: StoredObject, shared = false): KubeObject {
  let value = (shared && !def.storage ? stored.value : copyJson(stored.value)) as KubeObject;
  if (def.storage) value = def.storage.fromStored(value);
  const { apiVersion: _a, kind: _k, metadata, ...rest } = value;
  return {
    apiVersion: apiVersionOf(def),
    kind: def.kind,
    metadata: { ...metadata, resourceVersion: String(stored.revision) },
    ...rest,
  };
}

export function toStored(def: ResourceDef, obj: KubeObject): KubeObject {
  let value = copyJson(obj);
  value.metadata = { ...value.metadata };
  delete value.metadata.resourceVersion;
  delete value.metadata.selfLink;
  if (def.storage) value = def.storage.toStored(value);
  return value;
}

/** The API version and kind a body states must be this resource's (they may be left out). */
export function checkTypeMeta(def: ResourceDef, body: Record<string, unknown>): void {
  const want = apiVersionOf(def);
  if (body.apiVersion !== undefined && body.apiVersion !== want)
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`,
    );
  if (body.kind !== undefined && body.kind !== def.kind)
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${def.kind})`,
    );
}

/** The namespace a body states must be the URL's; a cluster-scoped object has none. */
export function settleNamespace(scope: Scope, obj: KubeObject): void {
  obj.metadata ??= {};
  const meta = obj.metadata;
  if (!scope.def.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && meta.namespace !== scope.namespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  meta.namespace = scope.namespace;
}

// Kubernetes' generateName alphabet: no vowels (no words), no look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function generateSuffix(): string {
  const bytes = randomBytes(5);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export const specPart = (o: KubeObject): string => {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return canonical(rest);
};

/** Equal once resourceVersion (and managedFields' times) are left aside: a no-op write is skipped. */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return sameJson(strip(a), strip(b));
}
