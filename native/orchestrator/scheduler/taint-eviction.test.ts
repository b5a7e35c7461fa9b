import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { makeNode, makePod } from './fixtures.ts';
import { asList, asObj } from './resources.ts';
import { evictionDelay, TaintEviction } from './taint-eviction.ts';
import { eventually, testCluster } from './testing.ts';

test('eviction delay: untolerated now, the shortest tolerationSeconds, tolerated for ever never', () => {
  const gone = { key: 'gone', effect: 'NoExecute' };
  const cases: [string, unknown[], unknown[], 'now' | 'never' | number][] = [
    ['no taints', [], [], 'never'],
    ['a NoSchedule taint only', [{ key: 'k', effect: 'NoSchedule' }], [], 'never'],
    ['untolerated NoExecute', [gone], [], 'now'],
    ['tolerated for ever', [gone], [{ key: 'gone', operator: 'Exists' }], 'never'],
    ['tolerated for a minute', [gone], [{ key: 'gone', operator: 'Exists', tolerationSeconds: 60 }], 60_000],
    [
      'two taints: the shorter toleration wins',
      [gone, { key: 'slow', effect: 'NoExecute' }],
      [
        { key: 'gone', operator: 'Exists', tolerationSeconds: 300 },
        { key: 'slow', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      ],
      30_000,
    ],
    [
      'one of two taints untolerated',
      [gone, { key: 'other', effect: 'NoExecute' }],
      [{ key: 'gone', operator: 'Exists' }],
      'now',
    ],
    [
      'a negative toleration is zero',
      [gone],
      [{ key: 'gone', operator: 'Exists', tolerationSeconds: -5 }],
      0,
    ],
  ];
  for (const [name, taints, tolerations, want] of cases)
    assert.equal(evictionDelay(taints as never, tolerations as never), want, name);
});

const deleting = (pod: KubeObject | undefined) => !pod || !!pod.metadata?.deletionTimestamp;

test('a NoExecute taint evicts at once, after tolerationSeconds, or never; removing it cancels', async () => {
  const part = new TaintEviction();
  const c = await testCluster([part]);
  await c.client.create(Kinds.Node, makeNode('host'));
  const onNode = (name: string, tolerations: unknown[] = []) =>
    c.client.create(Kinds.Pod, makePod(name, { nodeName: 'host', tolerations }));
  await onNode('plain');
  await onNode('minute', [{ key: 'gone', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
  await onNode('forever', [{ key: 'gone', operator: 'Exists' }]);
  await onNode('cancelled', [{ key: 'gone', operator: 'Exists', tolerationSeconds: 120 }]);
  await eventually(async () => (await c.client.list(Kinds.Pod)).items.length === 4, 'pods made');
  await part.idle();

  const taint = async (taints: unknown[]) => {
    const node = (await c.client.get(Kinds.Node, undefined, 'host'))!;
    await c.client.update(Kinds.Node, { ...node, spec: { ...node.spec, taints } });
  };
  await taint([{ key: 'gone', effect: 'NoExecute' }]);
  await eventually(async () => deleting(await c.pod('plain')), 'the untolerating pod evicted at once');
  const plain = await c.pod('plain');
  const disruption = asList(asObj(plain?.status).conditions).find((x) => x.type === 'DisruptionTarget');
  assert.equal(disruption?.reason, 'DeletionByTaintManager');
  const [ev] = await c.eventsOf('plain');
  assert.equal(ev.message, 'Marking for deletion Pod default/plain');
  assert.deepEqual(ev.source, { component: 'taint-eviction-controller' });

  await part.idle();
  assert.deepEqual(c.clock.pending(), [60_000, 120_000]);
  await c.clock.advance(59_000);
  await part.idle();
  assert.equal(deleting(await c.pod('minute')), false, 'still tolerated at 59 s');
  await c.clock.advance(1_000);
  await eventually(async () => deleting(await c.pod('minute')), 'evicted at 60 s');

  await taint([]);
  await eventually(
    async () =>
      (await c.eventsOf('cancelled')).some(
        (e) => e.message === 'Cancelling deletion of Pod default/cancelled',
      ),
    'the planned eviction cancelled',
  );
  await c.clock.advance(120_000);
  await part.idle();
  assert.equal(deleting(await c.pod('cancelled')), false);
  assert.equal(deleting(await c.pod('forever')), false);
  await c.stop();
});
