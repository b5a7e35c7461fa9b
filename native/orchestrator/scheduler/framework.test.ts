import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infoOf, makeNode, makePod, requesting } from './fixtures.ts';
import { podInfo, reasonHistogram } from './framework.ts';
import { defaultFramework } from './plugins/index.ts';

const fw = defaultFramework(() => undefined);

test('no node fits: reasons counted over nodes, sorted, with what preemption would say', () => {
  const cases: {
    name: string;
    nodes: ReturnType<typeof infoOf>[];
    pod: ReturnType<typeof makePod>;
    want: string;
  }[] = [
    {
      name: 'a cordoned node is reported before its taints (filter order)',
      nodes: [
        infoOf(
          makeNode('n', {
            unschedulable: true,
            taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
          }),
        ),
      ],
      pod: makePod('p'),
      want: '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    },
    {
      name: 'a taint',
      nodes: [
        infoOf(
          makeNode('n', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
        ),
      ],
      pod: makePod('p'),
      want: '0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    },
    {
      name: 'too little cpu: preemption finds no victims',
      nodes: [infoOf(makeNode('n'))],
      pod: makePod('p', { containers: [requesting('3')] }),
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    },
    {
      name: 'three nodes, three reasons, sorted as strings',
      nodes: [
        infoOf(makeNode('a', { unschedulable: true })),
        infoOf(makeNode('b', { cpu: '1' })),
        infoOf(makeNode('c', { cpu: '1' })),
      ],
      pod: makePod('p', { containers: [requesting('1500m', '5Gi')] }),
      want: '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    },
    {
      name: 'preemptionPolicy Never',
      nodes: [infoOf(makeNode('n'))],
      pod: makePod('p', { containers: [requesting('3')], preemptionPolicy: 'Never' }),
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    const r = fw.schedule(podInfo(c.pod), c.nodes);
    assert.equal(r.node, undefined, c.name);
    if (r.node === undefined) assert.equal(r.message, c.want, c.name);
  }
  const none = fw.schedule(podInfo(makePod('p')), []);
  assert.ok(none.node === undefined && none.message === 'no nodes available to schedule pods');
});

test('the rejecting plugins are kept, and each names the events that could change its mind', () => {
  const r = fw.schedule(podInfo(makePod('p', { nodeSelector: { disk: 'ssd' } })), [
    infoOf(makeNode('a', { taints: [{ key: 'k', effect: 'NoSchedule' }] })),
    infoOf(makeNode('b')),
  ]);
  assert.ok(r.node === undefined);
  assert.deepEqual([...r.rejectedBy].sort(), ['NodeAffinity', 'TaintToleration']);
  assert.deepEqual([...fw.interestedIn('NodeTaint')], ['TaintToleration']);
  assert.deepEqual([...fw.interestedIn('AssignedPodDelete')].sort(), [
    'InterPodAffinity',
    'NodePorts',
    'NodeResourcesFit',
  ]);
});

test('among feasible nodes the weighted scores choose', () => {
  const nodes = [
    infoOf(makeNode('tainted', { taints: [{ key: 'meh', effect: 'PreferNoSchedule' }] })),
    infoOf(makeNode('busy'), [makePod('b', { containers: [requesting('1500m', '3Gi')] })]),
    infoOf(makeNode('fine')),
  ];
  const r = fw.schedule(podInfo(makePod('p')), nodes);
  assert.equal(r.node, 'fine');
  const preferring = fw.schedule(
    podInfo(
      makePod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['busy'] }] },
              },
            ],
          },
        },
      }),
    ),
    nodes,
  );
  assert.equal(preferring.node, 'busy', 'preferred affinity (weight 2) outweighs least-allocated (weight 1)');
});

test('the histogram sorts as Go sorts strings (bytes)', () => {
  const s = (reasons: string[]) => ({ code: 'Unschedulable' as const, reasons, plugin: 'x' });
  assert.equal(reasonHistogram([s(['b']), s(['B']), s(['b'])]), '1 B, 2 b');
});
