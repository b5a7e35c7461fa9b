import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod, requesting } from './fixtures.ts';
import { nodeAllocatable, parseQuantity, podRequests } from './resources.ts';

test('quantities: decimal and binary suffixes, millis, exponents; junk is NaN', () => {
  const cases: [string, number][] = [
    ['250m', 0.25],
    ['1', 1],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2k', 2000],
    ['1M', 1e6],
    ['1e3', 1000],
    ['.5', 0.5],
  ];
  for (const [q, want] of cases) assert.equal(parseQuantity(q), want, q);
  for (const bad of ['', 'abc', '1Qi', '1.2.3', undefined])
    assert.ok(Number.isNaN(parseQuantity(bad)), String(bad));
});

test('pod requests: containers summed, the largest init container if more, sidecars added, overhead', () => {
  const cases: { name: string; spec: Record<string, unknown>; cpu: number; memory: number }[] = [
    { name: 'nothing asked', spec: {}, cpu: 0, memory: 0 },
    {
      name: 'two containers',
      spec: { containers: [requesting('100m', '64Mi'), { ...requesting('250m', '64Mi'), name: 'd' }] },
      cpu: 350,
      memory: 128 * 2 ** 20,
    },
    {
      name: 'an init container larger than the rest',
      spec: { containers: [requesting('100m')], initContainers: [{ ...requesting('1'), name: 'i' }] },
      cpu: 1000,
      memory: 0,
    },
    {
      name: 'a sidecar runs beside the containers and the later init containers',
      spec: {
        containers: [requesting('100m')],
        initContainers: [
          { ...requesting('200m'), name: 'side', restartPolicy: 'Always' },
          { ...requesting('500m'), name: 'init' },
        ],
      },
      cpu: 700,
      memory: 0,
    },
    {
      name: 'overhead on top',
      spec: { containers: [requesting('100m', '1Mi')], overhead: { cpu: '50m', memory: '1Mi' } },
      cpu: 150,
      memory: 2 * 2 ** 20,
    },
  ];
  for (const c of cases) {
    const r = podRequests(makePod('p', c.spec));
    assert.deepEqual([r.milliCPU, r.memory], [c.cpu, c.memory], c.name);
  }
  const nonZero = podRequests(makePod('p', { containers: [requesting(undefined, '1Mi')] }), true);
  assert.deepEqual(
    [nonZero.milliCPU, nonZero.memory],
    [100, 2 ** 20],
    'scoring counts 100m for no cpu request',
  );
});

test('a node offers its allocatable (capacity without it) and a pod count', () => {
  const a = nodeAllocatable(
    makeNode('n', { cpu: '1500m', memory: '1Gi', pods: '3', extra: { 'example.com/dongle': '2' } }),
  );
  assert.deepEqual(a, {
    resources: {
      milliCPU: 1500,
      memory: 2 ** 30,
      ephemeralStorage: 10 * 2 ** 30,
      scalar: { 'example.com/dongle': 2 },
    },
    pods: 3,
  });
  assert.equal(nodeAllocatable({ metadata: { name: 'bare' } }).pods, 0);
});
