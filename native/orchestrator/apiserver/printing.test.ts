// Selectors and the columns kubectl prints from the server's tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from './registry.ts';
import { defaultRegistry } from './resources/index.ts';
import { summarizePod } from './resources/pod.ts';
import { labelSelectorString, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError } from './status.ts';
import { humanDuration, toTable } from './table.ts';

test('label selectors: equality, set-based, existence, numeric', () => {
  const l = { app: 'web', tier: 'front', gen: '3' };
  const m = (s: string) => matchLabels(parseLabelSelector(s), l);
  assert.ok(m('app=web'));
  assert.ok(m('app==web,tier=front'));
  assert.ok(!m('app!=web'));
  assert.ok(m('tier in (front, back)'));
  assert.ok(!m('tier notin (front)'));
  assert.ok(m('app'));
  assert.ok(m('!missing'));
  assert.ok(!m('!app'));
  assert.ok(m('gen>2'));
  assert.ok(!m('gen<3'));
  assert.ok(m(''));
  assert.throws(
    () => parseLabelSelector('app=we b'),
    (e: unknown) => e instanceof ApiError && e.code === 400,
  );
});

test('a LabelSelector object prints as its string form', () => {
  assert.equal(
    labelSelectorString({
      matchLabels: { b: '2', a: '1' },
      matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }],
    }),
    'a=1,b=2,c in (x,y)',
  );
});

test('field selectors per kind: pods know spec.nodeName and status.phase, secrets type', () => {
  const registry = defaultRegistry();
  const pods = registry.lookup('', 'v1', 'pods')!;
  const reqs = parseFieldSelector(pods, 'spec.nodeName=n1,status.phase!=Failed');
  assert.equal(reqs.length, 2);
  assert.ok(parseFieldSelector(registry.lookup('', 'v1', 'secrets')!, 'type=Opaque'));
  assert.ok(parseFieldSelector(registry.lookup('apps', 'v1', 'replicasets')!, 'status.replicas=0'));
  assert.ok(parseFieldSelector(registry.lookup('batch', 'v1', 'jobs')!, 'status.successful=1'));
  assert.ok(
    parseFieldSelector(
      registry.lookup('', 'v1', 'events')!,
      'involvedObject.name=web,involvedObject.kind=Pod',
    ),
  );
  assert.throws(
    () => parseFieldSelector(registry.lookup('', 'v1', 'configmaps')!, 'spec.nodeName=x'),
    /field label not supported: spec.nodeName/,
  );
});

test('ages print as kubectl prints them', () => {
  assert.equal(humanDuration(59_000), '59s');
  assert.equal(humanDuration(119_000), '119s');
  assert.equal(humanDuration(5 * 60_000 + 3_000), '5m3s');
  assert.equal(humanDuration(45 * 60_000), '45m');
  assert.equal(humanDuration(3 * 3600_000 + 20 * 60_000), '3h20m');
  assert.equal(humanDuration(30 * 3600_000), '30h');
  assert.equal(humanDuration(5 * 86400_000), '5d');
  assert.equal(humanDuration(400 * 86400_000), '400d');
  assert.equal(humanDuration(3 * 365 * 86400_000 + 30 * 86400_000), '3y30d');
});

const pod = (status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init' }] },
  status,
  ...extra,
});
const now = Date.parse('2026-01-01T01:00:00Z');

test('pod STATUS, READY and RESTARTS follow kubectl’s rules', () => {
  assert.deepEqual(summarizePod(pod({ phase: 'Pending' }), now), {
    ready: '0/2',
    status: 'Pending',
    restarts: '0',
  });
  const initWaiting = pod({
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'init', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
    ],
  });
  assert.equal(summarizePod(initWaiting, now).status, 'Init:0/1');
  const crash = pod({
    phase: 'Running',
    initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [
      { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
      {
        name: 'b',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:58:00Z' } },
      },
    ],
  });
  assert.deepEqual(summarizePod(crash, now), {
    ready: '1/2',
    status: 'CrashLoopBackOff',
    restarts: '4 (2m ago)',
  });
  const terminating = pod(
    { phase: 'Running' },
    { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:59:00Z' } },
  );
  assert.equal(summarizePod(terminating, now).status, 'Terminating');
});

test('pods print NAME READY STATUS RESTARTS AGE, and IP and NODE with -o wide', () => {
  const def = defaultRegistry().lookup('', 'v1', 'pods')!;
  const p = pod(
    { phase: 'Running', podIP: '10.1.0.5' },
    { spec: { nodeName: 'berth', containers: [{ name: 'a' }] } },
  );
  const t = toTable(def, [p], { now, includeObject: 'None', version: 'v1' });
  assert.deepEqual(
    t.columnDefinitions.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ],
  );
  assert.deepEqual(t.rows[0].cells, [
    'p',
    '0/1',
    'Running',
    '0',
    '60m',
    '10.1.0.5',
    'berth',
    '<none>',
    '<none>',
  ]);
  assert.equal(t.rows[0].object, undefined);
});

test('every kind has a Name column (or Last Seen for events) and prints without throwing on an empty object', () => {
  for (const def of defaultRegistry().all()) {
    const t = toTable(def, [{ metadata: { name: 'x' } }], { now, includeObject: 'Metadata', version: 'v1' });
    assert.ok(
      t.columnDefinitions.some((c) => c.format === 'name'),
      def.kind,
    );
    assert.equal(t.rows[0].cells.length, t.columnDefinitions.length, def.kind);
  }
});

test('a sidecar counts in READY once started and ready, and its restarts count once the pod is initialized', () => {
  const withSidecar: KubeObject = {
    metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      initContainers: [{ name: 'setup' }, { name: 'shipper', restartPolicy: 'Always' }],
      containers: [{ name: 'app' }],
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      initContainerStatuses: [
        { name: 'setup', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        {
          name: 'shipper',
          restartCount: 2,
          started: true,
          ready: true,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:55:00Z' } },
        },
      ],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
  assert.deepEqual(summarizePod(withSidecar, now), {
    ready: '2/2',
    status: 'Running',
    restarts: '2 (5m ago)',
  });
  const starting = structuredClone(withSidecar);
  (starting.status as { initContainerStatuses: { ready: boolean }[] }).initContainerStatuses[1].ready = false;
  assert.equal(summarizePod(starting, now).ready, '1/2');
});
