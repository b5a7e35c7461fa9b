// The kinds a CustomResourceDefinition serves: one ResourceDef per served version, built from the
// CRD's accepted names and that version's schema, subresources and printer columns. Every version
// shares one storage (`/registry/<group>/<plural>/…`) holding the storage version; with conversion
// None an object read in another version is the same object with its apiVersion rewritten.
import type { Store } from '../../store/store.ts';
import { fromStored } from '../objects.ts';
import {
  canonical,
  type KubeObject,
  type Registry,
  type ResourceDef,
  storeKey,
  type TableColumn,
} from '../registry.ts';
import { isCrdCondition } from '../resources/apiextensions.ts';
import { fieldPath } from '../selectors.ts';
import { ageColumn, humanDuration, nameColumn } from '../table.ts';
import { findAll, parseJsonPath } from './jsonpath.ts';
import { applyDefaults, type JsonSchema, prune, validate } from './structural.ts';
import { type CrdNames, type CrdSpec, type CrdVersion, crdSpec, storageVersion } from './validation.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

const versionRe = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (CompareKubeAwareVersionStrings): GA before beta before alpha, higher
 * numbers first, then anything else alphabetically. Discovery lists versions so; the first is preferred.
 */
export function compareVersions(a: string, b: string): number {
  const ma = versionRe.exec(a);
  const mb = versionRe.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** A printer column's cell, as the table convertor types it (a date prints as an age). */
function printerCell(
  type: string,
  steps: ReturnType<typeof parseJsonPath>,
): (o: KubeObject, now: number) => string | number | boolean | null {
  return (o, now) => {
    const value = findAll(o, steps)[0];
    if (value === undefined || value === null) return null;
    switch (type) {
      case 'string':
        return typeof value === 'object' ? JSON.stringify(value) : String(value);
      case 'integer':
        return typeof value === 'number' ? Math.trunc(value) : null;
      case 'number':
        return typeof value === 'number' ? value : null;
      case 'boolean':
        return typeof value === 'boolean' ? value : null;
      case 'date': {
        if (typeof value !== 'string') return null;
        const t = Date.parse(value);
        return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
      }
      default:
        return null;
    }
  };
}

function tableOf(version: CrdVersion): TableColumn[] {
  const cols = version.additionalPrinterColumns ?? [];
  if (cols.length === 0) return [nameColumn, ageColumn];
  return [
    nameColumn,
    ...cols.map(
      (c): TableColumn => ({
        name: c.name,
        type: c.type as TableColumn['type'],
        format: c.format ?? '',
        description: c.description ?? '',
        priority: (c.priority ?? 0) > 0 ? 1 : 0,
        cell: printerCell(c.type, parseJsonPath(c.jsonPath)),
      }),
    ),
  ];
}

/** The schema /openapi/v3 serves for the kind: the CRD's, with apiVersion, kind and metadata as Kubernetes adds them. */
function openapiSchema(schema: JsonSchema, group: string, version: string, kind: string): Obj {
  const props = { ...asObj(schema.properties) };
  props.apiVersion = {
    type: 'string',
    description:
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
  };
  props.kind = {
    type: 'string',
    description:
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.',
  };
  props.metadata = {
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    description:
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  };
  return {
    ...schema,
    type: 'object',
    properties: props,
    'x-kubernetes-group-version-kind': [{ group, version, kind }],
  };
}

/** What an object is once pruned and defaulted by its schema (the stored form of what was sent). */
export function normalise(obj: KubeObject, schema: JsonSchema): string[] {
  const pruned = prune(obj, schema);
  applyDefaults(obj, schema);
  return pruned;
}

const withoutMeta = (o: KubeObject) => {
  const { metadata: _m, ...rest } = o;
  return canonical(rest);
};

/** One version's ResourceDef. */
export function customResourceDef(crd: KubeObject, version: CrdVersion): ResourceDef {
  const terminating = isCrdCondition(crd, 'Terminating');
  const spec = crdSpec(crd);
  const names = { ...spec.names, ...(asObj(asObj(crd.status).acceptedNames) as Partial<CrdNames>) };
  const schema = version.schema?.openAPIV3Schema ?? { type: 'object' };
  const stored = storageVersion(spec) ?? version.name;
  const sub = version.subresources ?? {};
  const hasStatus = sub.status !== undefined;
  const scale = sub.scale;
  const apiVersionStored = `${spec.group}/${stored}`;
  return {
    group: spec.group,
    version: version.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames?.length ? [...names.shortNames] : undefined,
    categories: names.categories?.length ? [...names.categories] : undefined,
    subresources: {
      status: hasStatus,
      scale: scale
        ? {
            specReplicasPath: scale.specReplicasPath.replace(/^\./, ''),
            statusReplicasPath: scale.statusReplicasPath.replace(/^\./, ''),
            labelSelectorPath: (scale.labelSelectorPath ?? '').replace(/^\./, ''),
          }
        : undefined,
    },
    storage: {
      resource: `${spec.group}/${names.plural}`,
      fromStored: (o) => o,
      toStored: (o) => ({ ...o, apiVersion: apiVersionStored }),
    },
    listKind: names.listKind,
    // selectableFields: field selectors beyond metadata.name and metadata.namespace.
    fieldSelectors: Object.fromEntries(
      (version.selectableFields ?? []).map((f) => {
        const path = f.jsonPath.replace(/^\./, '');
        return [path, fieldPath(path)];
      }),
    ),
    tracksGeneration: true,
    table: tableOf(version),
    strategy: {
      defaults: (o) => void normalise(o, schema),
      // A custom resource with a status subresource starts without one, whatever the create said.
      initialStatus: hasStatus ? () => undefined : undefined,
      validate: (o) => validate(o, schema),
      // With a status subresource the generation counts spec changes; without, anything but metadata.
      generationChanged: hasStatus ? undefined : (o, old) => withoutMeta(o) !== withoutMeta(old),
    },
    custom: {
      crd: crd.metadata?.name ?? '',
      schema,
      openapi: openapiSchema(schema, spec.group, version.name, names.kind),
      unknownFields: (obj) => prune(structuredClone(obj), schema),
      terminating,
      deprecationWarning: version.deprecated
        ? (version.deprecationWarning ?? `${spec.group}/${version.name} ${names.kind} is deprecated`)
        : undefined,
    },
  };
}

/** Every served version's def, in Kubernetes' version priority (the preferred version first). */
export function customResourceDefs(crd: KubeObject): ResourceDef[] {
  const spec = crdSpec(crd) as CrdSpec | undefined;
  if (!spec?.versions) return [];
  return spec.versions
    .filter((v) => v.served)
    .sort((a, b) => compareVersions(a.name, b.name))
    .map((v) => customResourceDef(crd, v));
}

/**
 * The kinds of every Established CRD in the store, registered before the API answers (after a
 * restart the custom resources are served from the first request, not once the controller ran).
 */
export async function serveStoredCustomResources(store: Store, registry: Registry): Promise<void> {
  const crdDef = registry.byKind('apiextensions.k8s.io', 'CustomResourceDefinition');
  if (!crdDef) return;
  for (const s of (await store.list(storeKey(crdDef, undefined))).items) {
    const crd = fromStored(crdDef, s);
    if (isCrdCondition(crd, 'Established'))
      registry.replaceCustom(crd.metadata?.name ?? '', customResourceDefs(crd));
  }
}
