// Claims of the default StorageClass (`local-path`) get engine volumes: bound at once, shown by
// `docker volume ls`, kept across pods, and removed with their claim.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);
const get = (args: string[]) => c.kubectl(args).stdout.trim();

const pod = (name: string, script: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'c',
          image: 'busybox:latest',
          command: ['sh', '-c', script],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    },
  });

test('a claim is bound to a new engine volume that outlives its pods and goes with the claim', async () => {
  assert.match(
    ok(['get', 'storageclass']),
    /local-path \(default\)\s+berth\.dev\/local-path\s+Delete\s+Immediate/,
  );
  ok(
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n',
  );
  assert.ok(
    await eventually(() => get(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}']) === 'Bound', 20_000),
  );
  const pvc = ok(['get', 'pvc', 'data']);
  assert.match(pvc, /data\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+local-path/);
  const volume = get(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}']);
  assert.match(
    ok(['get', 'pv']),
    new RegExp(`${volume}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local-path`),
  );
  const uid = get(['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}']);
  const volumes = c.daemon.docker([
    'volume',
    'ls',
    '--filter',
    'label=io.kubernetes.pvc.name=data',
    '--format',
    '{{.Name}}',
  ]).stdout;
  assert.equal(volumes.trim(), `pvc-${uid}`, 'the engine volume, labelled with its claim');

  ok(['apply', '-f', '-'], pod('writer', 'echo kept > /data/file'));
  assert.ok(
    await eventually(
      () => get(['get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}']) === 'Succeeded',
      60_000,
    ),
  );
  ok(['delete', 'pod', 'writer']);
  ok(['apply', '-f', '-'], pod('reader', 'cat /data/file'));
  assert.ok(
    await eventually(
      () => get(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}']) === 'Succeeded',
      60_000,
    ),
  );
  assert.equal(ok(['logs', 'reader']).trim(), 'kept');
  ok(['delete', 'pod', 'reader']);

  ok(['delete', 'pvc', 'data']);
  assert.ok(
    await eventually(() => c.kubectl(['get', 'pv', volume]).code !== 0, 20_000),
    'the volume goes with the claim',
  );
  assert.ok(
    await eventually(() => !c.daemon.docker(['volume', 'ls', '-q']).stdout.includes(`pvc-${uid}`), 20_000),
    'and so does the engine volume',
  );
});

test('a generic ephemeral volume: a claim made for the pod, owned by it, mounted, gone with it', async () => {
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scratch' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'busybox:latest',
            command: ['sh', '-c', 'echo in-claim > /scratch/f && cat /scratch/f && sleep 3600'],
            volumeMounts: [{ name: 'work', mountPath: '/scratch' }],
          },
        ],
        terminationGracePeriodSeconds: 1,
        volumes: [
          {
            name: 'work',
            ephemeral: {
              volumeClaimTemplate: {
                metadata: { labels: { kind: 'scratch' } },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
              },
            },
          },
        ],
      },
    }),
  );
  assert.ok(
    await eventually(
      () => get(['get', 'pod', 'scratch', '-o', 'jsonpath={.status.phase}']) === 'Running',
      60_000,
    ),
    c.kubectl(['describe', 'pod', 'scratch']).stdout,
  );
  assert.equal(ok(['logs', 'scratch']).trim(), 'in-claim');
  const claim = JSON.parse(ok(['get', 'pvc', 'scratch-work', '-o', 'json'])) as {
    metadata: {
      labels: Record<string, string>;
      ownerReferences: { kind: string; name: string; controller: boolean }[];
    };
    status: { phase: string };
  };
  assert.equal(claim.status.phase, 'Bound');
  assert.equal(claim.metadata.labels.kind, 'scratch');
  assert.deepEqual(
    claim.metadata.ownerReferences.map((r) => [r.kind, r.name, r.controller]),
    [['Pod', 'scratch', true]],
  );
  ok(['delete', 'pod', 'scratch']);
  assert.ok(
    await eventually(() => c.kubectl(['get', 'pvc', 'scratch-work']).code !== 0, 30_000),
    'the claim goes with its pod',
  );
});
