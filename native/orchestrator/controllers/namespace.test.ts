import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { DeploymentController } from './deployment.ts';
import { GarbageCollector } from './gc.ts';
import { NamespaceController } from './namespace.ts';
import { ReplicaSetController } from './replicaset.ts';
import { eventually, podsOf, settle, template, testCluster } from './testing.ts';

const condition = (ns: KubeObject | undefined, type: string) =>
  (
    ns?.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined
  )?.find((c) => c.type === type);

test('a deleted namespace is emptied of every kind, then finalized and gone', async () => {
  const t = await testCluster();
  await t.start(
    new ReplicaSetController(),
    new DeploymentController(),
    new GarbageCollector(),
    new NamespaceController(),
  );
  await t.client.create(Kinds.Namespace, { metadata: { name: 'demo' } });
  await t.client.create(Kinds.ConfigMap, { metadata: { name: 'cfg', namespace: 'demo' }, data: { a: 'b' } });
  await t.client.create(Kinds.Secret, { metadata: { name: 's', namespace: 'demo' }, stringData: { a: 'b' } });
  await t.client.create(Kinds.Service, {
    metadata: { name: 'svc', namespace: 'demo' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  await t.client.create(Kinds.Deployment, {
    metadata: { name: 'web', namespace: 'demo' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) },
  });
  await eventually(async () => (await podsOf(t.client, 'demo')).length === 2, 'two pods');
  // A pod on a node lingers in its grace period; a ConfigMap with a finalizer of someone else's lingers.
  await t.client.create(Kinds.Pod, {
    metadata: { name: 'running', namespace: 'demo' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
  });
  await t.client.create(Kinds.ConfigMap, {
    metadata: { name: 'held', namespace: 'demo', finalizers: ['example.com/hold'] },
  });

  await t.client.delete(Kinds.Namespace, undefined, 'demo');
  const ns = await eventually(async () => {
    const n = await t.client.get(Kinds.Namespace, undefined, 'demo');
    return condition(n, 'NamespaceContentRemaining')?.status === 'True' && n;
  }, 'NamespaceContentRemaining');
  assert.equal(ns.status?.phase, 'Terminating');
  assert.deepEqual(condition(ns, 'NamespaceContentRemaining'), {
    ...condition(ns, 'NamespaceContentRemaining'),
    reason: 'SomeResourcesRemain',
    message:
      'Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances',
  });
  assert.equal(
    condition(ns, 'NamespaceFinalizersRemaining')?.message,
    'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
  );
  assert.equal(condition(ns, 'NamespaceDeletionContentFailure')?.reason, 'ContentDeleted');
  for (const kind of [Kinds.Deployment, Kinds.ReplicaSet, Kinds.Service, Kinds.Secret])
    assert.deepEqual((await t.client.list(kind, { namespace: 'demo' })).items, [], kind.kind);
  assert.deepEqual(
    (await podsOf(t.client, 'demo')).map((p) => p.metadata?.name),
    ['running'],
  );

  // The kubelet finishes the pod: the namespace waits on the held ConfigMap only.
  await t.client.delete(Kinds.Pod, 'demo', 'running', { gracePeriodSeconds: 0 });
  await eventually(async () => {
    const n = await t.client.get(Kinds.Namespace, undefined, 'demo');
    return (
      condition(n, 'NamespaceContentRemaining')?.message ===
      'Some resources are remaining: configmaps. has 1 resource instances'
    );
  }, 'only the ConfigMap left');
  const held = (await t.client.get(Kinds.ConfigMap, 'demo', 'held'))!;
  await t.client.update(Kinds.ConfigMap, { ...held, metadata: { ...held.metadata, finalizers: [] } });
  // ConfigMaps have no informer here: the controller looks again after its back-off.
  await settle();
  assert.ok(await t.client.get(Kinds.Namespace, undefined, 'demo'));
  await t.clock.advance(60_000);
  await eventually(
    async () => !(await t.client.get(Kinds.Namespace, undefined, 'demo')),
    'the namespace gone',
  );
  await t.stop();
});

test('an empty namespace goes at once; the default namespaces are left alone', async () => {
  const t = await testCluster();
  await t.start(new NamespaceController());
  await t.client.create(Kinds.Namespace, { metadata: { name: 'empty' } });
  await t.client.delete(Kinds.Namespace, undefined, 'empty');
  await eventually(async () => !(await t.client.get(Kinds.Namespace, undefined, 'empty')), 'gone');
  const def = (await t.client.get(Kinds.Namespace, undefined, 'default'))!;
  assert.equal(def.status?.phase, 'Active');
  await t.stop();
});
