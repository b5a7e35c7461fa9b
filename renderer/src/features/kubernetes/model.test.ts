// kubectl's ages and restarts, the status tone, the search and the sort of the Kubernetes lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventRow, PodRow, ServiceRow } from '../../../../electron/contract/index.ts';
import {
  createdValue,
  declaredTcpPorts,
  filterRows,
  kubeAge,
  kubeDuration,
  podTone,
  problemTitle,
  restartsText,
  sortRows,
} from './model.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

function pod(name: string, patch: Partial<PodRow> = {}): PodRow {
  return {
    kind: 'pods',
    uid: `uid-${name}`,
    name,
    namespace: 'default',
    createdAt: '2026-01-01T00:00:00Z',
    resourceVersion: '1',
    labels: {},
    deleting: false,
    status: 'Running',
    phase: 'Running',
    ready: 1,
    total: 1,
    restarts: 0,
    containers: ['main'],
    initContainers: [],
    ...patch,
  };
}

describe('kubernetes list model', () => {
  test('ages as kubectl prints them', () => {
    const cases: [number, string][] = [
      [-5 * s, '<invalid>'],
      [-1 * s, '0s'],
      [0, '0s'],
      [45 * s, '45s'],
      [119 * s, '119s'],
      [2 * m, '2m'],
      [3 * m + 20 * s, '3m20s'],
      [17 * m + 59 * s, '17m'],
      [179 * m, '179m'],
      [3 * h, '3h'],
      [5 * h + 3 * m, '5h3m'],
      [8 * h + 30 * m, '8h'],
      [47 * h, '47h'],
      [2 * d, '2d'],
      [2 * d + 4 * h, '2d4h'],
      [8 * d + 4 * h, '8d'],
      [400 * d, '400d'],
      [730 * d, '2y'],
      [3 * 365 * d + 20 * d, '3y20d'],
      [9 * 365 * d + 20 * d, '9y'],
    ];
    for (const [ms, want] of cases) assert.equal(kubeDuration(ms), want, `${ms} ms`);
    const now = Date.parse('2026-01-01T01:00:00Z');
    assert.equal(kubeAge('2026-01-01T00:00:00Z', now), '60m');
    assert.equal(kubeAge(undefined, now), '—');
  });

  test('restarts with the last one’s age, as kubectl’s RESTARTS column', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    assert.equal(restartsText({ restarts: 0 }, now), '0');
    assert.equal(restartsText({ restarts: 3, lastRestartAt: '2026-01-01T00:08:00Z' }, now), '3 (2m ago)');
    assert.equal(restartsText({ restarts: 1 }, now), '1');
  });

  test('status tones: ready and running is ok, back-offs and errors are bad, the rest waits', () => {
    assert.equal(podTone(pod('a')), 'ok');
    assert.equal(podTone(pod('a', { ready: 0 })), 'warn', 'running but not ready');
    assert.equal(podTone(pod('a', { status: 'ContainerCreating' })), 'warn');
    assert.equal(podTone(pod('a', { status: 'CrashLoopBackOff' })), 'bad');
    assert.equal(podTone(pod('a', { status: 'ImagePullBackOff' })), 'bad');
    assert.equal(podTone(pod('a', { status: 'Init:Error' })), 'bad');
    assert.equal(podTone(pod('a', { status: 'Completed', ready: 0 })), 'muted');
    assert.equal(podTone(pod('a', { deleting: true })), 'muted');
  });

  test('search: every word, labels as key=value, !word excludes, any kind’s own fields', () => {
    const rows = [
      pod('web-1', { labels: { app: 'web' }, node: 'berth', ip: '10.88.0.4' }),
      pod('web-2', { labels: { app: 'web' }, status: 'CrashLoopBackOff' }),
      pod('db-0', { labels: { app: 'db' }, namespace: 'data', owner: { kind: 'StatefulSet', name: 'db' } }),
    ];
    const names = (q: string) => filterRows(rows, q).map((r) => r.name);
    assert.deepEqual(names(''), ['web-1', 'web-2', 'db-0']);
    assert.deepEqual(names('app=web'), ['web-1', 'web-2']);
    assert.deepEqual(names('app=web !running'), ['web-2']);
    assert.deepEqual(names('WEB crash'), ['web-2'], 'case aside');
    assert.deepEqual(names('statefulset/db'), ['db-0'], 'the owner');
    assert.deepEqual(names('data'), ['db-0'], 'the namespace');
    assert.deepEqual(names('10.88.0.4'), ['web-1'], 'the IP');
    assert.deepEqual(names('nothing-like-this'), []);
    const ev: EventRow = {
      kind: 'events',
      uid: 'e1',
      name: 'web-1.17a',
      namespace: 'default',
      createdAt: '2026-01-01T00:00:00Z',
      resourceVersion: '1',
      labels: {},
      deleting: false,
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      object: { kind: 'Pod', name: 'web-1' },
      count: 4,
      lastSeen: '2026-01-01T00:00:00Z',
      source: 'kubelet',
    };
    assert.equal(filterRows([ev], 'pod/web-1 back-off').length, 1);
    const svc: ServiceRow = {
      ...ev,
      kind: 'services',
      uid: 's1',
      name: 'web',
      type: 'NodePort',
      clusterIP: '10.96.0.12',
      externalIPs: [],
      ports: [{ protocol: 'TCP', port: 8080, targetPort: '80', nodePort: 30080 }],
      links: [],
    };
    assert.equal(filterRows([svc], 'nodeport 8080').length, 1);
  });

  test('sort: numbers as numbers, names naturally, ties by namespace and name, empty values last', () => {
    const rows = [
      pod('web-10', { restarts: 2, node: 'b' }),
      pod('web-9', { restarts: 10 }),
      pod('web-2', { restarts: 2, node: 'a' }),
      pod('api', { restarts: 0, namespace: 'a-ns', node: 'c' }),
    ];
    const by = (v: (p: PodRow) => string | number | undefined, desc = false) =>
      sortRows(rows, v, desc).map((p) => p.name);
    assert.deepEqual(
      by((p) => p.name),
      ['api', 'web-2', 'web-9', 'web-10'],
    );
    assert.deepEqual(
      by((p) => p.restarts),
      ['api', 'web-2', 'web-10', 'web-9'],
    );
    assert.deepEqual(
      by((p) => p.restarts, true),
      ['web-9', 'web-2', 'web-10', 'api'],
      'ties stay in name order',
    );
    assert.deepEqual(
      by((p) => p.node),
      ['web-2', 'web-10', 'api', 'web-9'],
      'no node goes last',
    );
    assert.deepEqual(
      by((p) => p.node, true),
      ['api', 'web-10', 'web-2', 'web-9'],
      'last either way',
    );
    const aged = [
      pod('old', { createdAt: '2025-01-01T00:00:00Z' }),
      pod('new', { createdAt: '2026-02-01T00:00:00Z' }),
    ];
    assert.deepEqual(
      sortRows(aged, createdValue, true).map((p) => p.name),
      ['new', 'old'],
    );
  });

  test('a problem names the context and what could not be listed', () => {
    assert.equal(
      problemTitle({ kind: 'forbidden', message: 'x' }, 'prod', 'secrets'),
      'Forbidden: context prod may not list secrets',
    );
    assert.match(problemTitle({ kind: 'certificate', message: 'x' }, 'prod', 'pods'), /prod.*certificate/);
    assert.match(
      problemTitle({ kind: 'unreachable', message: 'x' }, 'berth', 'pods'),
      /berth cannot be reached/,
    );
  });

  test("a pod's declared TCP ports, once each, for its Port-forward tab", () => {
    assert.deepEqual(
      declaredTcpPorts(['http 8080/TCP', '53/UDP', '9090/TCP', 'metrics 8080/TCP', '7/SCTP']),
      [8080, 9090],
    );
    assert.deepEqual(declaredTcpPorts([]), []);
  });
});
