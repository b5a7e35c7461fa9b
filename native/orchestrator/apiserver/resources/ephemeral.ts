// Ephemeral containers: the debug containers `kubectl debug` adds to a running pod through the
// pods/ephemeralcontainers subresource, validated as kube-apiserver validates them. A pod is created
// without any; the subresource adds them one at a time and never changes or removes one it has. They
// have no ports, probes, lifecycle hooks or resources of their own (they run in the pod's, as a
// debugger), and a targetContainerName must name one of the pod's containers, whose processes the
// debugger then sees.
import type { KubeObject } from '../registry.ts';
import { sameJson } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { asList, asObj, validateContainers } from './podspec.ts';

const notForEphemeral = [
  'ports',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'resources',
  'resizePolicy',
  'restartPolicy',
] as const;

const forbidden = (field: string, detail: string): FieldError => ({
  field,
  type: 'FieldValueForbidden',
  detail,
});

/** Errors in a pod's ephemeral containers, on create (none allowed) or on an update from `old`. */
export function validateEphemeralContainers(pod: KubeObject, old?: KubeObject): FieldError[] {
  const spec = asObj(pod.spec);
  const list = asList(spec.ephemeralContainers);
  const path = 'spec.ephemeralContainers';
  if (!old) return list.length ? [forbidden(path, 'cannot be set on create')] : [];
  const errs: FieldError[] = [];
  const before = asList(asObj(old.spec).ephemeralContainers);
  for (const prev of before) {
    const now = list.find((c) => c.name === prev.name);
    if (!now)
      errs.push(forbidden(path, `existing ephemeral containers "${String(prev.name)}" may not be removed`));
    else if (!sameJson(now, prev))
      errs.push(forbidden(path, `existing ephemeral containers "${String(prev.name)}" may not be changed`));
  }
  const others = new Set(
    [...asList(spec.containers), ...asList(spec.initContainers)].map((c) => String(c.name)),
  );
  const volumes = new Set(asList(spec.volumes).map((v) => String(v.name)));
  // What every container is checked for (names unique among all the pod's containers, an image…).
  validateContainers(list, path, errs, new Set(others));
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (before.some((b) => b.name === c.name)) return;
    for (const f of notForEphemeral) {
      const v = c[f];
      const empty =
        v === undefined || v === null || (typeof v === 'object' && Object.keys(v as object).length === 0);
      if (!empty) errs.push(forbidden(`${p}.${f}`, 'cannot be set for an Ephemeral Container'));
    }
    const target = c.targetContainerName;
    if (target !== undefined && target !== '' && !others.has(String(target)))
      errs.push({ field: `${p}.targetContainerName`, type: 'FieldValueNotFound', value: target });
    asList(c.volumeMounts).forEach((m, j) => {
      if (m.subPath)
        errs.push(forbidden(`${p}.volumeMounts[${j}].subPath`, 'cannot be set for an Ephemeral Container'));
      if (typeof m.name === 'string' && !volumes.has(m.name))
        errs.push({ field: `${p}.volumeMounts[${j}].name`, type: 'FieldValueNotFound', value: m.name });
    });
  });
  return errs;
}
