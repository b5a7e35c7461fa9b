import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rolloutText } from './rollout.ts';
import { formatSelector, type RawObject, toRow } from './rows.ts';

const meta = (name: string, extra: Partial<RawObject['metadata']> = {}) => ({
  uid: `uid-${name}`,
  name,
  namespace: 'default',
  creationTimestamp: '2024-05-01T10:00:00Z',
  resourceVersion: '42',
  ...extra,
});

describe('rows per kind', () => {
  test('a ReplicaSet-owned pod: owner is its controller, IP and node, container names', () => {
    const row = toRow('pods', {
      metadata: meta('web-7d4-abcde', {
        labels: { app: 'web' },
        ownerReferences: [
          { kind: 'Other', name: 'x' },
          { kind: 'ReplicaSet', name: 'web-7d4', controller: true },
        ],
      }),
      spec: {
        nodeName: 'berth',
        containers: [{ name: 'nginx', image: 'nginx' }],
        initContainers: [{ name: 'init' }],
      },
      status: {
        phase: 'Running',
        podIP: '10.88.0.5',
        initContainerStatuses: [
          { name: 'init', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
        containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }],
      },
    });
    assert.deepEqual(row, {
      uid: 'uid-web-7d4-abcde',
      name: 'web-7d4-abcde',
      namespace: 'default',
      createdAt: '2024-05-01T10:00:00Z',
      resourceVersion: '42',
      labels: { app: 'web' },
      owner: { kind: 'ReplicaSet', name: 'web-7d4' },
      deleting: false,
      kind: 'pods',
      status: 'Running',
      ready: 1,
      total: 1,
      restarts: 0,
      phase: 'Running',
      ip: '10.88.0.5',
      node: 'berth',
      containers: ['nginx'],
      initContainers: ['init'],
    });
  });

  test('a deployment mid-rollout: counts, images, selector and kubectl rollout status words', () => {
    const d: RawObject = {
      metadata: meta('web', { generation: 2 }),
      spec: {
        replicas: 3,
        selector: { matchLabels: { tier: 'front', app: 'web' } },
        template: { spec: { containers: [{ name: 'n', image: 'nginx:1.25' }] } },
      },
      status: {
        observedGeneration: 2,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
      },
    };
    const row = toRow('deployments', d);
    assert.equal(row.kind, 'deployments');
    if (row.kind !== 'deployments') return;
    assert.deepEqual(
      [row.desired, row.ready, row.upToDate, row.available, row.selector],
      [3, 3, 1, 3, 'app=web,tier=front'],
    );
    assert.deepEqual(row.images, ['nginx:1.25']);
    assert.equal(
      row.rollout,
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    const old = { ...d, status: { ...d.status, updatedReplicas: 3 } };
    assert.equal(
      rolloutText('deployments', old),
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    const avail = { ...d, status: { ...d.status, replicas: 3, updatedReplicas: 3, availableReplicas: 2 } };
    assert.equal(
      rolloutText('deployments', avail),
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    );
    const done = { ...d, status: { ...d.status, replicas: 3, updatedReplicas: 3, availableReplicas: 3 } };
    assert.equal(rolloutText('deployments', done), undefined);
    assert.equal(
      toRow('deployments', done).kind === 'deployments' && 'rollout' in toRow('deployments', done),
      false,
    );
    const unobserved = { ...d, status: { ...d.status, observedGeneration: 1 } };
    assert.equal(
      rolloutText('deployments', unobserved),
      'Waiting for deployment spec update to be observed...',
    );
    const stuck = {
      ...done,
      status: { ...done.status, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] },
    };
    assert.equal(rolloutText('deployments', stuck), 'deployment "web" exceeded its progress deadline');
  });

  test('statefulset and daemonset counts and rollouts', () => {
    const sts: RawObject = {
      metadata: meta('db', { generation: 1 }),
      spec: { replicas: 3, selector: { matchLabels: { app: 'db' } } },
      status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    };
    assert.equal(rolloutText('statefulsets', sts), 'Waiting for 2 pods to be ready...');
    const ds: RawObject = {
      metadata: meta('agent', { generation: 1 }),
      spec: { selector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod', 'dev'] }] } },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 1,
        numberReady: 0,
        updatedNumberScheduled: 1,
        numberAvailable: 0,
      },
    };
    const row = toRow('daemonsets', ds);
    if (row.kind !== 'daemonsets') return assert.fail();
    assert.deepEqual([row.desired, row.ready, row.upToDate, row.available], [1, 0, 1, 0]);
    assert.equal(row.selector, 'env notin (dev,prod)');
    assert.equal(
      row.rollout,
      'Waiting for daemon set "agent" rollout to finish: 0 of 1 updated pods are available...',
    );
  });

  test('selectors in kubectl words', () => {
    assert.equal(formatSelector(undefined), '<none>');
    assert.equal(formatSelector({}), '<none>');
    assert.equal(
      formatSelector({
        matchLabels: { b: '1' },
        matchExpressions: [
          { key: 'a', operator: 'Exists' },
          { key: 'c', operator: 'DoesNotExist' },
          { key: 'd', operator: 'In', values: ['y', 'x'] },
        ],
      }),
      'a,b=1,!c,d in (x,y)',
    );
  });

  test('jobs: completions, status and duration', () => {
    const job: RawObject = {
      metadata: meta('pi'),
      spec: { completions: 3, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      status: {
        succeeded: 3,
        startTime: '2024-05-01T10:00:00Z',
        completionTime: '2024-05-01T10:01:30Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    const row = toRow('jobs', job);
    if (row.kind !== 'jobs') return assert.fail();
    assert.deepEqual(
      [row.completions, row.status, row.durationS, row.images],
      ['3/3', 'Complete', 90, ['perl']],
    );
    const now = Date.parse('2024-05-01T10:00:10Z');
    const running = toRow(
      'jobs',
      { metadata: meta('p'), spec: { parallelism: 2 }, status: { startTime: '2024-05-01T10:00:00Z' } },
      { berth: false, now: () => now },
    );
    if (running.kind !== 'jobs') return assert.fail();
    assert.deepEqual([running.completions, running.status, running.durationS], ['0/1 of 2', 'Running', 10]);
    const failed = toRow('jobs', {
      metadata: meta('f'),
      status: { conditions: [{ type: 'Failed', status: 'True' }] },
    });
    assert.equal(failed.kind === 'jobs' && failed.status, 'Failed');
  });

  test('cronjobs, configmaps, secrets, events and namespaces', () => {
    const cj = toRow('cronjobs', {
      metadata: meta('nightly'),
      spec: { schedule: '0 3 * * *', suspend: true },
      status: { active: [{ name: 'a' }], lastScheduleTime: '2024-05-01T03:00:00Z' },
    });
    assert.deepEqual(cj.kind === 'cronjobs' && [cj.schedule, cj.suspend, cj.active, cj.lastScheduleAt], [
      '0 3 * * *',
      true,
      1,
      '2024-05-01T03:00:00Z',
    ]);
    const secret = toRow('secrets', {
      metadata: meta('tls'),
      type: 'kubernetes.io/tls',
      data: { 'tls.key': 'x', 'tls.crt': 'y' },
    });
    assert.deepEqual(secret.kind === 'secrets' && [secret.type, secret.keys], [
      'kubernetes.io/tls',
      ['tls.crt', 'tls.key'],
    ]);
    const cm = toRow('configmaps', { metadata: meta('cfg'), data: { b: '1' }, binaryData: { a: 'AA==' } });
    assert.deepEqual(cm.kind === 'configmaps' && ['type' in cm, cm.keys], [false, ['a', 'b']]);
    const ev = toRow('events', {
      metadata: meta('web.17a'),
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', name: 'web-1', uid: 'u1' },
      count: 5,
      lastTimestamp: '2024-05-01T10:09:00Z',
      source: { component: 'kubelet', host: 'berth' },
    });
    assert.deepEqual(
      ev.kind === 'events' && [ev.type, ev.reason, ev.object, ev.count, ev.lastSeen, ev.source],
      ['Warning', 'BackOff', { kind: 'Pod', name: 'web-1', uid: 'u1' }, 5, '2024-05-01T10:09:00Z', 'kubelet'],
    );
    const ns = toRow('namespaces', {
      metadata: { ...meta('dev'), namespace: undefined },
      status: { phase: 'Active' },
    });
    assert.deepEqual(ns.kind === 'namespaces' && [ns.namespace, ns.phase], ['', 'Active']);
  });

  test("services: ports, external addresses, and links that open on Berth's cluster", () => {
    const svc: RawObject = {
      metadata: meta('web'),
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.12',
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
          { protocol: 'UDP', port: 53, targetPort: 'dns', nodePort: 30053 },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: '127.0.0.7' }] } },
    };
    const berth = toRow('services', svc, { berth: true, now: Date.now });
    if (berth.kind !== 'services') return assert.fail();
    assert.equal(berth.clusterIP, '10.96.0.12');
    assert.deepEqual(berth.externalIPs, ['127.0.0.7']);
    assert.deepEqual(berth.ports, [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: '8080', nodePort: 30080 },
      { protocol: 'UDP', port: 53, targetPort: 'dns', nodePort: 30053 },
    ]);
    assert.deepEqual(berth.links, [
      { label: '127.0.0.7:80', url: 'http://127.0.0.7:80/' },
      { label: 'localhost:30080', url: 'http://127.0.0.1:30080/' },
    ]);
    const other = toRow('services', svc, { berth: false, now: Date.now });
    assert.deepEqual(other.kind === 'services' && other.links, [
      { label: '127.0.0.7:80', url: 'http://127.0.0.7:80/' },
    ]);
    const headless = toRow('services', { metadata: meta('h'), spec: { clusterIP: 'None', ports: [] } });
    assert.deepEqual(headless.kind === 'services' && [headless.type, headless.clusterIP, headless.links], [
      'ClusterIP',
      'None',
      [],
    ]);
  });
});
