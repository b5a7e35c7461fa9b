// A custom resource's structural schema (a CRD version's openAPIV3Schema) at work on its objects, as
// apiextensions-apiserver does it: pruning of the fields the schema does not name (the paths that
// `fieldValidation=Strict` reports), nulls dropped and `default:`s filled in, then validation with
// kube-openapi's messages (`spec.replicas in body must be of type integer: "string"`).
import type { FieldError } from '../status.ts';

/** The JSONSchemaProps a CRD carries (the subset that structural schemas and validation read). */
export interface JsonSchema {
  type?: string;
  description?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  /** CEL rules: checked for a rule when the CRD is written, not evaluated. */
  'x-kubernetes-validations'?: { rule?: string; message?: string }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The fields ObjectMeta has: what survives pruning under any `metadata`. */
export const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
]);

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Removes what the schema does not name (in place) and returns the removed paths. At the root and in
 * embedded resources apiVersion, kind and metadata stay, and metadata keeps ObjectMeta's fields only.
 */
export function prune(value: unknown, schema: JsonSchema, path = '', root = true): string[] {
  const out: string[] = [];
  pruneInto(value, schema, path, root, out);
  return out;
}

function pruneInto(value: unknown, s: JsonSchema, path: string, embedded: boolean, out: string[]): void {
  if (Array.isArray(value)) {
    if (s.items) for (const [i, v] of value.entries()) pruneInto(v, s.items, `${path}[${i}]`, false, out);
    return;
  }
  if (!isObj(value)) return;
  const nestedEmbedded = !!s['x-kubernetes-embedded-resource'];
  if (embedded || nestedEmbedded) {
    const meta = value.metadata;
    if (isObj(meta))
      for (const k of Object.keys(meta))
        if (!objectMetaFields.has(k)) {
          delete meta[k];
          out.push(join(join(path, 'metadata'), k));
        }
  }
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const extra = isObj(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const key of Object.keys(value)) {
    if ((embedded || nestedEmbedded) && (key === 'apiVersion' || key === 'kind' || key === 'metadata'))
      continue;
    const p = join(path, key);
    const known = s.properties?.[key] ?? extra;
    if (known) pruneInto(value[key], known, p, false, out);
    else if (!preserve && s.additionalProperties !== true) {
      delete value[key];
      out.push(p);
    }
  }
}

/** Drops nulls the schema does not allow and fills in `default:`s (in place), as structural defaulting does. */
export function applyDefaults(value: unknown, s: JsonSchema): void {
  if (Array.isArray(value)) {
    if (s.items)
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null && s.items.default !== undefined && !s.items.nullable)
          value[i] = structuredClone(s.items.default);
        applyDefaults(value[i], s.items);
      }
    return;
  }
  if (!isObj(value)) return;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if (value[key] === null && !prop.nullable) delete value[key];
    if (value[key] === undefined && prop.default !== undefined) value[key] = structuredClone(prop.default);
    if (value[key] !== undefined) applyDefaults(value[key], prop);
  }
  const extra = isObj(s.additionalProperties) ? s.additionalProperties : undefined;
  if (extra) for (const key of Object.keys(value)) if (!s.properties?.[key]) applyDefaults(value[key], extra);
}

/** The JSON type of a value as kube-openapi names it in its messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

const fits = (v: unknown, type: string) => {
  const t = typeName(v);
  return t === type || (type === 'number' && t === 'integer');
};

/** Go's %v of a number in messages (no trailing .0). */
const num = (n: number) => String(n);

const quote = (re: string) => `'${re}'`;

const posixClasses: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
};

const compiled = new Map<string, RegExp | undefined>();

/**
 * A schema's pattern, written for Go's RE2, as a JavaScript RegExp: leading flag groups (`(?i)`) as
 * flags (also after a leading `^`), `\A` and `\z`, POSIX classes. undefined when it still does not compile here (then the
 * pattern is not checked: a CRD kube-apiserver accepts is not refused for the engine's regex dialect).
 */
export function goRegExp(pattern: string): RegExp | undefined {
  if (compiled.has(pattern)) return compiled.get(pattern);
  let source = pattern;
  let flags = 'u';
  const flagGroup = /^(\^?)\(\?([imsU]+)\)/;
  for (let m = flagGroup.exec(source); m; m = flagGroup.exec(source)) {
    for (const f of m[2]) if (f !== 'U' && !flags.includes(f)) flags += f;
    source = m[1] + source.slice(m[0].length);
  }
  source = source
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (all, neg: string, name: string) =>
      posixClasses[name] && !neg ? posixClasses[name] : all,
    );
  let re: RegExp | undefined;
  // Unicode mode first (RE2 reads UTF-8), then the laxer one, which takes escapes RE2 also takes (`\_`).
  for (const f of [flags, flags.replace('u', '')])
    try {
      re = new RegExp(source, f);
      break;
    } catch {
      re = undefined;
    }
  compiled.set(pattern, re);
  return re;
}

/**
 * Validates a value against its schema, as `<path> in body …` messages under the field named by the
 * path. `path` is the object's own (empty at the root).
 */
export function validate(value: unknown, s: JsonSchema, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  check(value, s, path, errs);
  return errs;
}

function typeInvalid(path: string, value: unknown, want: string): FieldError {
  const actual = typeName(value);
  return {
    field: path,
    type: 'FieldValueTypeInvalid',
    value: actual,
    detail: `${path || '.'} in body must be of type ${want}: "${actual}"`,
  };
}

function invalid(path: string, value: unknown, detail: string): FieldError {
  return { field: path, type: 'FieldValueInvalid', value, detail: `${path || '.'} in body ${detail}` };
}

/** The error a failed allOf/anyOf/oneOf/not adds: kube-openapi names no field for it (`<nil>`). */
const combinator = (path: string, detail: string): FieldError => ({
  field: '<nil>',
  type: 'FieldValueInvalid',
  value: '',
  detail: `"${path || '.'}" ${detail}`,
});

function check(value: unknown, s: JsonSchema, path: string, errs: FieldError[]): void {
  if (value === null) {
    if (s.nullable || (!s.type && !s['x-kubernetes-int-or-string'])) return;
    errs.push(typeInvalid(path, value, s['x-kubernetes-int-or-string'] ? 'integer,string' : (s.type ?? '')));
    return;
  }
  // A wrong type is one error among others (an enum's is reported beside it), as kube-openapi does.
  if (s['x-kubernetes-int-or-string']) {
    if (!fits(value, 'integer') && typeof value !== 'string')
      errs.push(typeInvalid(path, value, 'integer,string'));
  } else if (s.type && !fits(value, s.type)) errs.push(typeInvalid(path, value, s.type));
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errs.push({
      field: path,
      type: 'FieldValueNotSupported',
      value,
      detail: `supported values: ${s.enum.map((e) => `"${typeof e === 'string' ? e : JSON.stringify(e)}"`).join(', ')}`,
    });
  if (typeof value === 'number') checkNumber(value, s, path, errs);
  if (typeof value === 'string') checkString(value, s, path, errs);
  if (Array.isArray(value)) checkArray(value, s, path, errs);
  else if (isObj(value)) checkObject(value, s, path, errs);
  const results = (subs: JsonSchema[]) => subs.map((sub) => validate(value, sub, path));
  if (s.allOf?.length) {
    const failed = results(s.allOf).filter((r) => r.length);
    if (failed.length) {
      const none = failed.length === s.allOf.length;
      errs.push(combinator(path, `must validate all the schemas (allOf)${none ? '. None validated' : ''}`));
      for (const r of failed) errs.push(...r);
    }
  }
  if (s.anyOf?.length) {
    const rs = results(s.anyOf);
    if (rs.every((r) => r.length)) {
      errs.push(combinator(path, 'must validate at least one schema (anyOf)'));
      errs.push(...rs[0]);
    }
  }
  if (s.oneOf?.length) {
    const rs = results(s.oneOf);
    const valid = rs.filter((r) => r.length === 0).length;
    if (valid === 0) {
      errs.push(combinator(path, 'must validate one and only one schema (oneOf). Found none valid'));
      errs.push(...rs[0]);
    } else if (valid > 1)
      errs.push(
        combinator(path, `must validate one and only one schema (oneOf). Found ${valid} valid alternatives`),
      );
  }
  if (s.not && validate(value, s.not, path).length === 0)
    errs.push(combinator(path, 'must not validate the schema (not)'));
}

function checkNumber(v: number, s: JsonSchema, path: string, errs: FieldError[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
    errs.push(
      invalid(path, v, `should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${num(s.minimum)}`),
    );
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
    errs.push(
      invalid(path, v, `should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${num(s.maximum)}`),
    );
  if (s.multipleOf && !Number.isInteger(v / s.multipleOf))
    errs.push(invalid(path, v, `should be a multiple of ${num(s.multipleOf)}`));
}

function checkString(v: string, s: JsonSchema, path: string, errs: FieldError[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength)
    errs.push({
      field: path,
      type: 'FieldValueTooLong',
      value: v,
      detail: `may not be more than ${s.maxLength} bytes`,
    });
  if (s.minLength !== undefined && length < s.minLength)
    errs.push(invalid(path, v, `should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    const re = goRegExp(s.pattern);
    if (re && !re.test(v)) errs.push(invalid(path, v, `should match ${quote(s.pattern)}`));
  }
}

function checkArray(v: unknown[], s: JsonSchema, path: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems)
    errs.push({
      field: path,
      type: 'FieldValueTooMany',
      value: v.length,
      detail: `must have at most ${s.maxItems} items`,
    });
  if (s.minItems !== undefined && v.length < s.minItems)
    errs.push(invalid(path, v, `should have at least ${s.minItems} items`));
  if (s.uniqueItems || s['x-kubernetes-list-type'] === 'set') {
    const seen = new Set<string>();
    v.forEach((x, i) => {
      const k = JSON.stringify(x);
      if (seen.has(k)) errs.push({ field: `${path}[${i}]`, type: 'FieldValueDuplicate', value: x });
      seen.add(k);
    });
  }
  if (s['x-kubernetes-list-type'] === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((x, i) => {
      if (!isObj(x)) return;
      const k = JSON.stringify(keys.map((key) => x[key]));
      if (seen.has(k))
        errs.push({
          field: `${path}[${i}]`,
          type: 'FieldValueDuplicate',
          value: x,
          goValue: `map[string]interface {}{${keys.map((key) => `"${key}":${JSON.stringify(x[key])}`).join(', ')}}`,
        });
      seen.add(k);
    });
  }
  if (s.items) for (const [i, x] of v.entries()) check(x, s.items, `${path}[${i}]`, errs);
}

function checkObject(v: Obj, s: JsonSchema, path: string, errs: FieldError[]): void {
  for (const r of s.required ?? [])
    if (v[r] === undefined) errs.push({ field: join(path, r), type: 'FieldValueRequired', detail: '' });
  const count = Object.keys(v).length;
  if (s.maxProperties !== undefined && count > s.maxProperties)
    errs.push({
      field: path,
      type: 'FieldValueTooMany',
      value: count,
      detail: `must have at most ${s.maxProperties} items`,
    });
  if (s.minProperties !== undefined && count < s.minProperties)
    errs.push(invalid(path, v, `should have at least ${s.minProperties} properties`));
  const extra = isObj(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const [key, x] of Object.entries(v)) {
    if (x === undefined) continue;
    const prop = s.properties?.[key] ?? extra;
    // The root's and an embedded object's metadata is ObjectMeta's business (checked by the server).
    if (prop && !(key === 'metadata' && (path === '' || s['x-kubernetes-embedded-resource'])))
      check(x, prop, join(path, key), errs);
  }
}
