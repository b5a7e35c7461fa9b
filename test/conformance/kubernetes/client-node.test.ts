// @kubernetes/client-node against berthd --kubernetes: typed calls and a list-watch informer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let kc: KubeConfig;
before(async () => {
  c = await startCluster();
  kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
});
after(() => c?.stop());

test('an informer lists, then sees additions, updates and deletions', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'existing' }, data: { a: '1' } },
  });
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () =>
    core.listNamespacedConfigMap({ namespace: 'default' }),
  );
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.a}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  try {
    assert.ok(await eventually(() => seen.includes('add existing')), seen.join('; '));
    // Give the watch a moment to be established after the list.
    await new Promise((r) => setTimeout(r, 300));
    const made = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'live' }, data: { a: '1' } },
    });
    await core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'live',
      body: { ...made, data: { a: '2' } },
    });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'live' });
    assert.ok(await eventually(() => seen.includes('delete live')), seen.join('; '));
    assert.deepEqual(
      seen.filter((s) => s.includes('live')),
      ['add live', 'update live 2', 'delete live'],
    );
    // Every namespace also holds the cluster CA's map, as on a real cluster.
    assert.deepEqual(
      informer
        .list('default')
        .map((o) => o.metadata?.name)
        .sort(),
      ['existing', 'kube-root-ca.crt'],
    );
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});

test('typed calls: a stale update is a 409, a missing object a 404, a deployment’s scale', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const cm = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'cas' }, data: { v: '1' } },
  });
  await core.replaceNamespacedConfigMap({
    namespace: 'default',
    name: 'cas',
    body: { ...cm, data: { v: '2' } },
  });
  await assert.rejects(
    core.replaceNamespacedConfigMap({ namespace: 'default', name: 'cas', body: { ...cm, data: { v: '3' } } }),
    (e: { code?: number }) => e.code === 409,
  );
  await assert.rejects(
    core.readNamespacedConfigMap({ namespace: 'default', name: 'nope' }),
    (e: { code?: number }) => e.code === 404,
  );
  const apps = kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: '127.0.0.1:1/nginx' }] },
        },
      },
    },
  });
  const scale = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'web' });
  assert.equal(scale.spec?.replicas, 1);
  await apps.replaceNamespacedDeploymentScale({
    namespace: 'default',
    name: 'web',
    // Without its resourceVersion (an unconditional write, as kubectl scale makes): the Deployment
    // controller writes the Deployment meanwhile, so the version just read may be stale already.
    body: { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: 3 } },
  });
  assert.equal(
    (await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' })).spec?.replicas,
    3,
  );
});

test('patches of each type and server-side apply, with the content type set through setHeaderOptions', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const name = 'patched';
  const at = { namespace: 'default', name };
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name }, data: { a: '1' } },
  });
  await core.patchNamespacedConfigMap(
    { ...at, body: [{ op: 'add', path: '/data/b', value: '2' }] },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  );
  await core.patchNamespacedConfigMap(
    { ...at, body: { data: { a: null } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const patched = await core.patchNamespacedConfigMap(
    { ...at, body: { metadata: { labels: { x: 'y' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  assert.deepEqual(patched.data, { b: '2' });
  assert.equal(patched.metadata?.labels?.x, 'y');

  const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { b: '7' } };
  await assert.rejects(
    core.patchNamespacedConfigMap(
      { ...at, body: config, fieldManager: 'operator' },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    ),
    (e: { code?: number; body?: string }) =>
      e.code === 409 &&
      /Apply failed with 1 conflict: conflict with \\"[^"\\]+\\" using v1: \.data\.b/.test(String(e.body)),
  );
  const applied = await core.patchNamespacedConfigMap(
    { ...at, body: config, fieldManager: 'operator', force: true },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );
  assert.equal(applied.data?.b, '7');
  assert.ok(
    applied.metadata?.managedFields?.some((m) => m.manager === 'operator' && m.operation === 'Apply'),
  );
});
