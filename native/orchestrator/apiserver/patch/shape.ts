// The shape of a kind's objects as the merge algorithms need it, read from the schema description
// (schema/): which values are structs, maps, lists and scalars; how each list merges (a map keyed by
// fields, a set, atomic) and its strategic-merge strategy; which structs are atomic. Strategic merge
// patch, server-side apply and managedFields all walk objects through it.
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
