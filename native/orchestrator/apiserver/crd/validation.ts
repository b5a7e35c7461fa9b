// CustomResourceDefinition defaulting and validation, as apiextensions-apiserver's (SetDefaults_* and
// ValidateCustomResourceDefinition): names, scope, versions (exactly one storage version), structural
// schemas (required in v1), subresources, printer columns and conversion, in Kubernetes' words.
import type { KubeObject } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { invalidValue, isSubdomain, label1035Msg, notSupported, required } from '../validation.ts';
import type { JsonSchema } from './structural.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const label1035Re = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** utilvalidation.IsDNS1035Label's messages, joined as apiextensions joins them. */
function dns1035(v: string): string | undefined {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!label1035Re.test(v)) errs.push(label1035Msg);
  return errs.length ? errs.join(',') : undefined;
}

export const printerColumnTypes = ['boolean', 'date', 'integer', 'number', 'string'];

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: {
    status?: Obj;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  selectableFields?: { jsonPath: string }[];
  additionalPrinterColumns?: {
    name: string;
    type: string;
    format?: string;
    description?: string;
    priority?: number;
    jsonPath: string;
  }[];
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
  conversion?: { strategy: string; webhook?: Obj };
  preserveUnknownFields?: boolean;
}

export const crdSpec = (o: KubeObject) => o.spec as unknown as CrdSpec;

/** SetDefaults_CustomResourceDefinition and its spec's and versions' defaults. */
export function defaultCrd(o: KubeObject): void {
  const spec = asObj(o.spec);
  o.spec = spec;
  const names = asObj(spec.names);
  spec.names = names;
  if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!names.listKind && typeof names.kind === 'string') names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  const conversion = asObj(spec.conversion);
  if (conversion.strategy === 'Webhook') {
    const webhook = asObj(conversion.webhook);
    const cfg = asObj(webhook.clientConfig);
    const svc = cfg.service === undefined ? undefined : asObj(cfg.service);
    if (svc) svc.port ??= 443;
  }
}

/** The storage version: the one marked storage (validation makes it exactly one). */
export const storageVersion = (spec: CrdSpec) => spec.versions.find((v) => v.storage)?.name;

/** The JSONPath kube-apiserver accepts for printer columns and scale paths: `.a.b` (simple), also `.a[0]`. */
function jsonPathProblem(p: string): string | undefined {
  if (!p.startsWith('.')) return 'must be a simple json path starting with .';
  return undefined;
}

function validateNames(names: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const plural = String(names.plural ?? '');
  const singular = String(names.singular ?? '');
  const kind = String(names.kind ?? '');
  const listKind = String(names.listKind ?? '');
  if (!plural) errs.push({ ...required(`${at}.plural`), detail: '' });
  else {
    const p = dns1035(plural);
    if (p) errs.push(invalidValue(`${at}.plural`, plural, p));
  }
  if (!singular) errs.push({ ...required(`${at}.singular`), detail: '' });
  else {
    const p = dns1035(singular);
    if (p) errs.push(invalidValue(`${at}.singular`, singular, p));
  }
  if (!kind) errs.push({ ...required(`${at}.kind`), detail: '' });
  else {
    const p = dns1035(kind.toLowerCase());
    if (p)
      errs.push(invalidValue(`${at}.kind`, kind, `may have mixed case, but should otherwise match: ${p}`));
  }
  if (!listKind) errs.push({ ...required(`${at}.listKind`), detail: '' });
  else {
    const p = dns1035(listKind.toLowerCase());
    if (p)
      errs.push(
        invalidValue(`${at}.listKind`, listKind, `may have mixed case, but should otherwise match: ${p}`),
      );
    else if (listKind === kind)
      errs.push(invalidValue(`${at}.listKind`, listKind, 'kind and listKind may not be the same'));
  }
  for (const [field, values] of [
    ['shortNames', names.shortNames],
    ['categories', names.categories],
  ] as const)
    (Array.isArray(values) ? values : []).forEach((v, i) => {
      const p = dns1035(String(v));
      if (p) errs.push(invalidValue(`${at}.${field}[${i}]`, v, p));
    });
  return errs;
}

const schemaTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/**
 * The structural rules (a type everywhere but where int-or-string or preserve-unknown-fields stand for
 * it; object at the root; metadata only name and generateName), as NonStructuralSchema's causes and
 * the v1 validation name them.
 */
function validateStructural(s: JsonSchema, at: string, root: boolean, errs: FieldError[]): void {
  if (!s || typeof s !== 'object') return;
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (s.type === undefined) {
    if (root) errs.push({ ...required(`${at}.type`), detail: 'must not be empty at the root' });
    else if (!intOrString && !preserve)
      errs.push({ ...required(`${at}.type`), detail: 'must not be empty for specified object fields' });
  } else if (!schemaTypes.includes(s.type)) errs.push(notSupported(`${at}.type`, s.type, schemaTypes));
  else if (root && s.type !== 'object')
    errs.push(invalidValue(`${at}.type`, s.type, 'must be object at the root'));
  if (intOrString && s.type !== undefined)
    errs.push({
      field: `${at}.type`,
      type: 'FieldValueForbidden',
      detail: 'must be empty to be structural when x-kubernetes-int-or-string is true',
    });
  if (s.type === 'array' && !s.items) errs.push({ ...required(`${at}.items`), detail: 'must be specified' });
  validateSchemaRules(s, at, root, errs);
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push({
      field: `${at}.additionalProperties`,
      type: 'FieldValueForbidden',
      detail: 'additionalProperties and properties are mutual exclusive',
    });
  if (root && s.properties?.metadata) {
    const meta = s.properties.metadata;
    for (const k of Object.keys(meta.properties ?? {}))
      if (k !== 'name' && k !== 'generateName')
        errs.push({
          field: `${at}.properties[metadata].properties[${k}]`,
          type: 'FieldValueForbidden',
          detail: 'must not be specified',
        });
  }
  for (const [k, p] of Object.entries(s.properties ?? {}))
    validateStructural(p, `${at}.properties[${k}]`, false, errs);
  if (s.items && typeof s.items === 'object') validateStructural(s.items, `${at}.items`, false, errs);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    validateStructural(s.additionalProperties, `${at}.additionalProperties`, false, errs);
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType))
    errs.push(notSupported(`${at}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  if (listType === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length)
    errs.push({
      ...required(`${at}.x-kubernetes-list-map-keys`),
      detail: 'must not be empty if x-kubernetes-list-type is map',
    });
}

/** The rules ValidateCustomResourceDefinitionOpenAPISchema adds to structural ones, in its words. */
function validateSchemaRules(s: JsonSchema, at: string, root: boolean, errs: FieldError[]): void {
  if (root && s.nullable)
    errs.push({
      field: `${at}.nullable`,
      type: 'FieldValueForbidden',
      detail: 'nullable cannot be true at the root',
    });
  if (s.uniqueItems === true)
    errs.push({
      field: `${at}.uniqueItems`,
      type: 'FieldValueForbidden',
      detail: 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    });
  for (const key of ['id', '$ref', 'patternProperties', 'definitions', 'dependencies', 'additionalItems'])
    if ((s as Record<string, unknown>)[key] !== undefined)
      errs.push({ field: `${at}.${key}`, type: 'FieldValueForbidden', detail: `${key} is not supported` });
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    errs.push(invalidValue(`${at}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const mapOnly = 'must be map if x-kubernetes-list-map-keys is non-empty';
  if (keys.length && listType !== 'map')
    errs.push(
      listType === undefined
        ? { ...required(`${at}.x-kubernetes-list-type`), detail: mapOnly }
        : invalidValue(`${at}.x-kubernetes-list-type`, listType, mapOnly),
    );
  if (listType === 'map' && s.items) {
    const item = s.items;
    if (item.type !== 'object')
      errs.push(
        invalidValue(
          `${at}.items.type`,
          item.type ?? '',
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    else
      for (const k of keys) {
        const prop = item.properties?.[k];
        if (!prop) {
          errs.push({
            ...invalidValue(
              `${at}.x-kubernetes-list-map-keys`,
              '',
              'entries must all be names of item properties',
            ),
            goValue: `[]string{${keys.map((x) => JSON.stringify(x)).join(', ')}}`,
          });
          continue;
        }
        if (!(item.required ?? []).includes(k) && prop.default === undefined)
          errs.push({
            ...required(`${at}.items.properties[${k}].default`),
            detail:
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
          });
      }
  }
  s['x-kubernetes-validations']?.forEach((rule, i) => {
    if (!String(rule.rule ?? '').trim())
      errs.push({
        ...required(`${at}.x-kubernetes-validations[${i}].rule`),
        detail: 'rule is not specified',
      });
  });
}

function validateVersion(v: Obj, at: string, errs: FieldError[]): void {
  const schema = asObj(v.schema).openAPIV3Schema as JsonSchema | undefined;
  if (!schema) errs.push({ ...required(`${at}.schema.openAPIV3Schema`), detail: 'schemas are required' });
  else validateStructural(schema, `${at}.schema.openAPIV3Schema`, true, errs);
  const scale = asObj(v.subresources).scale;
  if (scale !== undefined) {
    const sc = asObj(scale);
    const sat = `${at}.subresources.scale`;
    const spec = String(sc.specReplicasPath ?? '');
    const status = String(sc.statusReplicasPath ?? '');
    if (!spec) errs.push({ ...required(`${sat}.specReplicasPath`), detail: '' });
    else if (!spec.startsWith('.spec.'))
      errs.push(invalidValue(`${sat}.specReplicasPath`, spec, 'should be a json path under .spec'));
    if (!status) errs.push({ ...required(`${sat}.statusReplicasPath`), detail: '' });
    else if (!status.startsWith('.status.'))
      errs.push(invalidValue(`${sat}.statusReplicasPath`, status, 'should be a json path under .status'));
    const sel = sc.labelSelectorPath;
    if (sel !== undefined && !/^\.(spec|status)\./.test(String(sel)))
      errs.push(
        invalidValue(`${sat}.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'),
      );
  }
  const selectable = asList(v.selectableFields);
  if (selectable.length > 8)
    errs.push({
      field: `${at}.selectableFields`,
      type: 'FieldValueTooMany',
      value: selectable.length,
      detail: 'must have at most 8 items',
    });
  const seenPaths = new Set<string>();
  selectable.forEach((f, i) => {
    const fat = `${at}.selectableFields[${i}].jsonPath`;
    const p = String(f.jsonPath ?? '');
    if (!p) errs.push({ ...required(fat), detail: '' });
    else if (!/^(\.[A-Za-z_][A-Za-z0-9_-]*)+$/.test(p))
      errs.push(invalidValue(fat, p, 'must be a simple json path starting with .'));
    else if (seenPaths.has(p)) errs.push({ field: fat, type: 'FieldValueDuplicate', value: p });
    seenPaths.add(p);
  });
  asList(v.additionalPrinterColumns).forEach((c, i) => {
    const cat = `${at}.additionalPrinterColumns[${i}]`;
    if (!c.name) errs.push({ ...required(`${cat}.name`), detail: '' });
    const oneOf = `must be one of ${printerColumnTypes.join(',')}`;
    if (!c.type) errs.push({ ...required(`${cat}.type`), detail: oneOf });
    else if (!printerColumnTypes.includes(String(c.type)))
      errs.push(invalidValue(`${cat}.type`, c.type, oneOf));
    if (c.priority !== undefined && (typeof c.priority !== 'number' || c.priority < 0))
      errs.push(invalidValue(`${cat}.priority`, c.priority, 'must be greater than or equal to 0'));
    if (!c.jsonPath) errs.push({ ...required(`${cat}.JSONPath`), detail: '' });
    else {
      const p = jsonPathProblem(String(c.jsonPath));
      if (p) errs.push(invalidValue(`${cat}.JSONPath`, c.jsonPath, p));
    }
  });
}

/** A CRD's versions as Go prints the slice in kube-apiserver's message (abridged to what names them). */
const goVersions = (vs: Obj[]) =>
  `[]apiextensions.CustomResourceDefinitionVersion{${vs
    .map(
      (v) =>
        `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(String(v.name ?? ''))}, Served:${!!v.served}, Storage:${!!v.storage}, …}`,
    )
    .join(', ')}}`;

export function validateCrd(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(o.spec);
  const names = asObj(spec.names);
  const group = String(spec.group ?? '');
  const name = o.metadata?.name ?? '';
  if (name && name !== `${String(names.plural ?? '')}.${group}`)
    errs.push(invalidValue('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push({ ...required('spec.group'), detail: '' });
  else if (!isSubdomain(group))
    errs.push(
      invalidValue(
        'spec.group',
        group,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );
  else if (group.split('.').length < 2)
    errs.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  const approval = o.metadata?.annotations?.[approvalAnnotation];
  const approvalChanged = !old || old.metadata?.annotations?.[approvalAnnotation] !== approval;
  if (isProtectedGroup(group) && approvalChanged) {
    const state = approvalCondition(o);
    if (state.reason === 'MissingAnnotation')
      errs.push({ ...required(`metadata.annotations[${approvalAnnotation}]`), detail: state.message });
    else if (state.reason === 'InvalidAnnotation')
      errs.push(invalidValue(`metadata.annotations[${approvalAnnotation}]`, approval, state.message));
  }
  if (!spec.scope) errs.push({ ...required('spec.scope'), detail: '' });
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(names, 'spec.names'));
  const versions = asList(spec.versions);
  if (versions.length === 0)
    errs.push({
      ...required('spec.versions'),
      detail: 'must have exactly one version marked as storage version',
    });
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    const vname = String(v.name ?? '');
    if (seen.has(vname)) unique = false;
    seen.add(vname);
    const p = dns1035(vname);
    if (p) errs.push(invalidValue(`${at}.name`, vname, p));
    validateVersion(v, at, errs);
  });
  if (!unique)
    errs.push({
      ...invalidValue('spec.versions', '', 'must contain unique version names'),
      goValue: goVersions(versions),
    });
  if (versions.length && versions.filter((v) => v.storage === true).length !== 1)
    errs.push({
      ...invalidValue('spec.versions', '', 'must have exactly one version marked as storage version'),
      goValue: goVersions(versions),
    });
  if (spec.preserveUnknownFields === true)
    errs.push(
      invalidValue(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  const conversion = asObj(spec.conversion);
  const strategy = conversion.strategy;
  if (strategy !== 'None' && strategy !== 'Webhook')
    errs.push(notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  // Reported at the internal type's paths (webhookClientConfig), as kube-apiserver reports them.
  const webhook = conversion.webhook === undefined ? undefined : asObj(conversion.webhook);
  if (strategy === 'Webhook') {
    const cc = webhook?.clientConfig === undefined ? undefined : asObj(webhook.clientConfig);
    if (!cc)
      errs.push({
        ...required('spec.conversion.webhookClientConfig'),
        detail: 'required when strategy is set to Webhook',
      });
    else if ((cc.url === undefined) === (cc.service === undefined))
      errs.push({
        ...required('spec.conversion.webhookClientConfig'),
        detail: 'exactly one of url or service is required',
      });
    const reviews = Array.isArray(webhook?.conversionReviewVersions)
      ? (webhook.conversionReviewVersions as string[])
      : [];
    if (!reviews.length) errs.push({ ...required('spec.conversion.conversionReviewVersions'), detail: '' });
    else if (!reviews.some((v) => v === 'v1' || v === 'v1beta1'))
      errs.push({
        ...invalidValue(
          'spec.conversion.conversionReviewVersions',
          '',
          'must include at least one of v1, v1beta1',
        ),
        goValue: `[]string{${reviews.map((v) => JSON.stringify(v)).join(', ')}}`,
      });
  } else if (webhook?.clientConfig !== undefined)
    errs.push({
      field: 'spec.conversion.webhookClientConfig',
      type: 'FieldValueForbidden',
      detail: 'should not be set when strategy is not set to Webhook',
    });
  if (old) {
    const oldSpec = asObj(old.spec);
    if (oldSpec.group !== spec.group)
      errs.push(invalidValue('spec.group', spec.group ?? '', 'field is immutable'));
    // What storage depends on may change only until the CRD is established.
    const established = asList(asObj(old.status).conditions).some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
    if (established && oldSpec.scope !== spec.scope)
      errs.push(invalidValue('spec.scope', spec.scope ?? '', 'field is immutable'));
    if (established && asObj(oldSpec.names).kind !== names.kind)
      errs.push(invalidValue('spec.names.kind', names.kind ?? '', 'field is immutable'));
    const storedVersions = asList(asObj(o.status).storedVersions) as unknown as string[];
    storedVersions.forEach((sv, i) => {
      if (!versions.some((v) => v.name === sv))
        errs.push(invalidValue(`status.storedVersions[${i}]`, sv, 'must appear in spec.versions'));
    });
  }
  return errs;
}

export const approvalAnnotation = 'api-approved.kubernetes.io';
const approvalLink = 'see https://github.com/kubernetes/enhancements/pull/1111';

/** Groups of the Kubernetes project itself: a CRD in one needs the API approval annotation. */
export const isProtectedGroup = (group: string) =>
  ['k8s.io', 'kubernetes.io'].some((g) => group === g || group.endsWith(`.${g}`));

/** The KubernetesAPIApprovalPolicyConformant condition of a CRD in a protected group (apiapproval's). */
export function approvalCondition(o: KubeObject) {
  const value = o.metadata?.annotations?.[approvalAnnotation];
  const type = 'KubernetesAPIApprovalPolicyConformant';
  if (!value)
    return {
      type,
      status: 'False',
      reason: 'MissingAnnotation',
      message: `protected groups must have approval annotation "${approvalAnnotation}", ${approvalLink}`,
    };
  if (/^https?:\/\//.test(value))
    return { type, status: 'True', reason: 'ApprovedAnnotation', message: `approved in ${value}` };
  if (value.startsWith('unapproved'))
    return { type, status: 'False', reason: 'UnapprovedAnnotation', message: `not approved: "${value}"` };
  return {
    type,
    status: 'False',
    reason: 'InvalidAnnotation',
    message: `protected groups must have approval annotation "${approvalAnnotation}" with either a URL or a reason starting with "unapproved", ${approvalLink}`,
  };
}

/** What a write of this CRD warns about: conversion webhooks, which Berth does not call. */
export function crdWarnings(o: KubeObject): string[] {
  const strategy = asObj(asObj(o.spec).conversion).strategy;
  if (strategy !== 'Webhook') return [];
  return [
    'spec.conversion.strategy: Webhook conversion is not supported by this cluster (berth); objects are converted between versions as with strategy None (only apiVersion changes)',
  ];
}
