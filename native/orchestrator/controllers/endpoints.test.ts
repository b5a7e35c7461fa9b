import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { EndpointsController } from './endpoints.ts';
import { EndpointSliceController } from './endpointslice.ts';
import { GarbageCollector } from './gc.ts';
import { eventually, runPod, settle, type TestCluster, testCluster } from './testing.ts';

const pod = (name: string, labels: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
});

async function setup() {
  const t = await testCluster();
  await t.start(new EndpointsController(), new EndpointSliceController(), new GarbageCollector());
  return t;
}

const endpoints = (t: TestCluster, name = 'web') => t.client.get(Kinds.Endpoints, 'default', name);
const slices = async (t: TestCluster, name = 'web') =>
  (
    await t.client.list(Kinds.EndpointSlice, {
      namespace: 'default',
      labelSelector: `kubernetes.io/service-name=${name}`,
    })
  ).items;

test('Endpoints and an EndpointSlice list the selected pods: ready, not ready, terminating; named target ports', async () => {
  const t = await setup();
  const svc = await t.client.create(Kinds.Service, {
    metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  // No pods yet: an empty Endpoints and a placeholder slice.
  await eventually(
    async () => (await endpoints(t)) && (await slices(t)).length === 1,
    'empty Endpoints and a slice',
  );
  const [placeholder] = await slices(t);
  assert.equal(placeholder.endpoints ?? null, null);
  assert.equal(placeholder.addressType, 'IPv4');
  assert.deepEqual(placeholder.metadata?.labels, {
    tier: 'front',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  assert.equal(placeholder.metadata?.ownerReferences?.[0].uid, svc.metadata?.uid);
  assert.match(placeholder.metadata!.name!, /^web-/);

  const a = await runPod(t, await t.client.create(Kinds.Pod, pod('a', { app: 'web' })), { ip: '10.0.0.2' });
  await runPod(t, await t.client.create(Kinds.Pod, pod('b', { app: 'web' })), {
    ip: '10.0.0.3',
    ready: false,
  });
  await t.client.create(Kinds.Pod, pod('no-ip', { app: 'web' }));
  await runPod(t, await t.client.create(Kinds.Pod, pod('other', { app: 'db' })), { ip: '10.0.0.9' });

  const ep = await eventually(async () => {
    const e = await endpoints(t);
    return (e?.subsets as unknown[] | undefined)?.length && e;
  }, 'the Endpoints filled');
  assert.deepEqual(ep.metadata?.labels, { tier: 'front' });
  assert.deepEqual(ep.subsets, [
    {
      addresses: [
        {
          ip: '10.0.0.2',
          nodeName: 'n1',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: a.metadata?.uid },
        },
      ],
      notReadyAddresses: [
        {
          ip: '10.0.0.3',
          nodeName: 'n1',
          targetRef: {
            kind: 'Pod',
            namespace: 'default',
            name: 'b',
            uid: (await t.client.get(Kinds.Pod, 'default', 'b'))?.metadata?.uid,
          },
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
  const [slice] = await eventually(async () => {
    const s = await slices(t);
    return s.length === 1 && (s[0].endpoints as unknown[] | null)?.length === 2 && s;
  }, 'the slice filled');
  assert.equal(slice.metadata?.uid, placeholder.metadata?.uid, 'the placeholder is reused');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    (slice.endpoints as { addresses: string[]; conditions: unknown }[]).map((e) => [
      e.addresses,
      e.conditions,
    ]),
    [
      [['10.0.0.2'], { ready: true, serving: true, terminating: false }],
      [['10.0.0.3'], { ready: false, serving: false, terminating: false }],
    ],
  );

  // Quiet: nothing changes, nothing is written.
  await settle(30);
  const rv = [
    (await endpoints(t))?.metadata?.resourceVersion,
    (await slices(t))[0].metadata?.resourceVersion,
  ];
  await settle(30);
  assert.deepEqual(
    [(await endpoints(t))?.metadata?.resourceVersion, (await slices(t))[0].metadata?.resourceVersion],
    rv,
  );

  // A terminating pod leaves the Endpoints; the slice keeps it as terminating.
  await t.client.delete(Kinds.Pod, 'default', 'a');
  await eventually(async () => {
    const e = await endpoints(t);
    return !(e?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]?.addresses;
  }, 'a gone from Endpoints');
  await eventually(async () => {
    const [s] = await slices(t);
    const e = (s.endpoints as { addresses: string[]; conditions: Record<string, boolean> }[]).find(
      (x) => x.addresses[0] === '10.0.0.2',
    );
    return (
      e?.conditions.terminating === true && e.conditions.ready === false && e.conditions.serving === true
    );
  }, 'a terminating in the slice');

  // The service goes: its Endpoints go, and (the garbage collector) its slices.
  await t.client.delete(Kinds.Service, 'default', 'web');
  await eventually(
    async () => !(await endpoints(t)) && (await slices(t)).length === 0,
    'Endpoints and slices gone',
  );
  await t.stop();
});

test('a headless service without ports lists addresses alone; a service without selector is left alone', async () => {
  const t = await setup();
  await t.client.create(Kinds.Service, {
    metadata: { name: 'db', namespace: 'default' },
    spec: { clusterIP: 'None', selector: { app: 'db' } },
  });
  await t.client.create(Kinds.Service, {
    metadata: { name: 'manual', namespace: 'default' },
    spec: { ports: [{ port: 5432 }] },
  });
  await runPod(t, await t.client.create(Kinds.Pod, pod('d', { app: 'db' })), { ip: '10.0.0.5' });
  const ep = await eventually(async () => {
    const e = await endpoints(t, 'db');
    return (e?.subsets as unknown[] | undefined)?.length && e;
  }, 'headless Endpoints');
  assert.deepEqual(ep.metadata?.labels, { 'service.kubernetes.io/headless': '' });
  assert.deepEqual(
    (ep.subsets as { addresses: { ip: string }[]; ports?: unknown }[]).map((s) => [
      s.addresses.map((x) => x.ip),
      s.ports,
    ]),
    [[['10.0.0.5'], undefined]],
  );
  await settle(30);
  assert.equal(await endpoints(t, 'manual'), undefined);
  assert.deepEqual(await slices(t, 'manual'), []);
  await t.stop();
});
