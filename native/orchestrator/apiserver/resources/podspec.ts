// What pods and every kind with a pod template share: defaulting and validation of a PodSpec, and the
// Containers/Images columns of `-o wide`.
import type { KubeObject, TableColumn } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { column } from '../table.ts';
import { invalidValue, isLabel, labelMsg, notSupported, required, validateLabels } from '../validation.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function defaultContainer(c: Obj): void {
  const image = typeof c.image === 'string' ? c.image : '';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tagged = lastSegment.includes(':') && !image.endsWith(':latest');
  c.imagePullPolicy ??= image.includes('@') || tagged ? 'IfNotPresent' : 'Always';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of asList(c.ports)) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe || typeof probe !== 'object') continue;
    const pr = probe as Obj;
    pr.timeoutSeconds ??= 1;
    pr.periodSeconds ??= 10;
    pr.successThreshold ??= 1;
    pr.failureThreshold ??= 3;
  }
}

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...asList(spec.initContainers), ...asList(spec.containers)]) defaultContainer(c);
  for (const v of asList(spec.volumes)) {
    if (
      !v.emptyDir &&
      !v.hostPath &&
      !v.configMap &&
      !v.secret &&
      !v.projected &&
      !v.persistentVolumeClaim &&
      !v.downwardAPI
    )
      v.emptyDir = {};
    for (const src of [v.configMap, v.secret]) {
      if (src && typeof src === 'object') (src as Obj).defaultMode ??= 420;
    }
  }
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];

function validateContainers(list: Obj[], path: string, errs: FieldError[], names: Set<string>): void {
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (typeof c.name !== 'string' || !c.name) errs.push(required(`${p}.name`));
    else if (!isLabel(c.name)) errs.push(invalidValue(`${p}.name`, c.name, labelMsg));
    else if (names.has(c.name)) errs.push({ field: `${p}.name`, type: 'FieldValueDuplicate', value: c.name });
    else names.add(c.name);
    if (typeof c.image !== 'string' || !c.image.trim()) errs.push(required(`${p}.image`));
    asList(c.ports).forEach((port, j) => {
      const n = port.containerPort;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535)
        errs.push(
          invalidValue(`${p}.ports[${j}].containerPort`, n, 'must be between 1 and 65535, inclusive'),
        );
      if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(port.protocol)))
        errs.push(notSupported(`${p}.ports[${j}].protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
    if (
      c.imagePullPolicy !== undefined &&
      !['Always', 'IfNotPresent', 'Never'].includes(String(c.imagePullPolicy))
    )
      errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
  });
}

export function validatePodSpec(spec: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = asObj(spec);
  const containers = asList(s.containers);
  if (containers.length === 0) errs.push(required(`${path}.containers`));
  const names = new Set<string>();
  validateContainers(asList(s.initContainers), `${path}.initContainers`, errs, names);
  validateContainers(containers, `${path}.containers`, errs, names);
  if (s.restartPolicy !== undefined && !restartPolicies.includes(String(s.restartPolicy)))
    errs.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies));
  const volumes = new Set<string>();
  asList(s.volumes).forEach((v, i) => {
    if (typeof v.name !== 'string' || !v.name) errs.push(required(`${path}.volumes[${i}].name`));
    else if (volumes.has(v.name))
      errs.push({ field: `${path}.volumes[${i}].name`, type: 'FieldValueDuplicate', value: v.name });
    else volumes.add(v.name);
  });
  for (const [i, c] of containers.entries()) {
    asList(c.volumeMounts).forEach((m, j) => {
      if (typeof m.name === 'string' && !volumes.has(m.name))
        errs.push({
          field: `${path}.containers[${i}].volumeMounts[${j}].name`,
          type: 'FieldValueNotFound',
          value: m.name,
        });
    });
  }
  return errs;
}

/** The template of a workload: labels valid and matching the selector, a valid pod spec. */
export function validateTemplate(
  template: unknown,
  selector: unknown,
  path: string,
  allowedRestart = restartPolicies,
): FieldError[] {
  const t = asObj(template);
  const errs: FieldError[] = [];
  if (!template) return [required(path)];
  const labels = asObj(asObj(t.metadata).labels) as Record<string, string>;
  errs.push(...validateLabels(labels, `${path}.metadata.labels`));
  const sel = asObj(selector);
  const ml = asObj(sel.matchLabels) as Record<string, string>;
  if (selector && Object.entries(ml).some(([k, v]) => labels[k] !== v))
    errs.push(invalidValue(`${path}.metadata.labels`, labels, '`selector` does not match template `labels`'));
  const spec = asObj(t.spec);
  errs.push(...validatePodSpec(spec, `${path}.spec`));
  if (spec.restartPolicy !== undefined && !allowedRestart.includes(String(spec.restartPolicy)))
    errs.push(notSupported(`${path}.spec.restartPolicy`, spec.restartPolicy, allowedRestart));
  return errs;
}

export function validateSelector(selector: unknown, path: string): FieldError[] {
  const sel = asObj(selector);
  if (!selector) return [required(path)];
  if (Object.keys(asObj(sel.matchLabels)).length === 0 && asList(sel.matchExpressions).length === 0)
    return [invalidValue(path, selector, 'empty selector is invalid for deployment')];
  return validateLabels(asObj(sel.matchLabels) as Record<string, string>, `${path}.matchLabels`);
}

export function defaultTemplate(template: unknown): void {
  const t = asObj(template);
  if (t.spec) defaultPodSpec(asObj(t.spec));
  if (template && !t.metadata) t.metadata = {};
}

function templateContainers(o: KubeObject, path: 'spec.template' | 'spec.jobTemplate.spec.template'): Obj[] {
  let t: Obj = asObj(o.spec);
  if (path === 'spec.jobTemplate.spec.template') t = asObj(asObj(t.jobTemplate).spec);
  return asList(asObj(asObj(t.template).spec).containers);
}

/** CONTAINERS and IMAGES, wide-only, as every workload prints them. */
export function templateColumns(
  path: 'spec.template' | 'spec.jobTemplate.spec.template' = 'spec.template',
): TableColumn[] {
  return [
    column(
      'Containers',
      (o) =>
        templateContainers(o, path)
          .map((c) => String(c.name))
          .join(','),
      'Names of each container in the template.',
      { wide: true },
    ),
    column(
      'Images',
      (o) =>
        templateContainers(o, path)
          .map((c) => String(c.image))
          .join(','),
      'Images referenced by each container in the template.',
      { wide: true },
    ),
  ];
}

export { asList, asObj };
