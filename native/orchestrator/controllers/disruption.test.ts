import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { type KindRef, Kinds } from '../client/client.ts';
import { ownerRefTo } from './common.ts';
import { DisruptionController, deletionTimeoutMs, scaledValue } from './disruption.ts';
import { eventually, runPod, type TestCluster, template, testCluster } from './testing.ts';

type Status = {
  observedGeneration?: number;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptedPods?: Record<string, string>;
  conditions?: {
    type: string;
    status: string;
    reason: string;
    message: string;
    observedGeneration?: number;
  }[];
};

test('percentages of the controllers’ scale round up, as intstr.GetScaledValueFromIntOrPercent does', () => {
  assert.equal(scaledValue('50%', 3), 2);
  assert.equal(scaledValue('25%', 3), 1);
  assert.equal(scaledValue('34%', 3), 2);
  assert.equal(scaledValue('0%', 5), 0);
  assert.equal(scaledValue('100%', 7), 7);
  assert.equal(scaledValue(2, 7), 2);
  assert.throws(() => scaledValue('2', 7), /not a percentage/);
});

async function setup() {
  const t = await testCluster();
  await t.start(new DisruptionController());
  return t;
}

const budget = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: { app: name } }, ...spec },
});

const statusOf = async (t: TestCluster, name: string) =>
  (await t.client.get(Kinds.PodDisruptionBudget, 'default', name))?.status as Status | undefined;

/** Waits until the budget's status has these fields. */
const statusIs = (t: TestCluster, name: string, want: Partial<Status>) => {
  let last: Status | undefined;
  return eventually(
    async () => {
      last = await statusOf(t, name);
      return (
        !!last &&
        Object.entries(want).every(
          ([k, v]) => JSON.stringify(last?.[k as keyof Status]) === JSON.stringify(v),
        ) &&
        last
      );
    },
    `${name}: ${JSON.stringify(want)}`,
    () => last,
  );
};

/** A pod of `owner` (or of nobody), running and Ready unless told otherwise. */
async function podOf(
  t: TestCluster,
  name: string,
  app: string,
  owner?: KubeObject,
  ownerKind: KindRef = Kinds.ReplicaSet,
  ready = true,
) {
  const pod = await t.client.create(Kinds.Pod, {
    metadata: {
      name,
      namespace: 'default',
      labels: { app },
      ...(owner ? { ownerReferences: [ownerRefTo(owner, ownerKind)] } : {}),
    },
    spec: template({ app }).spec,
  });
  return runPod(t, pod, { ready });
}

test("a Deployment's pods (through their ReplicaSet): a percentage counts the Deployment's replicas", async () => {
  const t = await setup();
  try {
    // Four replicas wanted, three pods there: minAvailable 50% of 4 is 2, three Ready allow one.
    const d = await t.client.create(Kinds.Deployment, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
    });
    const rs = await t.client.create(Kinds.ReplicaSet, {
      metadata: { name: 'web-abc', namespace: 'default', ownerReferences: [ownerRefTo(d, Kinds.Deployment)] },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
    });
    for (const n of ['web-1', 'web-2', 'web-3']) await podOf(t, n, 'web', rs);
    await t.client.create(Kinds.PodDisruptionBudget, budget('web', { minAvailable: '50%' }));
    const st = await statusIs(t, 'web', {
      observedGeneration: 1,
      expectedPods: 4,
      desiredHealthy: 2,
      currentHealthy: 3,
      disruptionsAllowed: 1,
    });
    assert.deepEqual(
      st.conditions?.map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]),
      [['DisruptionAllowed', 'True', 'SufficientPods', '', 1]],
    );
    // A pod that stops being Ready: none allowed, the condition turns False.
    const pod = (await t.client.get(Kinds.Pod, 'default', 'web-3'))!;
    await runPod(t, pod, { ready: false });
    const after = await statusIs(t, 'web', { currentHealthy: 2, disruptionsAllowed: 0 });
    assert.deepEqual(
      after.conditions?.map((c) => [c.type, c.status, c.reason]),
      [['DisruptionAllowed', 'False', 'InsufficientPods']],
    );
    // maxUnavailable 25% of 4 rounds up to 1: three must be healthy.
    const b = (await t.client.get(Kinds.PodDisruptionBudget, 'default', 'web'))!;
    await t.client.update(Kinds.PodDisruptionBudget, {
      ...b,
      spec: { ...b.spec, minAvailable: undefined, maxUnavailable: '25%' },
    });
    await statusIs(t, 'web', {
      observedGeneration: 2,
      expectedPods: 4,
      desiredHealthy: 3,
      disruptionsAllowed: 0,
    });
  } finally {
    await t.stop();
  }
});

test('an integer minAvailable counts the pods there are, managed or not; a StatefulSet counts its replicas', async () => {
  const t = await setup();
  try {
    await podOf(t, 'solo-1', 'solo');
    await podOf(t, 'solo-2', 'solo');
    await podOf(t, 'solo-3', 'solo', undefined, undefined, false);
    await t.client.create(Kinds.PodDisruptionBudget, budget('solo', { minAvailable: 1 }));
    await statusIs(t, 'solo', {
      expectedPods: 3,
      desiredHealthy: 1,
      currentHealthy: 2,
      disruptionsAllowed: 1,
    });

    const ss = await t.client.create(Kinds.StatefulSet, {
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: template({ app: 'db' }),
      },
    });
    await podOf(t, 'db-0', 'db', ss, Kinds.StatefulSet);
    await podOf(t, 'db-1', 'db', ss, Kinds.StatefulSet);
    await t.client.create(Kinds.PodDisruptionBudget, budget('db', { maxUnavailable: 1 }));
    // 3 expected, 1 may be unavailable: 2 needed, 2 Ready: none allowed.
    await statusIs(t, 'db', { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
  } finally {
    await t.stop();
  }
});

test('no pods: nothing allowed; a pod whose controller has no scale fails the sync safe (SyncFailed)', async () => {
  const t = await setup();
  try {
    await t.client.create(Kinds.PodDisruptionBudget, budget('none', { maxUnavailable: 1 }));
    await statusIs(t, 'none', { observedGeneration: 1, expectedPods: 0, disruptionsAllowed: 0 });

    const job = await t.client.create(Kinds.Job, {
      metadata: { name: 'batch', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await podOf(t, 'batch-1', 'batch', job, Kinds.Job);
    await t.client.create(Kinds.PodDisruptionBudget, budget('batch', { maxUnavailable: '10%' }));
    const st = await eventually(async () => {
      const s = await statusOf(t, 'batch');
      return s?.conditions?.[0]?.reason === 'SyncFailed' && s;
    }, 'SyncFailed');
    assert.equal(st.disruptionsAllowed, 0);
    assert.equal(st.conditions?.[0].message, 'found no controllers for pod "batch-1"');
  } finally {
    await t.stop();
  }
});

test('a disrupted pod does not count as healthy until it goes, or for two minutes if it never does', async () => {
  const t = await setup();
  try {
    for (const n of ['q-1', 'q-2', 'q-3']) await podOf(t, n, 'q');
    await t.client.create(Kinds.PodDisruptionBudget, budget('q', { minAvailable: 1 }));
    await statusIs(t, 'q', { currentHealthy: 3, disruptionsAllowed: 2 });
    // What an eviction writes: one taken, the pod recorded.
    const b = (await t.client.get(Kinds.PodDisruptionBudget, 'default', 'q'))!;
    const at = new Date(t.clock.now()).toISOString().replace('.000Z', 'Z');
    await t.client.updateStatus(Kinds.PodDisruptionBudget, {
      ...b,
      status: { ...b.status, disruptionsAllowed: 1, disruptedPods: { 'q-1': at } },
    });
    await statusIs(t, 'q', { currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { 'q-1': at } });
    // Two minutes pass and q-1 is still there: it counts again (the recheck queued for then).
    await t.clock.advance(deletionTimeoutMs + 1000);
    const st = await statusIs(t, 'q', { currentHealthy: 3, disruptionsAllowed: 2 });
    assert.equal(st.disruptedPods, undefined);

    // A disrupted pod being deleted is dropped from the map at once (and not counted).
    const b2 = (await t.client.get(Kinds.PodDisruptionBudget, 'default', 'q'))!;
    const at2 = new Date(t.clock.now()).toISOString().replace('.000Z', 'Z');
    await t.client.updateStatus(Kinds.PodDisruptionBudget, {
      ...b2,
      status: { ...b2.status, disruptionsAllowed: 1, disruptedPods: { 'q-2': at2 } },
    });
    await t.client.delete(Kinds.Pod, 'default', 'q-2', { gracePeriodSeconds: 30 });
    const gone = await statusIs(t, 'q', { currentHealthy: 2, disruptionsAllowed: 1 });
    assert.equal(gone.disruptedPods, undefined);
  } finally {
    await t.stop();
  }
});
