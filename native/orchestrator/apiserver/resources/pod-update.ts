// What an update of a pod may change, as kube-apiserver's ValidatePodUpdate allows it: a running pod's
// spec is fixed but for its containers' images, a shorter activeDeadlineSeconds, added tolerations,
// removed scheduling gates, and a terminationGracePeriodSeconds of 1 where it was negative. Anything
// else is `spec: Forbidden: pod updates may not change fields other than …`, with what changed below
// it, which is what `kubectl apply` of an edited pod manifest prints on a real cluster.
// Ephemeral containers change through their own subresource only (ephemeral.ts).
import { copyJson, type KubeObject, sameJson } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { asList, asObj } from './podspec.ts';

type Obj = Record<string, unknown>;

export const podUpdateForbidden =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The changed leaves between two JSON values, as `path: old → new` pairs (arrays by index). */
function changes(a: unknown, b: unknown, path: string, out: [string, unknown, unknown][]): void {
  if (sameJson(a, b)) return;
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(a as Obj), ...Object.keys(b as Obj)])];
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      changes((a as Obj)[k], (b as Obj)[k], sub, out);
    }
    return;
  }
  out.push([path, a, b]);
}

/** A diff in the shape of the one kube-apiserver appends: `-` the stored value, `+` the requested one. */
function specDiff(old: Obj, munged: Obj): string {
  const found: [string, unknown, unknown][] = [];
  changes(old, munged, '', found);
  const show = (v: unknown) => (v === undefined ? 'nil' : JSON.stringify(v));
  const lines = found.flatMap(([p, a, b]) => [`- \t${p}: ${show(a)},`, `+ \t${p}: ${show(b)},`]);
  return ['  core.PodSpec{', ...lines, '  }'].join('\n');
}

const sameToleration = (a: Obj, b: Obj) =>
  ['key', 'operator', 'value', 'effect'].every((k) => (a[k] ?? '') === (b[k] ?? ''));

/** Errors for an update of pod `obj` from `old` through the main resource. */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const oldSpec = asObj(old.spec);
  const munged = copyJson(asObj(obj.spec));
  for (const list of ['containers', 'initContainers'] as const) {
    const before = asList(oldSpec[list]);
    asList(munged[list]).forEach((c, i) => {
      if (i < before.length) c.image = before[i].image;
    });
  }
  const deadline = munged.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (oldDeadline === undefined || (typeof oldDeadline === 'number' && deadline <= oldDeadline))
      munged.activeDeadlineSeconds = oldDeadline;
    else
      errs.push({
        field: 'spec.activeDeadlineSeconds',
        type: 'FieldValueInvalid',
        value: deadline,
        detail: 'must be less than or equal to previous value',
      });
    if (munged.activeDeadlineSeconds === undefined) delete munged.activeDeadlineSeconds;
  }
  const grace = oldSpec.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = grace;
  // Tolerations may be added, never removed or changed (a NoExecute one's seconds may only shrink).
  const tolerations = asList(munged.tolerations);
  const kept = asList(oldSpec.tolerations).every((t) =>
    tolerations.some(
      (n) =>
        sameToleration(t, n) &&
        (t.tolerationSeconds === n.tolerationSeconds ||
          (typeof t.tolerationSeconds === 'number' &&
            typeof n.tolerationSeconds === 'number' &&
            n.tolerationSeconds <= t.tolerationSeconds)),
    ),
  );
  if (kept) {
    if (oldSpec.tolerations === undefined) delete munged.tolerations;
    else munged.tolerations = oldSpec.tolerations;
  }
  // Scheduling gates may only go.
  const gates = asList(munged.schedulingGates);
  const oldGates = asList(oldSpec.schedulingGates);
  const added = gates.filter((g) => !oldGates.some((o) => o.name === g.name));
  for (const g of added)
    errs.push({
      field: 'spec.schedulingGates',
      type: 'FieldValueForbidden',
      detail: `only deletion is allowed, but found new scheduling gate '${String(g.name)}'`,
    });
  if (!added.length) {
    if (oldSpec.schedulingGates === undefined) delete munged.schedulingGates;
    else munged.schedulingGates = oldSpec.schedulingGates;
  }
  if (!sameJson(munged, oldSpec))
    errs.push({
      field: 'spec',
      type: 'FieldValueForbidden',
      detail: `${podUpdateForbidden}\n${specDiff(oldSpec, munged)}`,
    });
  return errs;
}
