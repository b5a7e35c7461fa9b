import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { controllerRef } from './common.ts';
import { ReplicaSetController } from './replicaset.ts';
import { eventually, podsOf, runPod, settle, template, testCluster } from './testing.ts';

const rsObj = (name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: template({ app: name, 'pod-template-hash': 'abc' }),
    ...extra,
  },
});

async function setup() {
  const t = await testCluster();
  const rsc = new ReplicaSetController();
  await t.start(rsc);
  return { t, rsc };
}

test('a ReplicaSet gets its pods from the template, owned by it, and their count in status', async () => {
  const { t, rsc } = await setup();
  const rs = await t.client.create(Kinds.ReplicaSet, rsObj('web', 3));
  const pods = await eventually(async () => {
    const p = await podsOf(t.client);
    return p.length === 3 && p;
  }, 'three pods');
  for (const p of pods) {
    assert.match(p.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(p.metadata?.labels, { app: 'web', 'pod-template-hash': 'abc' });
    assert.deepEqual(p.metadata?.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web',
        uid: rs.metadata!.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  }
  await eventually(
    async () => (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))?.status?.replicas === 3,
    'status.replicas 3',
  );
  const st = (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!.status;
  assert.deepEqual(st, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  const events = await eventually(async () => {
    const e = (await t.client.list(Kinds.Event, { namespace: 'default' })).items;
    return e.length === 3 && e;
  }, 'three events');
  assert.deepEqual(
    events.map((e) => [e.reason, e.message, (e.involvedObject as { name: string }).name]).sort(),
    pods.map((p) => ['SuccessfulCreate', `Created pod: ${p.metadata?.name}`, 'web']).sort(),
  );

  // Ready pods count as ready and (minReadySeconds 0) available.
  for (const p of pods.slice(0, 2)) await runPod(t, p);
  await eventually(
    async () => (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))?.status?.availableReplicas === 2,
    'two available',
  );
  // Nothing to do: no write, no resourceVersion change.
  await rsc.idle();
  const before = (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!.metadata!.resourceVersion;
  await settle();
  assert.equal((await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!.metadata!.resourceVersion, before);
  assert.equal((await podsOf(t.client)).length, 3, 'never more than asked for');
  await t.stop();
});

test('scaling down deletes unscheduled, then not-ready pods before ready ones; a deleted pod is replaced', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.ReplicaSet, rsObj('web', 4));
  const pods = await eventually(async () => {
    const p = await podsOf(t.client);
    return p.length === 4 && p;
  }, 'four pods');
  await runPod(t, pods[0], { ready: true });
  await runPod(t, pods[1], { ready: true });
  await runPod(t, pods[2], { ready: false });
  // pods[3] stays unscheduled.
  const rs = (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!;
  await t.client.update(Kinds.ReplicaSet, { ...rs, spec: { ...rs.spec, replicas: 2 } });
  // The scheduled pod is marked (its grace period is the kubelet's to run out); the unscheduled one goes.
  const active = async () => (await podsOf(t.client)).filter((p) => !p.metadata?.deletionTimestamp);
  const left = await eventually(async () => {
    const p = await active();
    return p.length === 2 && p;
  }, 'two pods left');
  assert.equal((await podsOf(t.client)).length, 3);
  assert.deepEqual(
    left.map((p) => p.metadata?.name).sort(),
    [pods[0], pods[1]].map((p) => p.metadata?.name).sort(),
  );

  await t.client.delete(Kinds.Pod, 'default', left[0].metadata!.name!);
  await eventually(async () => {
    const p = await active();
    return p.length === 2 && !p.some((x) => x.metadata?.name === left[0].metadata?.name);
  }, 'a replacement');
  await eventually(
    async () => (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))?.status?.observedGeneration === 2,
    'observedGeneration 2',
  );
  await t.stop();
});

test('an orphan pod the selector matches is adopted and counted; a pod that stops matching is released', async () => {
  const { t } = await setup();
  const orphan = await t.client.create(Kinds.Pod, {
    metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  const rs = await t.client.create(Kinds.ReplicaSet, rsObj('web', 2));
  await eventually(async () => (await podsOf(t.client)).length === 2, 'two pods in all');
  const adopted = (await t.client.get(Kinds.Pod, 'default', 'stray'))!;
  assert.equal(controllerRef(adopted)?.uid, rs.metadata?.uid);
  assert.equal(adopted.metadata?.uid, orphan.metadata?.uid);

  await t.client.update(Kinds.Pod, {
    ...adopted,
    metadata: { ...adopted.metadata, labels: { app: 'other' } },
  });
  await eventually(async () => (await podsOf(t.client, 'default', 'app=web')).length === 2, 'a replacement');
  const released = (await t.client.get(Kinds.Pod, 'default', 'stray'))!;
  assert.equal(controllerRef(released), undefined);
  await t.stop();
});

test('minReadySeconds: a ready pod becomes available when the time has passed, without a poll', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.ReplicaSet, rsObj('web', 1, { minReadySeconds: 10 }));
  const [pod] = await eventually(async () => {
    const p = await podsOf(t.client);
    return p.length === 1 && p;
  }, 'a pod');
  await runPod(t, pod);
  await eventually(
    async () => (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))?.status?.readyReplicas === 1,
    'ready',
  );
  assert.equal(
    (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!.status?.availableReplicas,
    undefined,
  );
  assert.ok(t.clock.pending().includes(10_000), `a wake-up in 10 s: ${t.clock.pending()}`);
  await t.clock.advance(10_000);
  await eventually(
    async () => (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))?.status?.availableReplicas === 1,
    'available after 10 s',
  );
  await t.stop();
});

test('expectations: pods created but not yet seen are not made again', async () => {
  const { t } = await setup();
  // A burst of spec changes while the first pods are still on their way through the informer.
  const rs = await t.client.create(Kinds.ReplicaSet, rsObj('web', 5));
  for (let i = 0; i < 5; i++) {
    const cur = (await t.client.get(Kinds.ReplicaSet, 'default', 'web'))!;
    await t.client.update(Kinds.ReplicaSet, {
      ...cur,
      metadata: { ...cur.metadata, labels: { n: String(i) } },
    });
  }
  await eventually(async () => (await podsOf(t.client)).length === 5, 'five pods');
  await settle(50);
  assert.equal((await podsOf(t.client)).length, 5);
  assert.ok(rs);
  await t.stop();
});
