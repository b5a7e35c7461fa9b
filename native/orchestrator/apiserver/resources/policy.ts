// policy/v1: PodDisruptionBudget — how many of an application's pods voluntary disruptions (an
// Eviction, so `kubectl drain`) may take down at once. The disruption controller
// (controllers/disruption.ts) keeps its status; the eviction subresource (rest/eviction.ts) reads and
// decrements it. Validation and printing are Kubernetes' (pkg/apis/policy/validation, the
// internalversion printer).
import type { KubeObject, ResourceDef } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, notSupported, validateLabels } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

const percentRe = /^[0-9]+%$/;
const percentMsg =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
export const unhealthyPodEvictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

/** An intstr.IntOrString as Go's %#v prints it (a value, so its String method is not used). */
export const goIntOrString = (v: unknown) =>
  typeof v === 'number'
    ? `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(v))}}`;

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent, as apps validation has them. */
function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return [invalidValue(path, v, 'must be greater than or equal to 0')];
    return [];
  }
  if (typeof v !== 'string') return [invalidValue(path, v, "must be an integer or percentage (e.g '5%')")];
  const bad = (detail: string): FieldError => ({
    ...invalidValue(path, v, detail),
    goValue: goIntOrString(v),
  });
  if (!percentRe.test(v)) return [bad(percentMsg)];
  if (Number.parseInt(v, 10) > 100) return [bad('must not be greater than 100%')];
  return [];
}

/** metav1validation.ValidateLabelSelector: each requirement's operator and values, then matchLabels. */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const s = asObj(sel);
  const errs: FieldError[] = [];
  asList(s.matchExpressions).forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0)
        errs.push({
          field: `${at}.values`,
          type: 'FieldValueRequired',
          detail: "must be specified when `operator` is 'In' or 'NotIn'",
        });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0)
        errs.push({
          field: `${at}.values`,
          type: 'FieldValueForbidden',
          detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        });
    } else errs.push(invalidValue(`${at}.operator`, e.operator ?? '', 'not a valid selector operator'));
  });
  errs.push(...validateLabels(asObj(s.matchLabels) as Record<string, string>, `${path}.matchLabels`));
  return errs;
}

const goPtr = (v: unknown, type: string) =>
  v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0xc000…)`;

function validatePdb(o: KubeObject): FieldError[] {
  const s = asObj(o.spec);
  const errs: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(s.minAvailable) && has(s.maxUnavailable))
    errs.push({
      ...invalidValue('spec', s, 'minAvailable and maxUnavailable cannot be both set'),
      goValue: `policy.PodDisruptionBudgetSpec{MinAvailable:${goPtr(s.minAvailable, 'intstr.IntOrString')}, Selector:${goPtr(s.selector, 'v1.LabelSelector')}, MaxUnavailable:${goPtr(s.maxUnavailable, 'intstr.IntOrString')}, UnhealthyPodEvictionPolicy:${goPtr(s.unhealthyPodEvictionPolicy, 'policy.UnhealthyPodEvictionPolicyType')}}`,
    });
  if (has(s.minAvailable)) errs.push(...validateIntOrPercent(s.minAvailable, 'spec.minAvailable'));
  if (has(s.maxUnavailable)) errs.push(...validateIntOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const policy = s.unhealthyPodEvictionPolicy;
  if (has(policy) && !unhealthyPodEvictionPolicies.includes(String(policy)))
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, unhealthyPodEvictionPolicies));
  return errs;
}

/** How the printer shows minAvailable/maxUnavailable: the IntOrString's String(), or N/A when unset. */
const intOrNA = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetDef: ResourceDef = {
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  tracksGeneration: true,
  subresources: { status: true },
  table: [
    nameColumn,
    column(
      'Min Available',
      (o) => intOrNA(asObj(o.spec).minAvailable),
      'The minimum number of pods that must be available.',
    ),
    column(
      'Max Unavailable',
      (o) => intOrNA(asObj(o.spec).maxUnavailable),
      'The maximum number of pods that may be unavailable.',
    ),
    column(
      'Allowed Disruptions',
      (o) => Number(asObj(o.status).disruptionsAllowed ?? 0),
      'Calculated number of pods that may be disrupted at this time.',
      { type: 'integer' },
    ),
    ageColumn,
  ],
  strategy: {
    validate: (o) => validatePdb(o),
    // The zero status Go serialises: its four counts have no omitempty.
    initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  },
};

export const policyDefs = [podDisruptionBudgetDef];
