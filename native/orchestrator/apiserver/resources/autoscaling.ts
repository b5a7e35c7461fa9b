// autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler: one stored form (v2), two served views.
// v1 (what `kubectl autoscale` creates) knows only a CPU utilization target; the v2 metrics it cannot
// say ride in the annotations Kubernetes uses for them, so that a v1 round trip loses nothing.
import type { KubeObject, ResourceDef } from '../registry.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, nameColumn } from '../table.ts';
import { invalidValue, notSupported, required } from '../validation.ts';
import { asList, asObj } from './podspec.ts';

type Obj = Record<string, unknown>;

const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';

const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const targetTypes = ['AverageValue', 'Utilization', 'Value'];

/** The field of a metric spec or status holding its source: `Resource` → `resource`. */
const sourceKey = (type: unknown) => String(type).charAt(0).toLowerCase() + String(type).slice(1);

const isCpuUtilization = (m: Obj) =>
  m.type === 'Resource' &&
  asObj(m.resource).name === 'cpu' &&
  asObj(asObj(m.resource).target).type === 'Utilization';

/** SetDefaults_HorizontalPodAutoscaler (v2): one replica at least, 80% CPU when no metric is named. */
function defaultsV2(o: KubeObject) {
  const spec = asObj(o.spec);
  o.spec = spec;
  spec.minReplicas ??= 1;
  if (spec.metrics === undefined)
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
}

function validateBounds(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ref = asObj(spec.scaleTargetRef);
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind'));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name'));
  const min = spec.minReplicas === undefined ? 1 : Number(spec.minReplicas);
  const max = Number(spec.maxReplicas ?? 0);
  if (min < 1)
    errs.push(invalidValue('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (max < min)
    errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

function validateV2(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs = validateBounds(spec);
  asList(spec.metrics).forEach((m, i) => {
    const at = `spec.metrics[${i}]`;
    if (!metricTypes.includes(String(m.type ?? ''))) {
      errs.push(m.type ? notSupported(`${at}.type`, m.type, metricTypes) : required(`${at}.type`));
      return;
    }
    const key = sourceKey(m.type);
    const source = m[key];
    if (source === undefined) {
      errs.push({
        ...required(`${at}.${key}`),
        detail: `must populate information for the given metric source`,
      });
      return;
    }
    const t = asObj(asObj(source).target);
    if (!targetTypes.includes(String(t.type ?? '')))
      errs.push(notSupported(`${at}.${key}.target.type`, t.type ?? '', targetTypes));
    if (t.type === 'Utilization' && !(Number(t.averageUtilization) > 0))
      errs.push({
        ...required(`${at}.${key}.target.averageUtilization`),
        detail: 'must set averageUtilization when type is Utilization',
      });
    if ((m.type === 'Resource' || m.type === 'ContainerResource') && !asObj(source).name)
      errs.push(required(`${at}.${key}.name`));
  });
  return errs;
}

function validateV1(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs = validateBounds(spec);
  const cpu = spec.targetCPUUtilizationPercentage;
  if (cpu !== undefined && !(Number(cpu) >= 1))
    errs.push(invalidValue('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than or equal to 1'));
  return errs;
}

const parseJson = (s: unknown): unknown[] => {
  try {
    const v = JSON.parse(String(s));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
};

/** The stored v2 object as v1 shows it. */
export function toV1(o: KubeObject): KubeObject {
  const spec = asObj(o.spec);
  const status = asObj(o.status);
  const metrics = asList(spec.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const annotations: Record<string, string> = { ...(o.metadata?.annotations ?? {}) };
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others);
  const current = asList(status.currentMetrics);
  const cpuNow = current.find((m) => m.type === 'Resource' && asObj(m.resource).name === 'cpu');
  const otherNow = current.filter((m) => m !== cpuNow);
  if (otherNow.length) annotations[currentMetricsAnnotation] = JSON.stringify(otherNow);
  if (asList(status.conditions).length) annotations[conditionsAnnotation] = JSON.stringify(status.conditions);
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  const v1spec: Obj = {
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
  };
  const target = cpu ? asObj(asObj(cpu.resource).target).averageUtilization : undefined;
  if (target !== undefined) v1spec.targetCPUUtilizationPercentage = target;
  const v1status: Obj = {
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
  };
  if (status.observedGeneration !== undefined) v1status.observedGeneration = status.observedGeneration;
  if (status.lastScaleTime !== undefined) v1status.lastScaleTime = status.lastScaleTime;
  const util = cpuNow ? asObj(asObj(cpuNow.resource).current).averageUtilization : undefined;
  if (util !== undefined) v1status.currentCPUUtilizationPercentage = util;
  return {
    ...o,
    metadata: { ...o.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: v1spec,
    status: v1status,
  };
}

/** A v1 object in the stored v2 form: the annotations give back what v1 cannot say. */
export function fromV1(o: KubeObject): KubeObject {
  const spec = asObj(o.spec);
  const status = asObj(o.status);
  const annotations: Record<string, string> = { ...(o.metadata?.annotations ?? {}) };
  const others = parseJson(annotations[metricsAnnotation]);
  const otherNow = parseJson(annotations[currentMetricsAnnotation]);
  const conditions = parseJson(annotations[conditionsAnnotation]);
  const behavior = annotations[behaviorAnnotation] ? JSON.parse(annotations[behaviorAnnotation]) : undefined;
  for (const k of [metricsAnnotation, currentMetricsAnnotation, conditionsAnnotation, behaviorAnnotation])
    delete annotations[k];
  const metrics: unknown[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
      },
    });
  metrics.push(...others);
  // No target at all: v2's default, 80% CPU (what the controller uses for a v1 object without one).
  if (metrics.length === 0)
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
    });
  const v2spec: Obj = {
    scaleTargetRef: spec.scaleTargetRef,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
  };
  v2spec.metrics = metrics;
  if (behavior) v2spec.behavior = behavior;
  const current: unknown[] = [];
  if (status.currentCPUUtilizationPercentage !== undefined)
    current.push({
      type: 'Resource',
      resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
    });
  current.push(...otherNow);
  const v2status: Obj = { desiredReplicas: status.desiredReplicas ?? 0 };
  for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas'])
    if (status[k] !== undefined) v2status[k] = status[k];
  if (current.length) v2status.currentMetrics = current;
  if (conditions.length) v2status.conditions = conditions;
  const metadata = { ...o.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...o, metadata, spec: v2spec, status: v2status };
}

/** The TARGETS column: `cpu: 42%/80%`, `<unknown>` until measured, two at most then how many more. */
export function formatTargets(o: KubeObject): string {
  const spec = asObj(o.spec);
  const current = asList(asObj(o.status).currentMetrics);
  const metrics = asList(spec.metrics);
  if (metrics.length === 0) return '<none>';
  const parts = metrics.map((m, i) => {
    const type = String(m.type);
    const key = sourceKey(type);
    const src = asObj(m[key]);
    const t = asObj(src.target);
    const now = asObj(asObj(current[i]?.[key]).current);
    const have = current[i]?.type === m.type;
    let wanted: string;
    let value: string;
    if (t.type === 'Utilization') {
      wanted = `${t.averageUtilization}%`;
      value = have && now.averageUtilization !== undefined ? `${now.averageUtilization}%` : '<unknown>';
    } else if (t.type === 'AverageValue') {
      wanted = String(t.averageValue);
      value = have && now.averageValue !== undefined ? String(now.averageValue) : '<unknown>';
    } else {
      wanted = String(t.value);
      value = have && now.value !== undefined ? String(now.value) : '<unknown>';
    }
    if (m.type === 'Resource') return `${src.name}: ${value}/${wanted}`;
    if (m.type === 'ContainerResource')
      return `${src.name} of container ${src.container}: ${value}/${wanted}`;
    const name = String(asObj(src.metric).name ?? '');
    return m.type === 'External' && t.type === 'AverageValue'
      ? `${value}/${wanted} (avg)`
      : `${name ? `${name}: ` : ''}${value}/${wanted}`;
  });
  return parts.length > 2
    ? `${parts.slice(0, 2).join(', ')} + ${parts.length - 2} more...`
    : parts.join(', ');
}

const reference = (o: KubeObject) => {
  const r = asObj(asObj(o.spec).scaleTargetRef);
  return `${r.kind ?? ''}/${r.name ?? ''}`;
};

function hpaTable(targets: (o: KubeObject) => string) {
  return [
    nameColumn,
    column('Reference', reference, 'The object the autoscaler scales.'),
    column('Targets', targets, 'The metrics as read, against their targets.'),
    column('MinPods', (o) => Number(asObj(o.spec).minReplicas ?? 1), 'The fewest replicas.', {
      type: 'integer',
    }),
    column('MaxPods', (o) => Number(asObj(o.spec).maxReplicas ?? 0), 'The most replicas.', {
      type: 'integer',
    }),
    column('Replicas', (o) => Number(asObj(o.status).currentReplicas ?? 0), 'The replicas there are.', {
      type: 'integer',
    }),
    ageColumn,
  ];
}

const common: Omit<ResourceDef, 'version' | 'table' | 'strategy'> = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: { status: true },
  tracksGeneration: true,
};

export const hpaV2Def: ResourceDef = {
  ...common,
  version: 'v2',
  table: hpaTable(formatTargets),
  strategy: { defaults: defaultsV2, validate: validateV2, initialStatus: () => ({ desiredReplicas: 0 }) },
};

export const hpaV1Def: ResourceDef = {
  ...common,
  version: 'v1',
  storage: { resource: 'autoscaling/horizontalpodautoscalers', fromStored: toV1, toStored: fromV1 },
  table: hpaTable((o) => formatTargets(fromV1(o))),
  strategy: {
    defaults: (o) => {
      const spec = asObj(o.spec);
      o.spec = spec;
      spec.minReplicas ??= 1;
    },
    validate: validateV1,
    initialStatus: () => ({ currentReplicas: 0, desiredReplicas: 0 }),
  },
};

/** v2 first: it is the preferred version, and what the controllers read. */
export const autoscalingDefs = [hpaV2Def, hpaV1Def];
