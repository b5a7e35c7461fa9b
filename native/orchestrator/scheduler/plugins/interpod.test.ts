import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../apiserver/registry.ts';
import { infoOf, makeNode, makePod } from '../fixtures.ts';
import { type NodeInfo, podInfo } from '../framework.ts';
import { interPodAffinity } from './interpod.ts';

const nsLabels = (ns: string) => ({
  'kubernetes.io/metadata.name': ns,
  ...(ns === 'team' ? { team: 'yes' } : {}),
});
const plugin = interPodAffinity(nsLabels);

const term = (
  labels: Record<string, string>,
  topologyKey = 'kubernetes.io/hostname',
  extra: Record<string, unknown> = {},
) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...extra,
});
const withAffinity = (
  name: string,
  labels: Record<string, string>,
  affinity: Record<string, unknown>,
  namespace = 'default',
) => makePod(name, { affinity }, { labels, namespace });
const required = (t: unknown[]) => ({ requiredDuringSchedulingIgnoredDuringExecution: t });

function filter(pod: KubeObject, nodes: NodeInfo[]): (string | undefined)[] {
  const state = new Map();
  const info = podInfo(pod);
  plugin.preFilter!(state, info, nodes);
  return nodes.map((n) => plugin.filter!(state, info, n)?.reasons[0]);
}

const zoned = (name: string, zone: string) => makeNode(name, { labels: { zone } });

test('InterPodAffinity filter: required affinity, anti-affinity, and existing pods anti-affinity, per topology domain', () => {
  const web = makePod('web', {}, { labels: { app: 'web' } });
  const nodes = () => [infoOf(zoned('a1', 'a'), [web]), infoOf(zoned('a2', 'a')), infoOf(zoned('b1', 'b'))];
  const cases: { name: string; pod: KubeObject; nodes?: NodeInfo[]; want: (string | undefined)[] }[] = [
    {
      name: 'affinity by hostname: only the node with the pod',
      pod: withAffinity('p', {}, { podAffinity: required([term({ app: 'web' })]) }),
      want: [undefined, "node(s) didn't match pod affinity rules", "node(s) didn't match pod affinity rules"],
    },
    {
      name: 'affinity by zone: every node of that zone',
      pod: withAffinity('p', {}, { podAffinity: required([term({ app: 'web' }, 'zone')]) }),
      want: [undefined, undefined, "node(s) didn't match pod affinity rules"],
    },
    {
      name: 'affinity to a topology key no node has',
      pod: withAffinity('p', {}, { podAffinity: required([term({ app: 'web' }, 'rack')]) }),
      want: Array(3).fill("node(s) didn't match pod affinity rules"),
    },
    {
      name: 'affinity to pods in another namespace finds none',
      pod: withAffinity('p', {}, { podAffinity: required([term({ app: 'web' })]) }, 'team'),
      want: Array(3).fill("node(s) didn't match pod affinity rules"),
    },
    {
      name: 'the first pod of a self-selecting group goes anywhere',
      pod: withAffinity('p', { app: 'db' }, { podAffinity: required([term({ app: 'db' })]) }),
      want: [undefined, undefined, undefined],
    },
    {
      name: 'anti-affinity by hostname: anywhere but the node with the pod',
      pod: withAffinity('p', {}, { podAntiAffinity: required([term({ app: 'web' })]) }),
      want: ["node(s) didn't match pod anti-affinity rules", undefined, undefined],
    },
    {
      name: 'anti-affinity by zone',
      pod: withAffinity('p', {}, { podAntiAffinity: required([term({ app: 'web' }, 'zone')]) }),
      want: [
        "node(s) didn't match pod anti-affinity rules",
        "node(s) didn't match pod anti-affinity rules",
        undefined,
      ],
    },
    {
      name: 'namespaceSelector reaches other namespaces',
      pod: withAffinity(
        'p',
        {},
        {
          podAntiAffinity: required([
            term({ app: 'web' }, 'kubernetes.io/hostname', { namespaceSelector: {} }),
          ]),
        },
        'team',
      ),
      want: ["node(s) didn't match pod anti-affinity rules", undefined, undefined],
    },
    {
      name: "an existing pod's anti-affinity keeps the pod away",
      pod: makePod('p', {}, { labels: { app: 'batch' } }),
      nodes: [
        infoOf(zoned('a1', 'a'), [
          withAffinity('loner', {}, { podAntiAffinity: required([term({ app: 'batch' }, 'zone')]) }),
        ]),
        infoOf(zoned('a2', 'a')),
        infoOf(zoned('b1', 'b')),
      ],
      want: [
        "node(s) didn't satisfy existing pods anti-affinity rules",
        "node(s) didn't satisfy existing pods anti-affinity rules",
        undefined,
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(filter(c.pod, c.nodes ?? nodes()), c.want, c.name);
});

test('InterPodAffinity score: preferred terms both ways, normalised between the lowest and highest', () => {
  const nodes = [
    infoOf(zoned('a1', 'a'), [makePod('cache', {}, { labels: { app: 'cache' } })]),
    infoOf(zoned('b1', 'b'), [makePod('noisy', {}, { labels: { app: 'noisy' } })]),
    infoOf(zoned('c1', 'c')),
  ];
  const pod = podInfo(
    withAffinity(
      'p',
      {},
      {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: term({ app: 'cache' }) },
          ],
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, podAffinityTerm: term({ app: 'noisy' }) },
          ],
        },
      },
    ),
  );
  const raw = nodes.map((n) => plugin.score!(new Map(), pod, n, nodes));
  assert.deepEqual(raw, [50, -20, 0]);
  assert.deepEqual(plugin.normalize!(raw), [100, 0, 28]);
});
