// /openapi/v3: one OpenAPI 3.0 document per group-version, generated from the schema description,
// with the extensions kubectl reads (group-version-kind, list types and map keys, patch strategies),
// and the operations of each resource (kubectl finds server-side field validation through the
// fieldValidation parameter of PATCH).
import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry, type ResourceDef } from '../registry.ts';
import type { Field } from '../schema/dsl.ts';
import { SchemaCatalog, type TypeRef } from '../schema/index.ts';

type Json = Record<string, unknown>;

/** The name kube-apiserver gives a custom resource's schema: the group reversed (`com.example.stable.v1.CronTab`). */
export const customSchemaName = (def: Pick<ResourceDef, 'group' | 'version' | 'kind'>) =>
  `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`;

const ref = (full: string) => ({ $ref: `#/components/schemas/${full}` });

const primitiveSchemas: Record<string, Json> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int64' },
  int64: { type: 'integer', format: 'int64' },
  int32: { type: 'integer', format: 'int32' },
  number: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  byte: { type: 'string', format: 'byte' },
  object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

export class OpenApi {
  readonly catalog = new SchemaCatalog();
  private readonly docs = new Map<string, { doc: Json; hash: string }>();

  constructor(private readonly registry: Registry) {
    // Custom resources come and go: their group-versions' documents are built again when asked.
    registry.onChange(() => this.docs.clear());
  }

  /** The group-version paths: `api/v1`, `apis/apps/v1`… */
  groupVersions(): string[] {
    return [...this.registry.groups()].flatMap(([g, vs]) =>
      vs.map((v) => (g ? `apis/${g}/${v}` : `api/${v}`)),
    );
  }

  root(): Json {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of this.groupVersions())
      paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.build(gv).hash}` };
    return { paths };
  }

  document(gv: string): Json | undefined {
    if (!this.groupVersions().includes(gv)) return undefined;
    return this.build(gv).doc;
  }

  private build(gv: string): { doc: Json; hash: string } {
    const cached = this.docs.get(gv);
    if (cached) return cached;
    const parts = gv.split('/');
    const [group, version] = parts[0] === 'api' ? ['', parts[1]] : [parts[1], parts[2]];
    const defs = this.registry.inGroupVersion(group, version);
    const schemas: Record<string, Json> = {};
    const pending: string[] = [];
    const want = (full: string) => {
      if (!schemas[full] && !pending.includes(full)) pending.push(full);
    };
    for (const name of [
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
    ])
      want(name);
    const paths: Record<string, Json> = {};
    for (const def of defs) {
      if (def.custom) {
        const full = customSchemaName(def);
        schemas[full] = def.custom.openapi;
        want('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
        schemas[`${full}List`] = this.listSchema(def, full);
        if (def.subresources?.scale) want(this.catalog.forKind('autoscaling', 'v1', 'Scale')!);
        Object.assign(paths, this.paths(def, full));
        continue;
      }
      const full = this.catalog.forKind(def.group, def.version, def.kind);
      if (!full) throw new Error(`no schema for ${apiVersionOf(def)} ${def.kind}`);
      want(full);
      schemas[`${full}List`] = this.listSchema(def, full);
      if (def.subresources?.scale) want(this.catalog.forKind('autoscaling', 'v1', 'Scale')!);
      Object.assign(paths, this.paths(def, full));
    }
    while (pending.length) {
      const full = pending.shift()!;
      schemas[full] = this.typeSchema(full, want);
    }
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths,
      components: {
        schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1))),
      },
    };
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
    const built = { doc, hash };
    this.docs.set(gv, built);
    return built;
  }

  private typeSchema(full: string, want: (full: string) => void): Json {
    const t = this.catalog.get(full);
    if (!t) throw new Error(`unknown schema ${full}`);
    if (t.scalar) return { ...t.scalar, description: t.desc };
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const [name, field] of Object.entries(t.fields)) {
      properties[name] = this.fieldSchema(field, full, want);
      if (field.required) required.push(name);
    }
    const out: Json = { type: 'object', description: t.desc, properties };
    if (required.length) out.required = required;
    if (t.gvk) out['x-kubernetes-group-version-kind'] = [t.gvk];
    if (t.atomic) out['x-kubernetes-map-type'] = 'atomic';
    if (t.open) out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }

  private refSchema(type: TypeRef, want: (full: string) => void): Json {
    switch (type.kind) {
      case 'primitive':
        return { ...primitiveSchemas[type.name] };
      case 'named':
        want(type.full);
        return { allOf: [ref(type.full)] };
      case 'list':
        return { type: 'array', items: this.refSchema(type.of, want) };
      case 'map':
        return { type: 'object', additionalProperties: this.refSchema(type.of, want) };
    }
  }

  private fieldSchema(field: Field, from: string, want: (full: string) => void): Json {
    const type = this.catalog.parse(field.type, from);
    const s: Json = { ...this.refSchema(type, want), description: field.desc };
    if (field.enum) s.enum = field.enum;
    if (field.default !== undefined) s.default = field.default;
    if (type.kind === 'list') {
      if (field.keys) {
        s['x-kubernetes-list-type'] = 'map';
        s['x-kubernetes-list-map-keys'] = field.keys;
        s['x-kubernetes-patch-merge-key'] = field.mergeKey ?? field.keys[0];
        s['x-kubernetes-patch-strategy'] = field.patch ?? 'merge';
      } else if (field.set) {
        s['x-kubernetes-list-type'] = 'set';
        if (field.patch) s['x-kubernetes-patch-strategy'] = field.patch;
      } else if (field.atomic) s['x-kubernetes-list-type'] = 'atomic';
    } else {
      if (field.atomic && type.kind === 'map') s['x-kubernetes-map-type'] = 'atomic';
      if (field.patch) s['x-kubernetes-patch-strategy'] = field.patch;
    }
    return s;
  }

  private listSchema(def: ResourceDef, full: string): Json {
    return {
      type: 'object',
      description: `A list of ${def.kind} objects.`,
      required: ['items'],
      properties: {
        apiVersion: { type: 'string', description: 'The versioned schema of this object.' },
        kind: { type: 'string', description: `${def.kind}List.` },
        metadata: {
          allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')],
          description: 'Standard list metadata.',
        },
        items: { type: 'array', items: { allOf: [ref(full)] }, description: `The ${def.plural}.` },
      },
      'x-kubernetes-group-version-kind': [
        { group: def.group, version: def.version, kind: `${def.kind}List` },
      ],
    };
  }

  private paths(def: ResourceDef, full: string): Record<string, Json> {
    const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
    const collection = def.namespaced
      ? `${base}/namespaces/{namespace}/${def.plural}`
      : `${base}/${def.plural}`;
    const own = { group: def.group, version: def.version, kind: def.kind };
    let gvk = own;
    const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
    const op = (action: string, schema: string, params: string[] = []): Json => ({
      operationId: `${action}${def.kind}`,
      parameters: params.map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string', uniqueItems: true },
      })),
      responses: { '200': { description: 'OK', ...json(ref(schema)) } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const writeParams = ['dryRun', 'fieldManager', 'fieldValidation'];
    const status = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
    const pathParams = (names: string[]) =>
      names.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string', uniqueItems: true },
      }));
    const nsParams = def.namespaced ? ['namespace'] : [];
    const item = (schema: string, patchable: boolean): Json => ({
      parameters: pathParams(['name', ...nsParams]),
      get: op('get', schema),
      put: { ...op('put', schema, writeParams), requestBody: json(ref(schema)) },
      ...(patchable
        ? {
            patch: {
              ...op('patch', schema, [...writeParams, 'force']),
              requestBody: {
                content: Object.fromEntries(
                  [
                    'application/apply-patch+yaml',
                    'application/json-patch+json',
                    'application/merge-patch+json',
                    'application/strategic-merge-patch+json',
                  ]
                    .filter((t) => !def.custom || !t.startsWith('application/strategic'))
                    .map((t) => [t, { schema: { type: 'object' } }]),
                ),
              },
            },
          }
        : {}),
    });
    const out: Record<string, Json> = {
      [collection]: {
        parameters: pathParams(nsParams),
        get: op('list', `${full}List`, [
          'labelSelector',
          'fieldSelector',
          'limit',
          'continue',
          'resourceVersion',
          'watch',
        ]),
        post: { ...op('post', full, writeParams), requestBody: json(ref(full)) },
        delete: op('deletecollection', status),
      },
      [`${collection}/{name}`]: {
        ...item(full, true),
        delete: op('delete', status, ['dryRun', 'gracePeriodSeconds', 'propagationPolicy']),
      },
    };
    if (def.namespaced)
      out[`${base}/${def.plural}`] = {
        get: op('list', `${full}List`, ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch']),
      };
    if (def.subresources?.status) out[`${collection}/{name}/status`] = item(full, true);
    if (def.subresources?.scale) {
      gvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
      out[`${collection}/{name}/scale`] = item(this.catalog.forKind('autoscaling', 'v1', 'Scale')!, true);
      gvk = own;
    }
    return out;
  }
}
