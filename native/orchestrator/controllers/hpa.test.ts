import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import type { Usage } from '../metrics/usage.ts';
import { HorizontalPodAutoscalerController, type PodUsageSource } from './hpa.ts';
import { eventually, runPod, type TestCluster, testCluster } from './testing.ts';

type Obj = Record<string, unknown>;

/** CPU per pod name, in cores, that a test sets and changes. */
function fakeUsage(cpu: Map<string, number>): PodUsageSource {
  return async (pods) => {
    const out = new Map<string, { name: string; usage: Usage }[]>();
    for (const p of pods) {
      const cores = cpu.get(p.metadata!.name!);
      if (cores === undefined) continue;
      out.set(String(p.metadata?.uid), [
        { name: 'c', usage: { cpuNanoCores: cores * 1e9, memoryBytes: 10 << 20, windowMs: 15_000, atMs: 0 } },
      ]);
    }
    return out;
  };
}

async function workload(t: TestCluster, replicas: number, pods: string[], request: string | null = '100m') {
  await t.client.create(Kinds.Deployment, {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  for (const name of pods) {
    await t.client.create(Kinds.Pod, {
      metadata: { name, namespace: 'default', labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'c', image: 'busybox', ...(request ? { resources: { requests: { cpu: request } } } : {}) },
        ],
      },
    });
    await runPod(t, { metadata: { name, namespace: 'default' } });
  }
}

const hpa = (extra: Obj = {}): KubeObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
    ...extra,
  },
});

const replicas = async (t: TestCluster) =>
  (await t.client.get(Kinds.Deployment, 'default', 'web'))?.spec?.replicas;
const hpaStatus = async (t: TestCluster) =>
  ((await t.client.get(Kinds.HorizontalPodAutoscaler, 'default', 'web'))?.status ?? {}) as Obj;
const conditions = (s: Obj) =>
  Object.fromEntries(
    ((s.conditions ?? []) as Obj[]).map((c) => [c.type, `${c.status} ${c.reason}: ${c.message}`]),
  );
const events = async (t: TestCluster) =>
  (await t.client.list(Kinds.Event, { namespace: 'default' })).items.map((e) => `${e.reason}: ${e.message}`);

test('busy pods scale the workload up (doubling at most per period), then a quiet spell scales it down after the 300 s window', async () => {
  const t = await testCluster();
  const cpu = new Map([
    ['p1', 0.2],
    ['p2', 0.2],
  ]);
  await workload(t, 2, ['p1', 'p2']);
  await t.start(new HorizontalPodAutoscalerController(fakeUsage(cpu)));
  await t.client.create(Kinds.HorizontalPodAutoscaler, hpa());
  // 200% of the request against 50%: 8 wanted, 2 × 2 = 4 or 2 + 4 = 6 allowed now.
  await eventually(
    async () => (await replicas(t)) === 6,
    'scaled to 6',
    () => replicas(t),
  );
  const s = await eventually(async () => {
    const st = await hpaStatus(t);
    return st.desiredReplicas === 6 && st;
  }, 'status written');
  assert.deepEqual(s.currentMetrics, [
    {
      type: 'Resource',
      resource: { name: 'cpu', current: { averageValue: '200m', averageUtilization: 200 } },
    },
  ]);
  assert.deepEqual(conditions(s), {
    AbleToScale: 'True SucceededRescale: the HPA controller was able to update the target scale to 6',
    ScalingActive:
      'True ValidMetricFound: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    ScalingLimited: 'False DesiredWithinRange: the desired count is within the acceptable range',
  });
  assert.ok(
    (await events(t)).includes(
      'SuccessfulRescale: New size: 6; reason: cpu resource utilization (percentage of request) above target',
    ),
  );
  // Quiet: 20% wanted 50% → fewer replicas, but the window keeps the high recommendation for 300 s.
  cpu.set('p1', 0.02).set('p2', 0.02);
  await t.clock.advance(15_000);
  await t.clock.advance(15_000);
  assert.equal(await replicas(t), 6);
  await t.clock.advance(300_000);
  await eventually(
    async () => Number((await replicas(t)) ?? 99) < 6,
    'scaled down',
    () => replicas(t),
  );
  await t.stop();
});

test('bounds apply without metrics; metrics that cannot be read say why, in Kubernetes words', async () => {
  const t = await testCluster();
  await workload(t, 1, ['p1'], null);
  await t.start(new HorizontalPodAutoscalerController(fakeUsage(new Map([['p1', 0.5]]))));
  await t.client.create(Kinds.HorizontalPodAutoscaler, hpa({ minReplicas: 3 }));
  await eventually(async () => (await replicas(t)) === 3, 'raised to minReplicas');
  // At 3 (within bounds) the CPU is read: p1 requests no CPU.
  let last: Obj = {};
  await t.clock.advance(15_000);
  const s = await eventually(
    async () => {
      const st = await hpaStatus(t);
      last = st;
      return String(conditions(st).ScalingActive ?? '').startsWith('False') && st;
    },
    'metric failure recorded',
    () => last,
  );
  assert.equal(
    conditions(s).AbleToScale,
    "True SucceededGetScale: the HPA controller was able to get the target's current scale",
  );
  assert.equal(
    conditions(s).ScalingActive,
    'False FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod p1',
  );
  assert.ok(
    (await events(t)).some((e) =>
      e.startsWith(
        'FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu',
      ),
    ),
  );
  await t.stop();
});

test('a target that does not exist: AbleToScale False, FailedGetScale', async () => {
  const t = await testCluster();
  await t.start(new HorizontalPodAutoscalerController(fakeUsage(new Map())));
  await t.client.create(Kinds.HorizontalPodAutoscaler, hpa());
  const s = await eventually(async () => {
    const st = await hpaStatus(t);
    return st.conditions ? st : undefined;
  }, 'status');
  assert.equal(
    conditions(s).AbleToScale,
    `False FailedGetScale: the HPA controller was unable to get the target's current scale: deployments.apps "web" not found`,
  );
  await t.stop();
});

test('autoscaling/v1 shows the v2 object as kubectl autoscale made it, and back', async () => {
  const t = await testCluster();
  const v1 = await t.ctx.registry.lookup('autoscaling', 'v1', 'horizontalpodautoscalers');
  assert.ok(v1);
  const { fromV1, toV1 } = await import('../apiserver/resources/autoscaling.ts');
  const made = fromV1({
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 60,
    },
    status: { currentReplicas: 2, desiredReplicas: 2 },
  });
  assert.deepEqual((made.spec as Obj).metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
  ]);
  const withMemory = {
    ...made,
    spec: {
      ...(made.spec as Obj),
      metrics: [
        ...((made.spec as Obj).metrics as Obj[]),
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
        },
      ],
    },
  };
  const shown = toV1(withMemory);
  assert.equal((shown.spec as Obj).targetCPUUtilizationPercentage, 60);
  assert.match(String(shown.metadata?.annotations?.['autoscaling.alpha.kubernetes.io/metrics']), /memory/);
  assert.deepEqual((fromV1(shown).spec as Obj).metrics, (withMemory.spec as Obj).metrics);
  await t.stop();
});
