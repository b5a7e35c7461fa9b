// The kubelet's memory-backed and source-following volumes against a real berthd and kubectl: an
// `emptyDir: {medium: Memory}` is a tmpfs of its sizeLimit that the pod's containers share, that
// survives a kill -9 of berthd (found again, not mounted twice), and that goes with its pod, its
// namespace, a cluster turned off and a reset; configMap volumes follow edits within seconds through
// `..data`, subPath mounts of them do not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let node = '';
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  assert.ok(await eventually(() => c.kubectl(['get', 'nodes', '-o', 'name']).stdout.trim() !== '', 15_000));
  node = c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);
const get = (args: string[]) => c.kubectl(args).stdout.trim();
const phaseOf = (name: string, ns = 'default') =>
  get(['get', 'pod', name, '-n', ns, '-o', 'jsonpath={.status.phase}']);

const sleeper = (name: string, mounts: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  name,
  image: 'busybox:latest',
  imagePullPolicy: 'IfNotPresent',
  command: ['sleep', '1000'],
  volumeMounts: mounts,
  ...extra,
});

function pod(name: string, spec: Record<string, unknown>, ns = 'default'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { nodeName: node, terminationGracePeriodSeconds: 1, ...spec },
  });
}

/** The tmpfs mounts the host has under the cluster's pod folders, as `<path> <options>`. */
function hostTmpfs(): string[] {
  const pods = path.join(c.daemon.dataRoot, 'kubernetes', 'pods') + path.sep;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' - '))
    .filter(([head, tail]) => tail?.startsWith('tmpfs ') && head!.split(' ')[4]!.startsWith(pods))
    .map(([head, tail]) => `${head!.split(' ')[4]} ${tail!.split(' ')[2]}`);
}

const memPod = (name: string, ns = 'default') =>
  pod(
    name,
    {
      containers: [
        sleeper('app', [{ name: 'cache', mountPath: '/cache' }]),
        sleeper('side', [{ name: 'cache', mountPath: '/data' }]),
      ],
      volumes: [{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }],
    },
    ns,
  );

test('a Memory emptyDir is a tmpfs of its sizeLimit, shared by the containers, kept across kill -9, gone with the pod', async () => {
  ok(['apply', '-f', '-'], memPod('mem'));
  assert.ok(await eventually(() => phaseOf('mem') === 'Running', 60_000), get(['describe', 'pod', 'mem']));
  const uid = get(['get', 'pod', 'mem', '-o', 'jsonpath={.metadata.uid}']);
  const mounts = ok(['exec', 'mem', '-c', 'app', '--', 'grep', ' /cache ', '/proc/mounts']);
  assert.match(mounts, /^tmpfs \/cache tmpfs rw,.*size=65536k/m);
  assert.match(
    ok(['exec', 'mem', '-c', 'app', '--', 'df', '-k', '/cache']),
    /tmpfs\s+65536\s+\d+\s+\d+\s+\d+%\s+\/cache/,
  );
  ok(['exec', 'mem', '-c', 'app', '--', 'sh', '-c', 'echo shared > /cache/note']);
  assert.equal(ok(['exec', 'mem', '-c', 'side', '--', 'cat', '/data/note']), 'shared\n');
  const volume = path.join(
    c.daemon.dataRoot,
    'kubernetes',
    'pods',
    uid,
    'volumes',
    'kubernetes.io~empty-dir',
    'cache',
  );
  const onHost = hostTmpfs().filter((m) => m.startsWith(`${volume} `));
  assert.equal(onHost.length, 1, hostTmpfs().join('\n'));
  assert.match(onHost[0]!, /[ ,]size=65536k(,|$)/);
  assert.match(onHost[0]!, /[ ,]mode=777(,|$)/);

  // berthd killed and started again, the pod still running: the same tmpfs, not a second one on top.
  await c.daemon.kill9();
  await c.daemon.restart();
  await c.ready();
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(phaseOf('mem'), 'Running');
  assert.equal(ok(['exec', 'mem', '-c', 'side', '--', 'cat', '/data/note']), 'shared\n');
  assert.equal(hostTmpfs().filter((m) => m.startsWith(`${volume} `)).length, 1);

  ok(['delete', 'pod', 'mem', '--wait=true', '--timeout=60s']);
  assert.ok(
    await eventually(() => !hostTmpfs().some((m) => m.includes(uid)), 10_000),
    hostTmpfs().join('\n'),
  );
});

test('a secret volume is on tmpfs, as kubelet keeps secrets', async () => {
  ok(['create', 'secret', 'generic', 'pw', '--from-literal=pw=s3cret']);
  ok(
    ['apply', '-f', '-'],
    pod('sec', {
      containers: [sleeper('app', [{ name: 's', mountPath: '/etc/s' }])],
      volumes: [{ name: 's', secret: { secretName: 'pw' } }],
    }),
  );
  assert.ok(await eventually(() => phaseOf('sec') === 'Running', 60_000), get(['describe', 'pod', 'sec']));
  assert.match(ok(['exec', 'sec', '--', 'grep', ' /etc/s ', '/proc/mounts']), /^tmpfs \/etc\/s tmpfs ro,/m);
  assert.equal(ok(['exec', 'sec', '--', 'cat', '/etc/s/pw']), 's3cret');
  ok(['delete', 'pod', 'sec', '--wait=true', '--timeout=60s']);
});

test('a configMap volume sees an edit within 10 s; a subPath mount of it and the env do not', async () => {
  ok(['create', 'configmap', 'cfg', '--from-literal=key=one']);
  ok(
    ['apply', '-f', '-'],
    pod('cfg', {
      containers: [
        sleeper(
          'app',
          [
            { name: 'cfg', mountPath: '/etc/cfg' },
            { name: 'cfg', mountPath: '/etc/key', subPath: 'key' },
          ],
          { env: [{ name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'key' } } }] },
        ),
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
    }),
  );
  assert.ok(await eventually(() => phaseOf('cfg') === 'Running', 60_000), get(['describe', 'pod', 'cfg']));
  assert.equal(ok(['exec', 'cfg', '--', 'cat', '/etc/cfg/key']), 'one');
  assert.match(ok(['exec', 'cfg', '--', 'ls', '-la', '/etc/cfg/']), /key -> \.\.data\/key/);
  ok(['patch', 'configmap', 'cfg', '-p', '{"data":{"key":"two"}}']);
  const t0 = Date.now();
  assert.ok(
    await eventually(() => c.kubectl(['exec', 'cfg', '--', 'cat', '/etc/cfg/key']).stdout === 'two', 10_000),
    'the volume did not follow the configmap within 10 s',
  );
  assert.ok(Date.now() - t0 < 10_000);
  assert.equal(ok(['exec', 'cfg', '--', 'cat', '/etc/key']), 'one');
  assert.equal(ok(['exec', 'cfg', '--', 'sh', '-c', 'echo $KEY']), 'one\n');
  ok(['delete', 'pod', 'cfg', '--wait=true', '--timeout=60s']);
});

test('the memory volumes of a namespace go with it', async () => {
  ok(['create', 'namespace', 'memns']);
  ok(['apply', '-f', '-'], memPod('mem', 'memns'));
  assert.ok(await eventually(() => phaseOf('mem', 'memns') === 'Running', 60_000));
  const uid = get(['get', 'pod', 'mem', '-n', 'memns', '-o', 'jsonpath={.metadata.uid}']);
  assert.ok(hostTmpfs().some((m) => m.includes(uid)));
  ok(['delete', 'namespace', 'memns', '--wait=true', '--timeout=90s']);
  assert.ok(
    await eventually(() => !hostTmpfs().some((m) => m.includes(uid)), 10_000),
    hostTmpfs().join('\n'),
  );
});

test('turning the cluster off releases the memory volumes; on again, the pod gets an empty one; reset leaves none', async () => {
  ok(['apply', '-f', '-'], memPod('keep'));
  assert.ok(await eventually(() => phaseOf('keep') === 'Running', 60_000));
  ok(['exec', 'keep', '-c', 'app', '--', 'sh', '-c', 'echo x > /cache/x']);
  assert.equal(hostTmpfs().length > 0, true);
  const args = c.daemon.args();
  await c.daemon.stop();
  await c.daemon.restart(args.filter((a) => a !== '--kubernetes'));
  assert.deepEqual(hostTmpfs(), []);
  const running = () =>
    c.daemon.docker(['ps', '-q', '--filter', 'label=io.kubernetes.pod.uid']).stdout.trim();
  assert.ok(
    await (async () => {
      const deadline = Date.now() + 60_000;
      while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      return running() === '';
    })(),
    'the pods were not stopped while the cluster was off',
  );
  await c.daemon.stop();
  await c.daemon.restart(args);
  await c.ready();
  assert.ok(
    await eventually(() => c.kubectl(['exec', 'keep', '-c', 'app', '--', 'ls', '/cache']).code === 0, 60_000),
  );
  assert.match(ok(['exec', 'keep', '-c', 'app', '--', 'grep', ' /cache ', '/proc/mounts']), /^tmpfs /m);
  assert.equal(ok(['exec', 'keep', '-c', 'app', '--', 'ls', '/cache']), '');
  assert.ok(hostTmpfs().length > 0);
  await c.daemon.stop();
  await c.daemon.restart([...args, '--kube-reset']);
  await c.ready();
  assert.deepEqual(hostTmpfs(), []);
});
