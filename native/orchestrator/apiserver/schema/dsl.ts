// A compact description of the kinds' schemas, written for Berth. The OpenAPI v3 documents
// (kubectl explain, client-side apply's merge keys), server-side field validation and strategic
// merge patch all read it.
//
// A field's type is a primitive (string, integer, int32, int64, number, boolean, byte, object for
// free-form JSON), a type name (resolved in the same package first, then among the shared ones),
// `[]T` for a list or `{}T` for a map with string keys.

export interface Field {
  type: string;
  desc: string;
  required?: boolean;
  enum?: string[];
  /** A list of objects keyed by these fields: list-type map, strategic merge on the first key. */
  keys?: string[];
  /** A list of unique scalars (list-type set, merged as a set). */
  set?: boolean;
  /** A list or map replaced whole (list-type atomic / map-type atomic). */
  atomic?: boolean;
  /** Strategic merge: the patch strategy when it is not implied by `keys`/`set`. */
  patch?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
  /** Strategic merge: the merge key when it differs from the first of `keys`. */
  mergeKey?: string;
  default?: unknown;
}

export interface TypeSchema {
  desc: string;
  fields: Record<string, Field>;
  /** Set on kinds: what x-kubernetes-group-version-kind names. */
  gvk?: { group: string; version: string; kind: string };
  /** Fields beyond those listed are kept (x-kubernetes-preserve-unknown-fields). */
  open?: boolean;
  /** The whole object is replaced by a patch (x-kubernetes-map-type: atomic). */
  atomic?: boolean;
  /** A scalar type with its own name (Quantity, Time…): what it is in OpenAPI. */
  scalar?: Record<string, unknown>;
}

export interface SchemaPackage {
  /** The OpenAPI name prefix: io.k8s.api.core.v1 */
  name: string;
  types: Record<string, TypeSchema>;
}

export const f = (type: string, desc: string, opts: Omit<Field, 'type' | 'desc'> = {}): Field => ({
  type,
  desc,
  ...opts,
});

/** A top-level kind: apiVersion, kind and metadata first, then its own fields. */
export function kind(
  group: string,
  version: string,
  name: string,
  desc: string,
  fields: Record<string, Field>,
): TypeSchema {
  return {
    desc,
    gvk: { group, version, kind: name },
    fields: {
      apiVersion: f('string', 'The versioned schema of this object, as group/version.'),
      kind: f('string', 'The type of this object, in CamelCase.'),
      metadata: f('ObjectMeta', "The object's standard metadata: name, namespace, labels, annotations…"),
      ...fields,
    },
  };
}

export const primitives = new Set([
  'string',
  'integer',
  'int32',
  'int64',
  'number',
  'boolean',
  'byte',
  'object',
]);
