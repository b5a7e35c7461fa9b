// Validation every kind shares: object names, labels, annotations, finalizers, and small helpers the
// kinds' own checks use. Messages are the API's, since kubectl prints them as they come.
import type { ObjectMeta, ResourceDef } from './registry.ts';
import type { FieldError } from './status.ts';

const subdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label1035Re = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const label1035Msg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** pathSegment: any name usable as one URL path segment (RBAC's `system:masters`). */
export type NameRule = 'subdomain' | 'label' | 'label1035' | 'pathSegment';

/** Why `name` is not a valid name under `rule`, or undefined. */
export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (rule === 'pathSegment') {
    if (name === '.' || name === '..') return `may not be '${name}'`;
    for (const c of ['/', '%']) if (name.includes(c)) return `may not contain '${c}'`;
    return undefined;
  }
  if (rule === 'subdomain') {
    if (name.length > 253) return 'must be no more than 253 characters';
    return subdomainRe.test(name) ? undefined : subdomainMsg;
  }
  if (name.length > 63) return 'must be no more than 63 characters';
  if (rule === 'label') return labelRe.test(name) ? undefined : labelMsg;
  return label1035Re.test(name) ? undefined : label1035Msg;
}

export const isLabel = (s: string) => labelRe.test(s) && s.length <= 63;
export const isSubdomain = (s: string) => subdomainRe.test(s) && s.length <= 253;

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isSubdomain(prefix)) return `prefix part ${subdomainMsg}`;
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!qualifiedNameRe.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  return undefined;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const kp = qualifiedNameProblem(k);
    if (kp) errs.push({ field: path, type: 'FieldValueInvalid', value: k, detail: kp });
    if (typeof v !== 'string' || v.length > 63 || !labelValueRe.test(v))
      errs.push({
        field: path,
        type: 'FieldValueInvalid',
        value: v,
        detail:
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      });
  }
  return errs;
}

export function validateMeta(def: ResourceDef, meta: ObjectMeta, rule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) {
    errs.push({
      field: 'metadata.name',
      type: 'FieldValueRequired',
      detail: 'name or generateName is required',
    });
  } else {
    const p = nameProblem(meta.name, rule);
    if (p) errs.push({ field: 'metadata.name', type: 'FieldValueInvalid', value: meta.name, detail: p });
  }
  if (def.namespaced && !meta.namespace)
    errs.push({ field: 'metadata.namespace', type: 'FieldValueRequired' });
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  for (const k of Object.keys(meta.annotations ?? {})) {
    const kp = qualifiedNameProblem(k.toLowerCase());
    if (kp) errs.push({ field: 'metadata.annotations', type: 'FieldValueInvalid', value: k, detail: kp });
  }
  const size = Object.entries(meta.annotations ?? {}).reduce(
    (n, [k, v]) => n + k.length + String(v).length,
    0,
  );
  if (size > 256 * 1024)
    errs.push({
      field: 'metadata.annotations',
      type: 'FieldValueTooLong',
      detail: 'must have at most 262144 bytes',
    });
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    const fp = qualifiedNameProblem(f);
    if (fp)
      errs.push({ field: `metadata.finalizers[${i}]`, type: 'FieldValueInvalid', value: f, detail: fp });
  }
  return errs;
}

/** Helpers for the kinds' own checks. */
export const required = (field: string): FieldError => ({ field, type: 'FieldValueRequired' });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  field,
  type: 'FieldValueNotSupported',
  value,
  detail: `supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
});
export const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  type: 'FieldValueInvalid',
  value,
  detail,
});

export function nonNegative(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    return [invalidValue(field, value, 'must be greater than or equal to 0')];
  return [];
}
