import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../apiserver/registry.ts';
import { infoOf, makeNode, makePod } from '../fixtures.ts';
import { type Plugin, podInfo } from '../framework.ts';
import { nodeAffinity, nodeName, nodeUnschedulable, taintToleration } from './node.ts';

type Case = { name: string; plugin: Plugin; node: KubeObject; pod: KubeObject; want?: string; code?: string };

const notScheduleTaint = { key: 'k', value: 'v', effect: 'NoSchedule' };

const cases: Case[] = [
  { name: 'schedulable node', plugin: nodeUnschedulable, node: makeNode('n'), pod: makePod('p') },
  {
    name: 'cordoned node',
    plugin: nodeUnschedulable,
    node: makeNode('n', { unschedulable: true }),
    pod: makePod('p'),
    want: 'node(s) were unschedulable',
    code: 'UnschedulableAndUnresolvable',
  },
  {
    name: 'cordoned node, pod tolerates the unschedulable taint',
    plugin: nodeUnschedulable,
    node: makeNode('n', { unschedulable: true }),
    pod: makePod('p', {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    }),
  },
  { name: 'no node name asked', plugin: nodeName, node: makeNode('n'), pod: makePod('p') },
  {
    name: 'another node name asked',
    plugin: nodeName,
    node: makeNode('n'),
    pod: makePod('p', { nodeName: 'm' }),
    want: "node(s) didn't match the requested node name",
  },
  {
    name: 'untolerated NoSchedule taint',
    plugin: taintToleration,
    node: makeNode('n', { taints: [notScheduleTaint] }),
    pod: makePod('p'),
    want: 'node(s) had untolerated taint {k: v}',
    code: 'UnschedulableAndUnresolvable',
  },
  {
    name: 'a taint without a value prints an empty one',
    plugin: taintToleration,
    node: makeNode('n', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
    pod: makePod('p'),
    want: 'node(s) had untolerated taint {node.kubernetes.io/unschedulable: }',
  },
  {
    name: 'untolerated NoExecute taint',
    plugin: taintToleration,
    node: makeNode('n', { taints: [{ key: 'gone', effect: 'NoExecute' }] }),
    pod: makePod('p', { tolerations: [{ key: 'gone', operator: 'Exists', effect: 'NoSchedule' }] }),
    want: 'node(s) had untolerated taint {gone: }',
  },
  {
    name: 'tolerated taint',
    plugin: taintToleration,
    node: makeNode('n', { taints: [notScheduleTaint] }),
    pod: makePod('p', { tolerations: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
  },
  {
    name: 'PreferNoSchedule only scores',
    plugin: taintToleration,
    node: makeNode('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }),
    pod: makePod('p'),
  },
  {
    name: 'the first untolerated taint is the one named',
    plugin: taintToleration,
    node: makeNode('n', {
      taints: [
        { key: 'a', value: '1', effect: 'NoSchedule' },
        { key: 'b', value: '2', effect: 'NoSchedule' },
      ],
    }),
    pod: makePod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] }),
    want: 'node(s) had untolerated taint {b: 2}',
  },
  {
    name: 'nodeSelector matches',
    plugin: nodeAffinity,
    node: makeNode('n', { labels: { disk: 'ssd' } }),
    pod: makePod('p', { nodeSelector: { disk: 'ssd' } }),
  },
  {
    name: 'nodeSelector does not match',
    plugin: nodeAffinity,
    node: makeNode('n'),
    pod: makePod('p', { nodeSelector: { disk: 'ssd' } }),
    want: "node(s) didn't match Pod's node affinity/selector",
    code: 'UnschedulableAndUnresolvable',
  },
  {
    name: 'required node affinity matches by name',
    plugin: nodeAffinity,
    node: makeNode('n'),
    pod: makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }],
          },
        },
      },
    }),
  },
  {
    name: 'required node affinity with a Gt that fails',
    plugin: nodeAffinity,
    node: makeNode('n', { labels: { cores: '2' } }),
    pod: makePod('p', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }],
          },
        },
      },
    }),
    want: "node(s) didn't match Pod's node affinity/selector",
  },
  {
    name: 'nodeSelector and affinity must both hold',
    plugin: nodeAffinity,
    node: makeNode('n', { labels: { disk: 'ssd' } }),
    pod: makePod('p', {
      nodeSelector: { disk: 'ssd' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }],
          },
        },
      },
    }),
    want: "node(s) didn't match Pod's node affinity/selector",
  },
];

test('node filters: refusals in kube-scheduler 1.32 words', () => {
  for (const c of cases) {
    const status = c.plugin.filter?.(new Map(), podInfo(c.pod), infoOf(c.node));
    assert.deepEqual(status?.reasons, c.want === undefined ? undefined : [c.want], c.name);
    if (c.code) assert.equal(status?.code, c.code, c.name);
    if (status) assert.equal(status.plugin, c.plugin.name);
  }
});

test('node scores: preferred node affinity weights, fewer PreferNoSchedule taints', () => {
  const pod = podInfo(
    makePod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            },
            {
              weight: 30,
              preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
            },
          ],
        },
      },
    }),
  );
  const nodes = [
    infoOf(makeNode('zone-a', { labels: { zone: 'a' } })),
    infoOf(makeNode('ssd', { labels: { disk: 'ssd' } })),
    infoOf(makeNode('both', { labels: { zone: 'a', disk: 'ssd' } })),
    infoOf(makeNode('none')),
  ];
  const raw = nodes.map((n) => nodeAffinity.score!(new Map(), pod, n, nodes));
  assert.deepEqual(raw, [10, 30, 40, 0]);
  assert.deepEqual(nodeAffinity.normalize!(raw), [25, 75, 100, 0]);

  const tainted = [
    infoOf(makeNode('clean')),
    infoOf(makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] })),
    infoOf(
      makeNode('two', {
        taints: [
          { key: 'a', effect: 'PreferNoSchedule' },
          { key: 'b', effect: 'PreferNoSchedule' },
        ],
      }),
    ),
  ];
  const plain = podInfo(makePod('p'));
  const t = tainted.map((n) => taintToleration.score!(new Map(), plain, n, tainted));
  assert.deepEqual(taintToleration.normalize!(t), [100, 50, 0]);
  const tolerant = podInfo(makePod('p', { tolerations: [{ operator: 'Exists' }] }));
  assert.deepEqual(
    taintToleration.normalize!(tainted.map((n) => taintToleration.score!(new Map(), tolerant, n, tainted))),
    [100, 100, 100],
  );
});
