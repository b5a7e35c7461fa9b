import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { serveStoredCustomResources } from '../apiserver/crd/resource.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { defaultRegistry } from '../apiserver/resources/index.ts';
import { Kinds } from '../client/client.ts';
import { testApi } from '../testing.ts';
import { acceptNames, CrdController } from './crd.ts';
import { GarbageCollector } from './gc.ts';
import { eventually } from './testing.ts';

function crd(plural: string, kind: string, shortNames: string[] = []): KubeObject {
  return {
    metadata: { name: `${plural}.stable.example.com` },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural, kind, shortNames },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { image: { type: 'string' }, size: { type: 'integer', default: 2 } },
                },
              },
            },
          },
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const condition = (o: KubeObject | undefined, type: string) =>
  ((o?.status?.conditions ?? []) as { type: string; status: string; reason: string; message: string }[]).find(
    (c) => c.type === type,
  );

test('names another resource of the group holds are refused in Kubernetes words', () => {
  const taken = { resources: new Set(['crontabs', 'ct']), kinds: new Set(['CronTab']) };
  const out = acceptNames(
    { ...crd('crontabs', 'CronTab', ['ct']), status: {} },
    taken,
    '2026-01-01T00:00:00Z',
  );
  // The last conflict found is the reason, as naming_controller.go reports it.
  assert.deepEqual(
    [condition(out, 'NamesAccepted')?.reason, condition(out, 'NamesAccepted')?.message],
    ['KindConflict', '"CronTab" is already in use'],
  );
  assert.deepEqual(
    [condition(out, 'Established')?.status, condition(out, 'Established')?.reason],
    ['False', 'NotAccepted'],
  );
  const shortOnly = acceptNames(
    { ...crd('widgets', 'Widget', ['ct']), status: {} },
    taken,
    '2026-01-01T00:00:00Z',
  );
  assert.deepEqual(condition(shortOnly, 'NamesAccepted')?.reason, 'ShortNamesConflict');
  assert.deepEqual(shortOnly.status?.acceptedNames, { plural: 'widgets', kind: 'Widget' });
});

test('an accepted CRD is established and served; its kinds go with it, after its resources', async () => {
  const t = await testApi({ clock: systemClock, admission: 'api' });
  const part = new CrdController();
  await part.start(t.env);
  try {
    await t.informers.synced();
    await t.client.create(Kinds.CustomResourceDefinition, crd('crontabs', 'CronTab', ['ct']));
    const established = await eventually(async () => {
      const o = await t.client.get(Kinds.CustomResourceDefinition, undefined, 'crontabs.stable.example.com');
      return (
        condition(o, 'Established')?.status === 'True' && t.registry.byKind('stable.example.com', 'CronTab')
      );
    }, 'the CRD established and served');
    // Versions in Kubernetes' priority: v1 first (preferred), then v1beta1.
    assert.deepEqual(t.registry.groups().get('stable.example.com'), ['v1', 'v1beta1']);
    assert.equal(established.version, 'v1');
    const kind = { group: 'stable.example.com', kind: 'CronTab' };
    const made = await t.client.create(kind, {
      metadata: { name: 'a', namespace: 'default', finalizers: ['example.com/hold'] },
      spec: { image: 'x', junk: 1 },
    });
    assert.deepEqual(made.spec, { image: 'x', size: 2 });
    assert.equal(made.apiVersion, 'stable.example.com/v1');
    assert.equal(made.metadata?.generation, 1);

    // A second CRD wanting the short name is not established, and serves nothing.
    await t.client.create(Kinds.CustomResourceDefinition, crd('crontabz', 'CronTabZ', ['ct']));
    await eventually(
      async () =>
        condition(
          await t.client.get(Kinds.CustomResourceDefinition, undefined, 'crontabz.stable.example.com'),
          'NamesAccepted',
        )?.reason === 'ShortNamesConflict',
      'the conflict reported',
    );
    assert.equal(t.registry.byKind('stable.example.com', 'CronTabZ'), undefined);

    await t.client.delete(Kinds.CustomResourceDefinition, undefined, 'crontabs.stable.example.com');
    const terminating = await eventually(async () => {
      const o = await t.client.get(Kinds.CustomResourceDefinition, undefined, 'crontabs.stable.example.com');
      return condition(o, 'Terminating')?.reason === 'InstanceDeletionInProgress' && o;
    }, 'the CRD terminating');
    assert.deepEqual(terminating.metadata?.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    // The CronTab is held by its finalizer: the CRD and its kind wait for it.
    const held = await t.client.get(kind, 'default', 'a');
    assert.ok(held?.metadata?.deletionTimestamp);
    assert.ok(t.registry.byKind('stable.example.com', 'CronTab'));
    // Meanwhile nothing new is made of a kind that is going.
    await assert.rejects(t.client.create(kind, { metadata: { name: 'b', namespace: 'default' }, spec: {} }), {
      code: 405,
      message: 'create not allowed while custom resource definition is terminating',
    });
    await t.client.update(kind, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    await eventually(
      async () =>
        !(await t.client.get(Kinds.CustomResourceDefinition, undefined, 'crontabs.stable.example.com')) &&
        !t.registry.byKind('stable.example.com', 'CronTab'),
      'the CRD and its kind gone',
    );
    // The conflicting CRD now gets its names and is served.
    await eventually(() => !!t.registry.byKind('stable.example.com', 'CronTabZ'), 'the other CRD served');
  } finally {
    part.stop();
    t.close();
  }
});

test('at start, established CRDs in the store are served before the API answers', async () => {
  const t = await testApi({ clock: systemClock, admission: 'api' });
  const part = new CrdController();
  await part.start(t.env);
  try {
    await t.client.create(Kinds.CustomResourceDefinition, crd('crontabs', 'CronTab'));
    await eventually(() => !!t.registry.byKind('stable.example.com', 'CronTab'), 'served');
    part.stop();
    await t.client.create(Kinds.CustomResourceDefinition, {
      ...crd('pending', 'Pending'),
      // Never looked at by the controller: not established, not served after a restart either.
      metadata: { name: 'pending.stable.example.com' },
    });
  } finally {
    part.stop();
  }
  const fresh = defaultRegistry();
  await serveStoredCustomResources(t.store, fresh);
  assert.deepEqual(fresh.groups().get('stable.example.com'), ['v1', 'v1beta1']);
  assert.equal(fresh.byKind('stable.example.com', 'CronTab')?.plural, 'crontabs');
  t.close();
});

test('custom resources own and are collected: a dependent goes with its CronTab, and with the CRD', async () => {
  const t = await testApi({ clock: systemClock, admission: 'api' });
  const parts = [new CrdController(), new GarbageCollector()];
  for (const p of parts) await p.start(t.env);
  const kind = { group: 'stable.example.com', kind: 'CronTab' };
  const deployment = (name: string, owner: KubeObject): KubeObject => ({
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: [
        {
          apiVersion: 'stable.example.com/v1',
          kind: 'CronTab',
          name: owner.metadata!.name!,
          uid: owner.metadata!.uid!,
        },
      ],
    },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  });
  const gone = (name: string) => async () => !(await t.client.get(Kinds.Deployment, 'default', name));
  try {
    await t.client.create(Kinds.CustomResourceDefinition, crd('crontabs', 'CronTab'));
    await eventually(() => !!t.registry.byKind('stable.example.com', 'CronTab'), 'served');
    const first = await t.client.create(kind, { metadata: { name: 'one', namespace: 'default' }, spec: {} });
    const second = await t.client.create(kind, { metadata: { name: 'two', namespace: 'default' }, spec: {} });
    await t.client.create(Kinds.Deployment, deployment('of-one', first));
    await t.client.create(Kinds.Deployment, deployment('of-two', second));
    await t.client.delete(kind, 'default', 'one');
    await eventually(gone('of-one'), 'the CronTab’s deployment collected');
    assert.ok(await t.client.get(Kinds.Deployment, 'default', 'of-two'));
    await t.client.delete(Kinds.CustomResourceDefinition, undefined, 'crontabs.stable.example.com');
    await eventually(gone('of-two'), 'the deployment of a CronTab its CRD took collected');
    // An owner of a kind whose CRD went is gone too, whenever its dependent is seen.
    await eventually(() => !t.registry.byKind('stable.example.com', 'CronTab'), 'the kind gone');
    await t.client.create(Kinds.Deployment, deployment('late', second));
    await eventually(gone('late'), 'a dependent of a gone kind collected');
  } finally {
    for (const p of parts.reverse()) await p.stop();
    t.close();
  }
});

test('a CRD of a Kubernetes group carries the API approval condition its annotation earns', () => {
  const gateway = (annotation?: string): KubeObject => {
    const o = crd('gateways', 'Gateway');
    o.spec = { ...o.spec, group: 'gateway.networking.k8s.io' };
    o.metadata = {
      name: 'gateways.gateway.networking.k8s.io',
      annotations: annotation ? { 'api-approved.kubernetes.io': annotation } : undefined,
    };
    return acceptNames(o, { resources: new Set(), kinds: new Set() }, '2026-01-01T00:00:00Z');
  };
  const approval = (o: KubeObject) => {
    const c = condition(o, 'KubernetesAPIApprovalPolicyConformant');
    return [c?.status, c?.reason, c?.message];
  };
  assert.deepEqual(approval(gateway('https://github.com/kubernetes-sigs/gateway-api/pull/2997')), [
    'True',
    'ApprovedAnnotation',
    'approved in https://github.com/kubernetes-sigs/gateway-api/pull/2997',
  ]);
  assert.deepEqual(approval(gateway('unapproved, experimental')), [
    'False',
    'UnapprovedAnnotation',
    'not approved: "unapproved, experimental"',
  ]);
  assert.equal(approval(gateway('maybe'))[1], 'InvalidAnnotation');
  assert.equal(
    condition(
      acceptNames(crd('crontabs', 'CronTab'), { resources: new Set(), kinds: new Set() }, ''),
      'KubernetesAPIApprovalPolicyConformant',
    ),
    undefined,
  );
});
