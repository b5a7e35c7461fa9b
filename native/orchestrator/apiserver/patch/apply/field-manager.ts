// The API server's side of managedFields: which part of an object a write through the main resource
// or a subresource is tracked on (never the server's own metadata; status apart from spec where the
// kind has a status subresource), and the entries an Update or an Apply leaves.
import type { KubeObject, ResourceDef } from '../../registry.ts';
import { clone, isObject, type JsonObject } from '../json.ts';
import { jsonSchemaShape, type Shape, type Shapes } from '../shape.ts';
import {
  decodeManaged,
  encodeManaged,
  type ManagedFieldsEntry,
  recordApply,
  recordUpdate,
  type Writer,
} from './managed.ts';

/** Metadata the server owns: never part of a manager's fields, kept from the live object by apply. */
const serverMeta = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
] as const;

export interface Write {
  def: ResourceDef;
  subresource?: string;
  manager: string;
  time: string;
}

export class FieldManager {
  constructor(private readonly shapes: Shapes) {}

  private readonly custom = new WeakMap<ResourceDef, Shape>();

  shape(def: ResourceDef): Shape {
    if (!def.custom) return this.shapes.forKind(def.group, def.version, def.kind);
    let shape = this.custom.get(def);
    if (!shape) {
      shape = jsonSchemaShape(this.shapes, def.custom.schema);
      this.custom.set(def, shape);
    }
    return shape;
  }

  /** The shape of autoscaling/v1 Scale, which scale subresources patch. */
  scaleShape(): Shape {
    return this.shapes.forKind('autoscaling', 'v1', 'Scale');
  }

  /** The part of `obj` a write through `subresource` is tracked on. */
  tracked(obj: KubeObject | undefined, def: ResourceDef, subresource?: string): JsonObject {
    if (!obj) return {};
    const o = clone(obj) as JsonObject;
    delete o.apiVersion;
    delete o.kind;
    if (isObject(o.metadata)) {
      for (const k of serverMeta) delete o.metadata[k];
      if (Object.keys(o.metadata).length === 0) delete o.metadata;
    }
    if (def.subresources?.status) {
      if (subresource === 'status') return o.status === undefined ? {} : { status: o.status };
      delete o.status;
    }
    return o;
  }

  private writer(w: Write, def: ResourceDef): Writer {
    return {
      manager: w.manager,
      apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
      subresource: w.subresource,
      time: w.time,
    };
  }

  /** managedFields after `old` (undefined: a create) became `obj` by an Update of `w.manager`. */
  update(w: Write, old: KubeObject | undefined, obj: KubeObject): ManagedFieldsEntry[] {
    // As kube-apiserver: managedFields a client sends replace the live ones, `[{}]` resets them, and
    // none (or none readable) keeps the live ones, so clients that know nothing of them lose nothing.
    const sent = obj.metadata?.managedFields;
    const reset =
      Array.isArray(sent) && sent.length === 1 && isObject(sent[0]) && Object.keys(sent[0]).length === 0;
    const fromRequest = reset ? new Map() : decodeManaged(sent);
    const base = reset || fromRequest.size ? fromRequest : decodeManaged(old?.metadata?.managedFields);
    const shape = this.shape(w.def);
    const managers = recordUpdate(
      base,
      this.tracked(old, w.def, w.subresource),
      this.tracked(obj, w.def, w.subresource),
      shape,
      this.writer(w, w.def),
    );
    return encodeManaged(managers);
  }

  /**
   * The object an Apply of `config` over `live` (undefined: none yet) makes, its managedFields set.
   * Throws ApplyConflicts.
   */
  apply(w: Write, live: KubeObject | undefined, config: KubeObject, force: boolean): KubeObject {
    const shape = this.shape(w.def);
    const result = recordApply(
      decodeManaged(live?.metadata?.managedFields),
      this.tracked(live, w.def, w.subresource),
      this.tracked(config, w.def, w.subresource),
      shape,
      this.writer(w, w.def),
      force,
    );
    const base = clone(live ?? ({ apiVersion: config.apiVersion, kind: config.kind } as KubeObject));
    const meta: Record<string, unknown> = {};
    for (const k of serverMeta) {
      const v = live ? live.metadata?.[k] : config.metadata?.[k];
      if (v !== undefined) meta[k] = v;
    }
    let out: KubeObject;
    if (w.def.subresources?.status && w.subresource === 'status')
      out = { ...base, status: result.object.status as KubeObject['status'] };
    else {
      out = { apiVersion: base.apiVersion, kind: base.kind, ...(result.object as KubeObject) };
      if (w.def.subresources?.status && base.status !== undefined) out.status = base.status;
    }
    out.metadata = { ...(out.metadata ?? {}), ...meta, managedFields: encodeManaged(result.managers) };
    if (w.subresource === 'status')
      out.metadata = { ...base.metadata, managedFields: out.metadata.managedFields };
    return out;
  }
}
