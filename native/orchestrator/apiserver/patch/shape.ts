// The shape of a kind's objects as the merge algorithms need it, read from the schema description
// (schema/): which values are structs, maps, lists and scalars; how each list merges (a map keyed by
// fields, a set, atomic) and its strategic-merge strategy; which structs are atomic. Strategic merge
// patch, server-side apply and managedFields all walk objects through it.
import type { JsonSchema } from '../crd/structural.ts';
import type { Field } from '../schema/dsl.ts';
import type { SchemaCatalog, TypeRef } from '../schema/index.ts';

export type ListType =
  | { type: 'atomic' }
  /** Unique scalars; `merge` when strategic merge unites them (finalizers) instead of replacing. */
  | { type: 'set'; merge: boolean }
  /** Objects keyed by `keys`; strategic merge matches on `mergeKey` when `merge`. */
  | {
      type: 'map';
      keys: string[];
      mergeKey: string;
      merge: boolean;
      /** Values of keys an element may leave out (containerPort's protocol: TCP). */
      defaults: Record<string, unknown>;
    };

export interface Shape {
  readonly kind: 'struct' | 'map' | 'list' | 'scalar' | 'any';
  /** A struct or map replaced whole. */
  readonly atomic: boolean;
  /** Strategic merge: the field is merged with `$retainKeys` (volumes' items, a deployment's strategy). */
  readonly retainKeys: boolean;
  readonly list?: ListType;
  /** The shape of a struct's field, a map's values or a list's items (any for unknown fields). */
  child(name: string): Shape;
  readonly elem: Shape;
}

const scalar: Shape = {
  kind: 'scalar',
  atomic: true,
  retainKeys: false,
  child: () => any,
  get elem() {
    return any;
  },
};

/** Free-form JSON (`object` fields, unknown fields): maps merge key by key, lists are atomic. */
const any: Shape = {
  kind: 'any',
  atomic: false,
  retainKeys: false,
  list: { type: 'atomic' },
  child: () => any,
  get elem() {
    return any;
  },
};

export class Shapes {
  private readonly cache = new Map<string, Shape>();

  constructor(readonly catalog: SchemaCatalog) {}

  /** The shape of a kind's objects; free-form when the kind has no schema. */
  forKind(group: string, version: string, kind: string): Shape {
    const full = this.catalog.forKind(group, version, kind);
    return full ? this.named(full) : any;
  }

  /** The shape of a named type (`io.k8s.api.autoscaling.v1.Scale`). */
  named(full: string): Shape {
    const cached = this.cache.get(full);
    if (cached) return cached;
    const t = this.catalog.get(full);
    if (!t) return any;
    if (t.scalar) return scalar;
    const fields = new Map<string, Shape>();
    const shape: Shape = {
      kind: 'struct',
      atomic: !!t.atomic,
      retainKeys: false,
      child: (name) => {
        const known = fields.get(name);
        if (known) return known;
        const field = t.fields[name];
        if (!field) return any;
        const s = this.field(field, full);
        fields.set(name, s);
        return s;
      },
      get elem() {
        return any;
      },
    };
    this.cache.set(full, shape);
    return shape;
  }

  private field(field: Field, from: string): Shape {
    const type = this.catalog.parse(field.type, from);
    const base = this.ref(type, from);
    const strategy = field.patch ?? '';
    if (type.kind === 'list') {
      const elemBase = base.elem;
      const elem = strategy.includes('retainKeys')
        ? { ...elemBase, retainKeys: true, child: elemBase.child }
        : elemBase;
      let list: ListType;
      if (field.keys) {
        const defaults: Record<string, unknown> = {};
        if (type.of.kind === 'named')
          for (const k of field.keys) {
            const d = this.catalog.get(type.of.full)?.fields[k]?.default;
            if (d !== undefined) defaults[k] = d;
          }
        list = {
          type: 'map',
          keys: field.keys,
          mergeKey: field.mergeKey ?? field.keys[0],
          merge: strategy !== 'replace',
          defaults,
        };
      } else if (field.set) list = { type: 'set', merge: strategy.includes('merge') };
      else list = { type: 'atomic' };
      return {
        kind: 'list',
        atomic: list.type === 'atomic',
        retainKeys: false,
        list,
        child: () => elem,
        elem,
      };
    }
    if (type.kind === 'map')
      return {
        ...base,
        atomic: !!field.atomic,
        child: base.child,
        get elem() {
          return base.elem;
        },
      };
    if (strategy.includes('retainKeys') && base.kind === 'struct')
      return {
        ...base,
        retainKeys: true,
        child: base.child,
        get elem() {
          return base.elem;
        },
      };
    return base;
  }

  private ref(type: TypeRef, from: string): Shape {
    switch (type.kind) {
      case 'primitive':
        return type.name === 'object' ? any : scalar;
      case 'named':
        return this.named(type.full);
      case 'list': {
        const elem = this.ref(type.of, from);
        return {
          kind: 'list',
          atomic: true,
          retainKeys: false,
          list: { type: 'atomic' },
          child: () => elem,
          elem,
        };
      }
      case 'map': {
        const elem = this.ref(type.of, from);
        return { kind: 'map', atomic: false, retainKeys: false, child: () => elem, elem };
      }
    }
  }
}

export const anyShape = any;

const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * The shape of a custom resource from its CRD's structural schema: properties are struct fields,
 * additionalProperties a map, `x-kubernetes-list-type`/`-list-map-keys` and `x-kubernetes-map-type`
 * say how lists and objects merge (atomic lists by default, as Kubernetes treats them); metadata is
 * ObjectMeta's at the root and in embedded resources.
 */
export function jsonSchemaShape(shapes: Shapes, schema: JsonSchema, root = true): Shape {
  const props = schema.properties;
  const extra = schema.additionalProperties;
  const embedded = root || !!schema['x-kubernetes-embedded-resource'];
  const atomicMap = schema['x-kubernetes-map-type'] === 'atomic';
  if (schema.type === 'array') {
    const elem = schema.items ? jsonSchemaShape(shapes, schema.items, false) : any;
    const listType = schema['x-kubernetes-list-type'];
    const list: ListType =
      listType === 'map'
        ? {
            type: 'map',
            keys: schema['x-kubernetes-list-map-keys'] ?? [],
            mergeKey: (schema['x-kubernetes-list-map-keys'] ?? [])[0] ?? '',
            merge: true,
            defaults: {},
          }
        : listType === 'set'
          ? { type: 'set', merge: true }
          : { type: 'atomic' };
    return { kind: 'list', atomic: list.type === 'atomic', retainKeys: false, list, child: () => elem, elem };
  }
  if (props) {
    const fields = new Map<string, Shape>();
    return {
      kind: 'struct',
      atomic: atomicMap,
      retainKeys: false,
      child: (name) => {
        const known = fields.get(name);
        if (known) return known;
        let made: Shape;
        if (embedded && name === 'metadata') made = shapes.named(objectMeta);
        else if (props[name]) made = jsonSchemaShape(shapes, props[name], false);
        else if (embedded && (name === 'apiVersion' || name === 'kind')) made = scalar;
        else return any;
        fields.set(name, made);
        return made;
      },
      get elem() {
        return any;
      },
    };
  }
  if (extra && typeof extra === 'object') {
    const elem = jsonSchemaShape(shapes, extra, false);
    return { kind: 'map', atomic: atomicMap, retainKeys: false, child: () => elem, elem };
  }
  // Free-form objects merge key by key; scalars (int-or-string too) are replaced.
  if (schema.type === 'object' || schema['x-kubernetes-preserve-unknown-fields']) return any;
  return scalar;
}
