import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hiddenSecretValue } from '../../contract/index.ts';
import { decodeSecretValue } from './config-values.ts';
import { containersOf, objectView } from './object-detail.ts';
import { jobFromCronJob, manualJobName, rfc3339 } from './workload-actions.ts';

describe('object detail', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      uid: 'u1',
      managedFields: [{ manager: 'kubectl' }],
      labels: { b: '2', a: '1' },
    },
    spec: {
      containers: [
        { name: 'app', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] },
      ],
      initContainers: [{ name: 'init', image: 'busybox' }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z' }],
      initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 2, state: { running: { startedAt: 'x' } } },
      ],
    },
  };

  test('YAML as kubectl -o yaml prints it: keys sorted, lists flush with their key, managedFields out', () => {
    const v = objectView({ context: 'berth', kind: 'pods', namespace: 'default', name: 'web-1' }, pod);
    assert.equal(
      v.yaml,
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  labels:',
        '    a: "1"',
        '    b: "2"',
        '  name: web-1',
        '  namespace: default',
        '  uid: u1',
        'spec:',
        '  containers:',
        '  - image: nginx',
        '    name: app',
        '    ports:',
        '    - containerPort: 80',
        '      name: http',
        '      protocol: TCP',
        '  initContainers:',
        '  - image: busybox',
        '    name: init',
        'status:',
        '  conditions:',
        '  - lastTransitionTime: "2024-05-01T10:00:00Z"',
        '    status: "True"',
        '    type: Ready',
      ].join('\n') + v.yaml.slice(v.yaml.indexOf('\n  containerStatuses:')),
    );
    assert.ok(!v.yaml.includes('managedFields'));
    assert.equal(pod.metadata.managedFields.length, 1, 'the object itself is left as it was');
    assert.deepEqual(v.conditions, [
      { type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z' },
    ]);
    assert.deepEqual(v.containers, [
      {
        name: 'init',
        init: true,
        image: 'busybox',
        state: 'Terminated: Completed (exit code 0)',
        ready: false,
        restarts: 0,
        ports: [],
      },
      {
        name: 'app',
        init: false,
        image: 'nginx',
        state: 'Running',
        ready: true,
        restarts: 2,
        ports: ['http 80/TCP'],
      },
    ]);
  });

  test("a CronJob's containers are its job template's", () => {
    const cj = {
      metadata: { name: 'n' },
      spec: {
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      },
    };
    assert.deepEqual(
      containersOf('cronjobs', cj).map((c) => [c.name, c.image, c.state]),
      [['c', 'busybox', '']],
    );
  });

  test('a secret’s YAML keeps its keys and none of its values, last-applied too', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'creds',
        namespace: 'default',
        uid: 'u9',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"czNjcmV0LVBhNTU="}}',
          note: 'kept',
        },
      },
      data: { password: 'czNjcmV0LVBhNTU=', 'tls.crt': 'LS0tLS1CRUdJTi\nmore-base64' },
      stringData: { user: 'admin' },
      type: 'Opaque',
    };
    const ref = { context: 'c', kind: 'secrets' as const, namespace: 'default', name: 'creds' };
    const yaml = objectView(ref, secret).yaml;
    for (const value of ['czNj', 'LS0t', 'more-base64', 'admin']) assert.ok(!yaml.includes(value), yaml);
    assert.deepEqual(yaml.split('\n'), [
      'apiVersion: v1',
      'data:',
      `  password: ${hiddenSecretValue}`,
      `  tls.crt: ${hiddenSecretValue}`,
      'kind: Secret',
      'metadata:',
      '  annotations:',
      `    kubectl.kubernetes.io/last-applied-configuration: ${hiddenSecretValue}`,
      '    note: kept',
      '  name: creds',
      '  namespace: default',
      '  uid: u9',
      'stringData:',
      `  user: ${hiddenSecretValue}`,
      'type: Opaque',
      '',
    ]);
    assert.equal(secret.data.password, 'czNjcmV0LVBhNTU=', 'the object itself is left as it was');
    // Any other kind's data is shown as it is.
    const cm = { ...secret, kind: 'ConfigMap' };
    assert.match(objectView({ ...ref, kind: 'configmaps' }, cm).yaml, /password: czNjcmV0LVBhNTU=/);
  });
});

describe('actions, as kubectl does them', () => {
  test('create job --from=cronjob: the job template, marked manual, owned by the CronJob', () => {
    const job = jobFromCronJob(
      {
        metadata: { name: 'nightly', namespace: 'ops', uid: 'c1' },
        spec: {
          schedule: '* * * * *',
          jobTemplate: {
            metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
            spec: {
              template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
            },
          },
        },
      },
      'nightly-manual-abcde',
    );
    assert.deepEqual(job, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'nightly-manual-abcde',
        namespace: 'ops',
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', note: 'x' },
        labels: { team: 'a' },
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'c1', controller: true },
        ],
      },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    assert.match(manualJobName('nightly'), /^nightly-manual-[a-z0-9]{5}$/);
    assert.equal(manualJobName('x'.repeat(80)).length, 63);
    assert.equal(rfc3339(Date.parse('2024-05-01T10:00:00.123Z')), '2024-05-01T10:00:00Z');
  });

  test('secret values: text decoded, binary flagged and kept in base64', () => {
    assert.deepEqual(decodeSecretValue(Buffer.from('hunter2\n').toString('base64')), {
      value: 'hunter2\n',
      binary: false,
    });
    assert.deepEqual(decodeSecretValue(Buffer.from('päss').toString('base64')), {
      value: 'päss',
      binary: false,
    });
    const bin = Buffer.from([0x00, 0xff, 0x10]).toString('base64');
    assert.deepEqual(decodeSecretValue(bin), { value: bin, binary: true });
  });
});
