import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { DeploymentController } from './deployment.ts';
import { GarbageCollector } from './gc.ts';
import { ReplicaSetController } from './replicaset.ts';
import { eventually, podsOf, settle, type TestCluster, template, testCluster } from './testing.ts';

const owned = (owner: KubeObject, blockOwnerDeletion = true) => [
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion,
  },
];

/** A ReplicaSet and its pods made by hand (no ReplicaSet controller): one pod scheduled, so it lingers. */
async function family(t: TestCluster) {
  const rs = await t.client.create(Kinds.ReplicaSet, {
    metadata: { name: 'rs', namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) },
  });
  const pod = (name: string, nodeName?: string, block = true): KubeObject => ({
    metadata: { name, namespace: 'default', ownerReferences: owned(rs, block) },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
  });
  await t.client.create(Kinds.Pod, pod('free'));
  await t.client.create(Kinds.Pod, pod('scheduled', 'n1'));
  return rs;
}

async function setup() {
  const t = await testCluster();
  const gc = new GarbageCollector();
  await t.start(gc);
  return { t, gc };
}

const names = async (t: TestCluster) => (await podsOf(t.client)).map((p) => p.metadata?.name).sort();

test('background: the owner goes at once, then its dependents', async () => {
  const { t } = await setup();
  await family(t);
  await t.client.delete(Kinds.ReplicaSet, 'default', 'rs', { propagationPolicy: 'Background' });
  assert.equal(await t.client.get(Kinds.ReplicaSet, 'default', 'rs'), undefined);
  // The unscheduled pod goes; the scheduled one is marked for its kubelet.
  await eventually(async () => {
    const pods = await podsOf(t.client);
    return pods.length === 1 && pods[0].metadata?.deletionTimestamp;
  }, 'dependents deleted');
  await t.stop();
});

test('foreground: the owner stays (foregroundDeletion) until its blocking dependents are gone', async () => {
  const { t } = await setup();
  await family(t);
  await t.client.delete(Kinds.ReplicaSet, 'default', 'rs', { propagationPolicy: 'Foreground' });
  await eventually(async () => (await names(t)).join() === 'scheduled', 'the free pod gone');
  await settle(30);
  const rs = await t.client.get(Kinds.ReplicaSet, 'default', 'rs');
  assert.ok(rs?.metadata?.deletionTimestamp);
  assert.deepEqual(rs?.metadata?.finalizers, ['foregroundDeletion']);
  const pod = (await t.client.get(Kinds.Pod, 'default', 'scheduled'))!;
  assert.ok(pod.metadata?.deletionTimestamp, 'the scheduled pod is being deleted');
  // The kubelet finishes the pod: the owner goes.
  await t.client.delete(Kinds.Pod, 'default', 'scheduled', { gracePeriodSeconds: 0 });
  await eventually(async () => !(await t.client.get(Kinds.ReplicaSet, 'default', 'rs')), 'the owner gone');
  await t.stop();
});

test('orphan: the dependents lose their reference and stay; the owner goes', async () => {
  const { t } = await setup();
  await family(t);
  await t.client.delete(Kinds.ReplicaSet, 'default', 'rs', { propagationPolicy: 'Orphan' });
  await eventually(async () => !(await t.client.get(Kinds.ReplicaSet, 'default', 'rs')), 'the owner gone');
  const pods = await podsOf(t.client);
  assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), ['free', 'scheduled']);
  for (const p of pods) {
    assert.equal(p.metadata?.ownerReferences, undefined);
    assert.equal(p.metadata?.deletionTimestamp, undefined);
  }
  await t.stop();
});

test('an object made with an owner that does not exist is collected; one with a live owner of an unwatched kind is not', async () => {
  const { t } = await setup();
  const cm = await t.client.create(Kinds.ConfigMap, { metadata: { name: 'owner', namespace: 'default' } });
  const ref = (uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }];
  await t.client.create(Kinds.Pod, {
    metadata: { name: 'kept', namespace: 'default', ownerReferences: ref(cm.metadata!.uid!) },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  await t.client.create(Kinds.Pod, {
    metadata: {
      name: 'dangling',
      namespace: 'default',
      ownerReferences: ref('00000000-0000-0000-0000-000000000000'),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  await eventually(async () => (await names(t)).join() === 'kept', 'the dangling pod collected');
  await settle(30);
  assert.deepEqual(await names(t), ['kept']);
  await t.stop();
});

test('kubectl delete deployment (background): its ReplicaSets and their pods go', async () => {
  const t = await testCluster();
  await t.start(new ReplicaSetController(), new DeploymentController(), new GarbageCollector());
  await t.client.create(Kinds.Deployment, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
  });
  await eventually(async () => (await podsOf(t.client)).length === 3, 'three pods');
  await t.client.delete(Kinds.Deployment, 'default', 'web', { propagationPolicy: 'Background' });
  await eventually(
    async () =>
      (await t.client.list(Kinds.ReplicaSet, { namespace: 'default' })).items.length === 0 &&
      (await podsOf(t.client)).length === 0,
    'ReplicaSet and pods gone',
  );
  await t.stop();
});

test('a Deployment deleted in the foreground goes last, after its ReplicaSet and pods', async () => {
  const t = await testCluster();
  await t.start(new ReplicaSetController(), new DeploymentController(), new GarbageCollector());
  await t.client.create(Kinds.Deployment, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
  });
  await eventually(async () => (await podsOf(t.client)).length === 2, 'two pods');
  await t.client.delete(Kinds.Deployment, 'default', 'web', { propagationPolicy: 'Foreground' });
  await eventually(
    async () => !(await t.client.get(Kinds.Deployment, 'default', 'web')),
    'the Deployment gone',
  );
  assert.equal((await t.client.list(Kinds.ReplicaSet, { namespace: 'default' })).items.length, 0);
  assert.equal((await podsOf(t.client)).length, 0);
  await t.stop();
});
