// The HorizontalPodAutoscaler controller, as kube-controller-manager's: every 15 s per autoscaler (and
// at once when one changes) it reads the target's replicas, the pods' CPU and memory from the same
// usage readings `kubectl top` shows (metrics/), and sets the target's replicas to
//   ceil(current ready pods × current / target)
// when that ratio is off by more than the 10% tolerance — bounded by minReplicas/maxReplicas, by the
// scale-up policies (default: double, or 4 pods more, per period) and by the scale-down stabilization
// window (default 300 s: the highest recommendation of that window wins, so a dip does not shrink the
// workload at once). Only Resource and ContainerResource metrics can be read here (no custom or
// external metrics API): the others fail as they fail on a cluster without those adapters. Status and
// conditions (AbleToScale, ScalingActive, ScalingLimited) and events use Kubernetes' words.
import type { KubeObject } from '../apiserver/registry.ts';
import { type KindRef, Kinds } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import { podContainerUsage } from '../metrics/resources.ts';
import { engineReader, type Usage, UsageMeter } from '../metrics/usage.ts';
import type { PartEnv } from '../parts.ts';
import { parseQuantity } from '../scheduler/resources.ts';
import {
  asList,
  asObj,
  Controller,
  ignoreGone,
  int,
  iso,
  type Obj,
  selects,
  spec,
  status,
  writeStatus,
} from './common.ts';
import { EventRecorder } from './events.ts';

/** Container usage of pods, by pod UID (what the controller reads metrics from). */
export type PodUsageSource = (pods: KubeObject[]) => Promise<Map<string, { name: string; usage: Usage }[]>>;

const syncPeriodMs = 15_000;
const tolerance = 0.1;
const defaultScaleDownWindowS = 300;

const targetKinds: Record<string, KindRef> = {
  'apps/Deployment': Kinds.Deployment,
  'apps/ReplicaSet': Kinds.ReplicaSet,
  'apps/StatefulSet': Kinds.StatefulSet,
};

class MetricError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface Recommendation {
  atMs: number;
  replicas: number;
}

interface Computed {
  replicas: number;
  status: Obj;
  /** How kubectl's events name the metric: `cpu resource utilization (percentage of request)`. */
  describe: string;
  above: boolean;
}

function condition(type: string, st: boolean, reason: string, message: string) {
  return { type, status: st ? 'True' : 'False', reason, message };
}

const tooManyReplicas = condition(
  'ScalingLimited',
  true,
  'TooManyReplicas',
  'the desired replica count is more than the maximum replica count',
);
const tooFewReplicas = condition(
  'ScalingLimited',
  true,
  'TooFewReplicas',
  'the desired replica count is less than the minimum replica count',
);

export class HorizontalPodAutoscalerController extends Controller {
  readonly name = 'horizontal-pod-autoscaler';
  private events!: EventRecorder;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private usage?: PodUsageSource;

  /** `source` replaces the engine's readings (tests). */
  constructor(private readonly source?: PodUsageSource) {
    super();
  }

  override async start(env: PartEnv): Promise<void> {
    const engine = env.engine;
    this.usage =
      this.source ??
      (engine
        ? (
            (meter) => (pods: KubeObject[]) =>
              podContainerUsage(engine.containers, meter, pods)
          )(new UsageMeter(engineReader(engine.containers)))
        : undefined);
    await super.start(env);
  }

  private get hpas() {
    return this.env.informers.for(Kinds.HorizontalPodAutoscaler);
  }

  protected register(): void {
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.hpas.on({
      add: (h) => this.enqueue(h),
      update: (h, old) => {
        if (h.metadata?.generation !== old?.metadata?.generation) this.enqueue(h);
      },
      delete: (h) => this.recommendations.delete(keyOf(h)),
    });
    // The pods' informer, started now so that it is synced with the others before the first sync.
    this.env.informers.for(Kinds.Pod);
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.hpas.get(namespace, name);
    if (!hpa || hpa.metadata?.deletionTimestamp) {
      this.recommendations.delete(key);
      return;
    }
    // The next look, whatever happens now: metrics change without any event.
    this.queue.addAfter(key, syncPeriodMs);
    const s = spec(hpa);
    const ref = asObj(s.scaleTargetRef);
    const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
    const kind = targetKinds[`${group}/${ref.kind}`];
    const old = status(hpa);
    const next: Obj = { ...old, observedGeneration: hpa.metadata?.generation };
    const conditions: Obj[] = [];
    const target = kind ? await this.client.get(kind, namespace, String(ref.name)) : undefined;
    if (!target) {
      const why = kind
        ? `${kind.kind.toLowerCase()}s.${kind.group} "${ref.name}" not found`
        : `no scale subresource for ${ref.apiVersion ?? ''} ${ref.kind}`;
      const message = `the HPA controller was unable to get the target's current scale: ${why}`;
      this.events.record(hpa, 'Warning', 'FailedGetScale', why);
      conditions.push(condition('AbleToScale', false, 'FailedGetScale', message));
      await this.finish(hpa, next, conditions);
      return;
    }
    const current = int(spec(target).replicas, 1);
    const min = int(s.minReplicas, 1);
    const max = int(s.maxReplicas, 1);
    next.currentReplicas = int(status(target).replicas, current);
    let desired = current;
    let reason = '';
    let limited = condition(
      'ScalingLimited',
      false,
      'DesiredWithinRange',
      'the desired count is within the acceptable range',
    );
    if (current === 0 && min !== 0) {
      desired = 0;
      conditions.push(
        condition(
          'ScalingActive',
          false,
          'ScalingDisabled',
          'scaling is disabled since the replica count of the target is zero',
        ),
      );
    } else if (current > max) {
      desired = max;
      reason = 'Current number of replicas above Spec.MaxReplicas';
      limited = tooManyReplicas;
    } else if (current < min) {
      desired = min;
      reason = 'Current number of replicas below Spec.MinReplicas';
      limited = tooFewReplicas;
    } else {
      const computed = await this.compute(hpa, target, current);
      next.currentMetrics = computed.metrics;
      if (computed.best === undefined) {
        const first = computed.errors[0];
        this.events.record(hpa, 'Warning', first.reason, first.message);
        this.events.record(
          hpa,
          'Warning',
          'FailedComputeMetricsReplicas',
          `invalid metrics (${computed.errors.length} invalid out of ${asList(s.metrics).length}), first error is: ${first.message}`,
        );
        conditions.push(
          condition(
            'AbleToScale',
            true,
            'SucceededGetScale',
            "the HPA controller was able to get the target's current scale",
          ),
          condition(
            'ScalingActive',
            false,
            first.reason,
            `the HPA was unable to compute the replica count: ${first.message}`,
          ),
        );
        await this.finish(hpa, next, conditions, current);
        return;
      }
      const best = computed.best;
      conditions.push(
        condition(
          'ScalingActive',
          true,
          'ValidMetricFound',
          `the HPA was able to successfully calculate a replica count from ${best.describe}`,
        ),
      );
      desired = this.stabilize(key, hpa, current, best.replicas);
      reason = best.above ? `${best.describe} above target` : 'All metrics below target';
      if (desired > max) {
        limited = tooManyReplicas;
        desired = max;
      } else if (desired < min) {
        limited = tooFewReplicas;
        desired = min;
      }
    }
    conditions.push(limited);
    if (desired !== current) {
      try {
        await this.client.update(kind!, { ...target, spec: { ...spec(target), replicas: desired } });
      } catch (err) {
        const message = `the HPA controller was unable to update the target scale: ${(err as Error).message}`;
        this.events.record(hpa, 'Warning', 'FailedRescale', message);
        conditions.unshift(condition('AbleToScale', false, 'FailedUpdateScale', message));
        await this.finish(hpa, next, conditions, current);
        return;
      }
      this.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      next.lastScaleTime = iso(this.clock.now());
      conditions.unshift(
        condition(
          'AbleToScale',
          true,
          'SucceededRescale',
          `the HPA controller was able to update the target scale to ${desired}`,
        ),
      );
    } else
      conditions.unshift(
        condition('AbleToScale', true, 'ReadyForNewScale', 'recommended size matches current size'),
      );
    await this.finish(hpa, next, conditions, desired);
  }

  /** Writes the status, keeping each condition's lastTransitionTime while its status holds. */
  private async finish(hpa: KubeObject, next: Obj, conditions: Obj[], desired?: number) {
    const before = asList(status(hpa).conditions);
    const now = iso(this.clock.now());
    next.conditions = conditions.map((c) => {
      const was = before.find((b) => b.type === c.type);
      return { ...c, lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : now };
    });
    next.desiredReplicas = desired ?? int(next.currentReplicas, 0);
    await ignoreGone(writeStatus(this.client, Kinds.HorizontalPodAutoscaler, hpa, next));
  }

  /** Scale-up policies and the scale-down stabilization window (HorizontalPodAutoscalerBehavior). */
  private stabilize(key: string, hpa: KubeObject, current: number, recommended: number): number {
    const behavior = asObj(spec(hpa).behavior);
    const now = this.clock.now();
    const down = asObj(behavior.scaleDown);
    const up = asObj(behavior.scaleUp);
    const windowS = int(down.stabilizationWindowSeconds, defaultScaleDownWindowS);
    const upWindowS = int(up.stabilizationWindowSeconds, 0);
    const keep = Math.max(windowS, upWindowS) * 1000;
    const recs = (this.recommendations.get(key) ?? []).filter((r) => now - r.atMs <= keep);
    recs.push({ atMs: now, replicas: recommended });
    this.recommendations.set(key, recs);
    const within = (s: number) => recs.filter((r) => now - r.atMs <= s * 1000).map((r) => r.replicas);
    // Down: the highest of the window; up: the lowest of its (usually empty) window.
    let desired = recommended;
    if (recommended < current) desired = Math.min(current, Math.max(...within(windowS)));
    else if (recommended > current) desired = Math.max(current, Math.min(...within(upWindowS)));
    if (desired > current) {
      if (up.selectPolicy === 'Disabled') return current;
      const policies = asList(up.policies).length
        ? asList(up.policies)
        : [
            { type: 'Percent', value: 100 },
            { type: 'Pods', value: 4 },
          ];
      const limits = policies.map((p) =>
        p.type === 'Pods' ? current + int(p.value) : Math.ceil(current * (1 + int(p.value) / 100)),
      );
      const limit = up.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
      return Math.min(desired, limit);
    }
    if (desired < current && down.selectPolicy === 'Disabled') return current;
    return desired;
  }

  /** Each metric's replica count; the largest wins. Metrics that cannot be read give errors. */
  private async compute(hpa: KubeObject, target: KubeObject, current: number) {
    const namespace = hpa.metadata?.namespace;
    const selector = spec(target).selector;
    const pods = (this.env.informers.for(Kinds.Pod).list(namespace) ?? []).filter(
      (p) =>
        selects(selector, p.metadata?.labels) &&
        !p.metadata?.deletionTimestamp &&
        status(p).phase !== 'Failed' &&
        status(p).phase !== 'Succeeded',
    );
    const metrics: Obj[] = [];
    const errors: MetricError[] = [];
    let best: Computed | undefined;
    let usage: Map<string, { name: string; usage: Usage }[]> | undefined;
    for (const m of asList(spec(hpa).metrics)) {
      try {
        if (m.type !== 'Resource' && m.type !== 'ContainerResource') {
          const kind = m.type === 'External' ? 'external' : 'custom';
          throw new MetricError(
            m.type === 'Pods'
              ? 'FailedGetPodsMetric'
              : m.type === 'Object'
                ? 'FailedGetObjectMetric'
                : 'FailedGetExternalMetric',
            `unable to get ${kind} metric: no ${kind} metrics API (${kind}.metrics.k8s.io) registered`,
          );
        }
        if (!this.usage)
          throw new MetricError(
            'FailedGetResourceMetric',
            'unable to fetch metrics from resource metrics API: no metrics source',
          );
        usage ??= await this.usage(pods);
        const c = this.resourceReplicas(m, pods, usage, current);
        metrics.push(c.status);
        if (!best || c.replicas > best.replicas) best = c;
      } catch (err) {
        if (!(err instanceof MetricError)) throw err;
        errors.push(err);
        metrics.push({ type: '' });
      }
    }
    return { best, errors, metrics: metrics.some((x) => x.type) ? metrics : undefined };
  }

  private resourceReplicas(
    m: Obj,
    pods: KubeObject[],
    usage: Map<string, { name: string; usage: Usage }[]>,
    current: number,
  ): Computed {
    const containerScoped = m.type === 'ContainerResource';
    const src = asObj(containerScoped ? m.containerResource : m.resource);
    const resource = String(src.name);
    const container = containerScoped ? String(src.container) : undefined;
    const t = asObj(src.target);
    const read = (u: Usage) => (resource === 'cpu' ? u.cpuNanoCores / 1e9 : u.memoryBytes);
    let used = 0;
    let requested = 0;
    let counted = 0;
    for (const p of pods) {
      const mine = (usage.get(String(p.metadata?.uid)) ?? []).filter(
        (c) => !container || c.name === container,
      );
      if (!mine.length) continue;
      counted++;
      for (const c of mine) used += read(c.usage);
      if (t.type !== 'Utilization') continue;
      for (const c of asList(spec(p).containers)) {
        if (container && c.name !== container) continue;
        const req = parseQuantity(asObj(asObj(c.resources).requests)[resource]);
        if (!Number.isFinite(req))
          throw new MetricError(
            'FailedGetResourceMetric',
            `failed to get ${resource} utilization: missing request for ${resource} in container ${c.name} of Pod ${p.metadata?.name}`,
          );
        requested += req;
      }
    }
    if (counted === 0)
      throw new MetricError(
        'FailedGetResourceMetric',
        `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
      );
    const what = containerScoped ? `${resource} container resource` : `${resource} resource`;
    const key = containerScoped ? 'containerResource' : 'resource';
    const ident = containerScoped ? { name: resource, container } : { name: resource };
    const quantity = (v: number) => (resource === 'cpu' ? `${Math.round(v * 1000)}m` : String(Math.round(v)));
    if (t.type === 'Utilization') {
      const utilization = Math.round((used * 100) / requested);
      const ratio = utilization / int(t.averageUtilization, 80);
      return {
        replicas: Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(ratio * counted),
        status: {
          type: m.type,
          [key]: {
            ...ident,
            current: { averageValue: quantity(used / counted), averageUtilization: utilization },
          },
        },
        describe: `${what} utilization (percentage of request)`,
        above: ratio > 1,
      };
    }
    const wanted = parseQuantity(t.type === 'AverageValue' ? t.averageValue : t.value);
    const average = used / counted;
    const ratio = (t.type === 'AverageValue' ? average : used) / wanted;
    return {
      replicas: Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(ratio * counted),
      status: { type: m.type, [key]: { ...ident, current: { averageValue: quantity(average) } } },
      describe: `${what}`,
      above: ratio > 1,
    };
  }
}
