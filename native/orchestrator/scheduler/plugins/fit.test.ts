import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infoOf, makeNode, makePod, requesting } from '../fixtures.ts';
import { podInfo } from '../framework.ts';
import { nodePorts, nodeResourcesFit } from './fit.ts';

const withPort = (hostPort: number, extra: Record<string, unknown> = {}) =>
  makePod(`port-${hostPort}`, {
    containers: [
      { name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort, protocol: 'TCP', ...extra }] },
    ],
  });

test('NodePorts: a hostPort taken on the same protocol and address (or any address) is a conflict', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
    ['same port, every address', {}, {}, true],
    ['same port, other protocol', {}, { protocol: 'UDP' }, false],
    ['same port, two addresses', { hostIP: '127.0.0.1' }, { hostIP: '127.0.0.2' }, false],
    ['same port, one side every address', { hostIP: '127.0.0.1' }, {}, true],
  ];
  for (const [name, existing, wanted, conflict] of cases) {
    const node = infoOf(makeNode('n'), [withPort(8080, existing)]);
    const status = nodePorts.filter!(new Map(), podInfo(withPort(8080, wanted)), node);
    assert.deepEqual(
      status?.reasons,
      conflict ? ["node(s) didn't have free ports for the requested pod ports"] : undefined,
      name,
    );
  }
  const other = nodePorts.filter!(
    new Map(),
    podInfo(withPort(8081)),
    infoOf(makeNode('n'), [withPort(8080)]),
  );
  assert.equal(other, undefined);
});

test('NodeResourcesFit: every shortfall named, pods counted, extended resources', () => {
  const busy = makePod('busy', { containers: [requesting('1500m', '3Gi')] });
  const cases: {
    name: string;
    node: ReturnType<typeof makeNode>;
    on?: unknown[];
    spec: Record<string, unknown>;
    want?: string[];
  }[] = [
    { name: 'fits an empty node', node: makeNode('n'), spec: { containers: [requesting('2', '4Gi')] } },
    {
      name: 'more cpu than allocatable',
      node: makeNode('n'),
      spec: { containers: [requesting('3')] },
      want: ['Insufficient cpu'],
    },
    {
      name: 'both short once another pod is there',
      node: makeNode('n'),
      on: [busy],
      spec: { containers: [requesting('600m', '2Gi')] },
      want: ['Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'asking nothing fits a full node', node: makeNode('n'), on: [busy], spec: {} },
    { name: 'pod count', node: makeNode('n', { pods: '1' }), on: [busy], spec: {}, want: ['Too many pods'] },
    {
      name: 'an extended resource the node lacks',
      node: makeNode('n'),
      spec: {
        containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/dongle': '1' } } }],
      },
      want: ['Insufficient example.com/dongle'],
    },
    {
      name: 'an extended resource the node has',
      node: makeNode('n', { extra: { 'example.com/dongle': '1' } }),
      spec: {
        containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/dongle': '1' } } }],
      },
    },
  ];
  for (const c of cases) {
    const status = nodeResourcesFit.filter!(
      new Map(),
      podInfo(makePod('p', c.spec)),
      infoOf(c.node, (c.on ?? []) as ReturnType<typeof makePod>[]),
    );
    assert.deepEqual(status?.reasons, c.want, c.name);
    if (status) assert.equal(status.code, 'Unschedulable');
  }
});

test('NodeResourcesFit scores the node with more left higher', () => {
  const pod = podInfo(makePod('p', { containers: [requesting('500m', '1Gi')] }));
  const nodes = [
    infoOf(makeNode('busy'), [makePod('b', { containers: [requesting('1', '2Gi')] })]),
    infoOf(makeNode('idle')),
  ];
  const [busy, idle] = nodes.map((n) => nodeResourcesFit.score!(new Map(), pod, n, nodes));
  assert.deepEqual([busy, idle], [25, 75], 'three quarters used against one quarter');
});
