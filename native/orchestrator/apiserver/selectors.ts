// Label selectors (equality- and set-based, as `kubectl -l` writes them) and field selectors (the
// fields each kind supports). Parsing errors are 400s in Kubernetes' words.
import { getPath, type KubeObject, type ResourceDef } from './registry.ts';
import { badRequest } from './status.ts';

export type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type Labels = Record<string, string> | undefined;

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

const keyRe =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, whole: string): void {
  if (!keyRe.test(key) || key.length > 316)
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
}

function checkValue(value: string, whole: string): void {
  if (!valueRe.test(value) || value.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value: "${value}" in "${whole}"`);
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const part of splitTop(selector)) {
    let m = /^(!)\s*(\S+)$/.exec(part);
    if (m) {
      checkKey(m[2], part);
      reqs.push({ key: m[2], op: '!' });
      continue;
    }
    m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      checkKey(m[1], part);
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v, _i, a) => v !== '' || a.length === 1);
      for (const v of values) checkValue(v, part);
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(part);
    if (m) {
      checkKey(m[1], part);
      if (m[2] === '>' || m[2] === '<') {
        const n = Number(m[3]);
        if (!/^-?\d+$/.test(m[3]))
          throw badRequest(
            `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        reqs.push({ key: m[1], op: m[2] === '>' ? 'gt' : 'lt', value: n });
      } else {
        checkValue(m[3], part);
        reqs.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] });
      }
      continue;
    }
    if (/^\S+$/.test(part)) {
      checkKey(part, part);
      reqs.push({ key: part, op: 'exists' });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
  }
  return reqs;
}

export function matchLabels(reqs: LabelRequirement[], labels: Labels): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'gt':
        return has && /^-?\d+$/.test(l[r.key]) && Number(l[r.key]) > r.value;
      case 'lt':
        return has && /^-?\d+$/.test(l[r.key]) && Number(l[r.key]) < r.value;
    }
    return false;
  });
}

/** A metav1.LabelSelector as requirements; undefined for a selector that can match nothing (invalid). */
export function selectorRequirements(sel: unknown): LabelRequirement[] | undefined {
  const s = (sel && typeof sel === 'object' ? sel : {}) as Record<string, unknown>;
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries((s.matchLabels ?? {}) as Record<string, unknown>))
    reqs.push({ key, op: '=', value: String(value) });
  for (const e of (Array.isArray(s.matchExpressions) ? s.matchExpressions : []) as Record<
    string,
    unknown
  >[]) {
    const key = String(e.key);
    const values = (Array.isArray(e.values) ? e.values : []).map(String);
    switch (e.operator) {
      case 'In':
        reqs.push({ key, op: 'in', values });
        break;
      case 'NotIn':
        reqs.push({ key, op: 'notin', values });
        break;
      case 'Exists':
        reqs.push({ key, op: 'exists' });
        break;
      case 'DoesNotExist':
        reqs.push({ key, op: '!' });
        break;
      default:
        return undefined;
    }
  }
  return reqs;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The string form of a metav1.LabelSelector (what a Scale's status.selector carries). */
export function labelSelectorString(sel: LabelSelectorObject | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
    parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
  get(obj: KubeObject): string | undefined;
}

/** Field selector getters every kind has. */
const metaFields: Record<string, (obj: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
};

export function fieldGetters(def: ResourceDef): Record<string, (obj: KubeObject) => string | undefined> {
  return { ...metaFields, ...def.fieldSelectors };
}

export function parseFieldSelector(def: ResourceDef, selector: string): FieldRequirement[] {
  const getters = fieldGetters(def);
  return splitTop(selector).map((part) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const get = getters[m[1]];
    if (!get) throw badRequest(`field label not supported: ${m[1]}`);
    return { field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3].replace(/\\(.)/g, '$1'), get };
  });
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => {
    const v = r.get(obj) ?? '';
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}

/** A getter for a dotted path whose value is printed as a field selector compares it. */
export const fieldPath =
  (dotted: string) =>
  (obj: KubeObject): string | undefined => {
    const v = getPath(obj, dotted);
    return v === undefined || v === null ? undefined : String(v);
  };
