import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kinds } from '../client/client.ts';
import { DaemonSetController, daemonPlacement } from './daemonset.ts';
import { eventually, podsOf, settle, template, testCluster } from './testing.ts';

const node = (labels: Record<string, string>, taints: unknown[] = []) => ({
  metadata: { name: 'n', labels },
  spec: { taints },
});
const t = (spec: Record<string, unknown> = {}) => ({ spec: { containers: [{ name: 'c' }], ...spec } });
const fits = (tpl: Record<string, unknown>, n: ReturnType<typeof node>) => daemonPlacement(tpl, n).shouldRun;

test('a daemon fits a node by its nodeSelector, node affinity and the taints it (and every daemon) tolerates', () => {
  assert.ok(fits(t(), node({})));
  assert.ok(fits(t({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'ssd' })));
  assert.ok(!fits(t({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'hdd' })));
  const affinity = (op: string) => ({
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: op, values: ['ssd'] }] }],
      },
    },
  });
  assert.ok(fits(t({ affinity: affinity('In') }), node({ disk: 'ssd' })));
  assert.ok(!fits(t({ affinity: affinity('NotIn') }), node({ disk: 'ssd' })), 'required node affinity');
  const gpu = { key: 'gpu', value: 'yes', effect: 'NoSchedule' };
  assert.ok(!fits(t(), node({}, [gpu])), 'an untolerated NoSchedule taint');
  assert.ok(
    fits(
      t({ tolerations: [{ key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }] }),
      node({}, [gpu]),
    ),
  );
  assert.ok(
    !fits(t({ tolerations: [{ key: 'gpu', operator: 'Equal', value: 'no' }] }), node({}, [gpu])),
    'another value is not tolerated',
  );
  assert.ok(fits(t({ tolerations: [{ operator: 'Exists' }] }), node({}, [gpu])), 'tolerate everything');
  assert.ok(
    fits(t(), node({}, [{ key: 'x', effect: 'PreferNoSchedule' }])),
    'a preference does not keep it off',
  );
  // A cordoned node keeps its daemons, as the controller's own tolerations say.
  assert.ok(fits(t(), node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])));
});

test('a running daemon stays through a NoSchedule taint and goes with a NoExecute one or a changed label', () => {
  assert.deepEqual(daemonPlacement(t(), node({}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.deepEqual(daemonPlacement(t(), node({}, [{ key: 'k', value: 'v', effect: 'NoExecute' }])), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  assert.deepEqual(daemonPlacement(t({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'hdd' })), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
});

test('the controller keeps a daemon on a node tainted NoSchedule (counted misscheduled) and removes it on NoExecute', async () => {
  const c = await testCluster();
  try {
    await c.client.create(Kinds.Node, { metadata: { name: 'n1' } });
    await c.start(new DaemonSetController());
    await c.client.create(Kinds.DaemonSet, {
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) },
    });
    const [daemon] = await eventually(async () => {
      const p = await podsOf(c.client);
      return p.length === 1 && p;
    }, 'the daemon');
    const taint = async (effect: string) => {
      const n = (await c.client.get(Kinds.Node, undefined, 'n1'))!;
      await c.client.update(Kinds.Node, { ...n, spec: { taints: [{ key: 'k', value: 'v', effect }] } });
    };
    const status = async () => (await c.client.get(Kinds.DaemonSet, 'default', 'agent'))?.status ?? {};

    await taint('NoSchedule');
    await eventually(async () => (await status()).numberMisscheduled === 1, 'one misscheduled', status);
    await settle();
    const kept = await podsOf(c.client);
    assert.deepEqual(
      kept.map((p) => [p.metadata?.name, Boolean(p.metadata?.deletionTimestamp)]),
      [[daemon.metadata?.name, false]],
    );
    assert.equal((await status()).desiredNumberScheduled, 0);

    await taint('NoExecute');
    await eventually(
      async () => (await podsOf(c.client)).length === 0,
      'the daemon gone',
      () => podsOf(c.client),
    );
  } finally {
    await c.stop();
  }
});
