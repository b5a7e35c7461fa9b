// What pods and every kind with a pod template share: defaulting and validation of a PodSpec, and the
// Containers/Images columns of `-o wide`.
import type { KubeObject, TableColumn } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { column } from '../table.ts';
import {
  invalidValue,
  isLabel,
  labelMsg,
  nonNegative,
  notSupported,
  required,
  validateLabels,
} from '../validation.ts';

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
    // 0 is Go's unset: it takes the default too.
    pr.timeoutSeconds ||= 1;
    pr.periodSeconds ||= 10;
    pr.successThreshold ||= 1;
    pr.failureThreshold ||= 3;
    if (pr.grpc && typeof pr.grpc === 'object') (pr.grpc as Obj).service ??= '';
  }
}

/** The claim of a pod's generic ephemeral volume: `<pod>-<volume>`, as Kubernetes names it. */
export const ephemeralClaimName = (pod: KubeObject, volume: string) => `${pod.metadata?.name}-${volume}`;

/** The sources a core/v1 Volume may name (VolumeSource's fields). */
const volumeSources = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...asList(spec.initContainers), ...asList(spec.containers)]) defaultContainer(c);
  for (const c of asList(spec.ephemeralContainers)) {
    const { resources } = c;
    defaultContainer(c);
    // Ephemeral containers have no resources of their own: none is filled in.
    if (resources === undefined) delete c.resources;
  }
  for (const v of asList(spec.volumes)) {
    // A volume with no source at all is an emptyDir, as the API defaults it.
    if (!volumeSources.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
    for (const src of [v.configMap, v.secret]) {
      if (src && typeof src === 'object') (src as Obj).defaultMode ??= 420;
    }
  }
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];

const portRange = 'must be between 1 and 65535, inclusive';
const inPortRange = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/**
 * A port as a number or an IANA service name (httpGet, tcpSocket), with the API's messages. A
 * gRPC port is a number only (int32 in GRPCAction).
 */
function portProblems(port: unknown, field: string): FieldError[] {
  if (typeof port !== 'string') return inPortRange(port) ? [] : [invalidValue(field, port ?? 0, portRange)];
  const why: string[] = [];
  if (port.length > 15) why.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port))
    why.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) why.push('must contain at least one letter (a-z)');
  if (port.includes('--')) why.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) why.push('must not begin or end with a hyphen');
  return why.map((w) => invalidValue(field, port, w));
}

/**
 * The handler of a probe or a lifecycle hook: exactly one of `kinds` (the later ones Forbidden, none
 * Required), with the checks exec, httpGet and tcpSocket share; `own` checks the rest (grpc, sleep).
 */
function handlerProblems(
  handler: Obj,
  path: string,
  kinds: readonly string[],
  own: (kind: string, action: Obj, path: string) => FieldError[],
): FieldError[] {
  const errs: FieldError[] = [];
  let handlers = 0;
  for (const h of kinds) {
    if (handler[h] === undefined || handler[h] === null) continue;
    const hp = `${path}.${h}`;
    if (handlers++ > 0) {
      errs.push({
        field: hp,
        type: 'FieldValueForbidden',
        detail: 'may not specify more than 1 handler type',
      });
      continue;
    }
    const action = asObj(handler[h]);
    if (h === 'exec' && asList(action.command).length === 0) errs.push(required(`${hp}.command`));
    if (h === 'httpGet' || h === 'tcpSocket') errs.push(...portProblems(action.port, `${hp}.port`));
    if (h === 'httpGet' && action.scheme !== undefined && !['HTTP', 'HTTPS'].includes(String(action.scheme)))
      errs.push(notSupported(`${hp}.scheme`, action.scheme, ['HTTP', 'HTTPS']));
    errs.push(...own(h, action, hp));
  }
  if (handlers === 0)
    errs.push({ field: path, type: 'FieldValueRequired', detail: 'must specify a handler type' });
  return errs;
}

/**
 * A probe as the API checks it: exactly one handler (exec, httpGet, tcpSocket, grpc; the later ones
 * Forbidden), each handler's own fields, the timings not negative, and a liveness or startup probe's
 * successThreshold exactly 1 (only readiness may want several successes).
 */
function probeProblems(probe: Obj, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  const errs = handlerProblems(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc'], (h, action, hp) =>
    h === 'grpc' && !inPortRange(action.port)
      ? [invalidValue(`${hp}.port`, action.port ?? 0, portRange)]
      : [],
  );
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ])
    errs.push(...nonNegative(`${path}.${f}`, probe[f]));
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    errs.push(invalidValue(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  return errs;
}

/**
 * A postStart or preStop handler: exactly one of exec, httpGet, tcpSocket (deprecated, accepted) and
 * sleep; a sleep within the pod's grace period.
 */
function hookProblems(handler: Obj, path: string, grace: unknown): FieldError[] {
  return handlerProblems(handler, path, ['exec', 'httpGet', 'tcpSocket', 'sleep'], (h, action, hp) => {
    const seconds = Number(action.seconds ?? 0);
    if (h !== 'sleep' || typeof grace !== 'number' || (seconds > 0 && seconds <= grace)) return [];
    return [
      invalidValue(
        hp,
        seconds,
        `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
      ),
    ];
  });
}

/** Each container's name (unique among `names`, which it joins), image, ports, policies, hooks and probes. */
export function validateContainers(
  list: Obj[],
  path: string,
  errs: FieldError[],
  names: Set<string>,
  grace?: unknown,
): void {
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
    const policy = c.terminationMessagePolicy;
    if (policy !== undefined && !['File', 'FallbackToLogsOnError'].includes(String(policy)))
      errs.push(notSupported(`${p}.terminationMessagePolicy`, policy, ['File', 'FallbackToLogsOnError']));
    for (const hook of ['postStart', 'preStop'] as const) {
      const handler = asObj(c.lifecycle)[hook];
      if (handler && typeof handler === 'object')
        errs.push(...hookProblems(handler as Obj, `${p}.lifecycle.${hook}`, grace));
    }
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      const probe = c[`${kind}Probe`];
      if (probe && typeof probe === 'object')
        errs.push(...probeProblems(probe as Obj, `${p}.${kind}Probe`, kind));
    }
  });
}

export function validatePodSpec(spec: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const s = asObj(spec);
  const containers = asList(s.containers);
  if (containers.length === 0) errs.push(required(`${path}.containers`));
  const names = new Set<string>();
  validateContainers(
    asList(s.initContainers),
    `${path}.initContainers`,
    errs,
    names,
    s.terminationGracePeriodSeconds,
  );
  validateContainers(containers, `${path}.containers`, errs, names, s.terminationGracePeriodSeconds);
  // Hooks and probes belong to containers that keep running (sidecars, restartPolicy Always, aside).
  asList(s.initContainers).forEach((c, i) => {
    if (c.restartPolicy === 'Always') return;
    for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
      if (c[f] !== undefined && c[f] !== null)
        errs.push({
          field: `${path}.initContainers[${i}].${f}`,
          type: 'FieldValueForbidden',
          detail: 'may not be set for init containers without restartPolicy=Always',
        });
  });
  if (s.restartPolicy !== undefined && !restartPolicies.includes(String(s.restartPolicy)))
    errs.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies));
  const volumes = new Set<string>();
  asList(s.volumes).forEach((v, i) => {
    if (typeof v.name !== 'string' || !v.name) errs.push(required(`${path}.volumes[${i}].name`));
    else if (volumes.has(v.name))
      errs.push({ field: `${path}.volumes[${i}].name`, type: 'FieldValueDuplicate', value: v.name });
    else volumes.add(v.name);
    if (v.ephemeral !== undefined) {
      const template = asObj(asObj(v.ephemeral).volumeClaimTemplate);
      const at = `${path}.volumes[${i}].ephemeral.volumeClaimTemplate`;
      if (!Object.keys(template).length) errs.push(required(at));
      else if (!Object.keys(asObj(template.spec)).length) errs.push(required(`${at}.spec`));
    }
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
