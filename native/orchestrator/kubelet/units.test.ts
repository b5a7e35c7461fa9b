// The kubelet's small pure parts: quantities, the back-off, env expansion, the phase rules, names.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ManualClock } from '../../core/manual-clock.ts';
import { Backoff, goDuration } from './backoff.ts';
import { resourcesOf } from './container-config.ts';
import { containerEnv, expand } from './env.ts';
import { containerName } from './names.ts';
import { nodeNameFor } from './node.ts';
import { bytes, milliCpu } from './quantity.ts';
import { phaseOf } from './status.ts';
import { dialError, portForwardBackend } from './streaming.ts';

test('quantities: CPU in millicores, memory in bytes', () => {
  assert.equal(milliCpu('100m'), 100);
  assert.equal(milliCpu('1.5'), 1500);
  assert.equal(milliCpu(2), 2000);
  assert.equal(milliCpu('0.0001'), 1);
  assert.equal(bytes('128Mi'), 128 * 2 ** 20);
  assert.equal(bytes('1G'), 1e9);
  assert.equal(bytes('2e3'), 2000);
  assert.equal(bytes('lots'), undefined);
});

test('resources become cgroup values as the kubelet computes them', () => {
  assert.deepEqual(
    resourcesOf({ resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m' } } }),
    {
      NanoCpus: 2e9,
      CpuShares: 102,
      Memory: 2 ** 30,
    },
  );
  // A request defaults to the limit; nothing asked gives the minimum shares.
  assert.deepEqual(resourcesOf({ resources: { limits: { cpu: '250m' } } }), {
    NanoCpus: 250e6,
    CpuShares: 256,
    Memory: 0,
  });
  assert.deepEqual(resourcesOf({}), { NanoCpus: 0, CpuShares: 2, Memory: 0 });
});

test('back-off: the first failure retries at once, then 10 s from the exit, doubling to 5 min, reset after 10 min quiet', () => {
  const clock = new ManualClock(1_000_000);
  const b = new Backoff(clock);
  assert.equal(b.remaining('k', clock.now()), 0);
  b.next('k', clock.now());
  assert.equal(b.remaining('k', clock.now()), 10_000);
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    b.next('k', clock.now());
    delays.push(b.delay('k'));
  }
  assert.deepEqual(delays, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  assert.equal(goDuration(300_000), '5m0s');
  assert.equal(goDuration(10_000), '10s');
  assert.equal(
    b.remaining('k', clock.now() + 600_001),
    0,
    'an exit long after the last restart is not held back',
  );
});

test('$(VAR) expands from what came before; $$ escapes; unknown references stay', () => {
  const vars = new Map([['A', 'x']]);
  assert.equal(expand('$(A)-$(B)-$$(A)', vars), 'x-$(B)-$(A)');
});

test('a missing optional key leaves the variable out; a missing required configmap says so', async () => {
  const lookup = async () => ({ metadata: { name: 'cm' }, data: { a: '1' } });
  const sources = { lookup, podIP: '', hostIP: '', allocatable: { cpu: 1, memory: 1 } };
  const env = await containerEnv(
    { metadata: { name: 'p', namespace: 'n' } },
    { env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b', optional: true } } }] },
    sources,
  );
  assert.deepEqual(env, []);
  await assert.rejects(
    containerEnv(
      { metadata: { name: 'p', namespace: 'n' } },
      { env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b' } } }] },
      sources,
    ),
    /couldn't find key b in ConfigMap n\/cm/,
  );
});

test('phase: the kubelet getPhase rules', () => {
  const pod = (restartPolicy: string) => ({ metadata: {}, spec: { restartPolicy } });
  const term = (exitCode: number) => ({ state: { terminated: { exitCode } }, lastState: {} });
  const run = { state: { running: {} }, lastState: {} };
  const wait = { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };
  assert.equal(phaseOf(pod('Always'), [], [run, wait]), 'Pending');
  assert.equal(phaseOf(pod('Always'), [], [run, term(0)]), 'Running');
  assert.equal(phaseOf(pod('Never'), [], [term(0), term(0)]), 'Succeeded');
  assert.equal(phaseOf(pod('Never'), [], [term(0), term(1)]), 'Failed');
  assert.equal(phaseOf(pod('OnFailure'), [], [term(1)]), 'Running');
  assert.equal(phaseOf(pod('Always'), [], [term(0)]), 'Running');
  assert.equal(phaseOf(pod('Never'), [term(1)], [wait]), 'Failed');
  assert.equal(phaseOf(pod('Always'), [term(1)], [wait]), 'Pending');
});

test('names: cri-dockerd container names, the node name from the host name', () => {
  assert.equal(
    containerName({ name: 'web', namespace: 'default', uid: 'u-1' }, 'app', 3),
    'k8s_app_web_default_u-1_3',
  );
  assert.equal(nodeNameFor('Dev-Box.local'), 'dev-box.local');
  assert.equal(nodeNameFor('my_host'), 'berth');
});

test("a forwarded port nothing listens on fails as Go's dialer words it", async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const pod = { metadata: { name: 'web', uid: 'u1' }, spec: { hostNetwork: true }, status: {} };
  await assert.rejects(portForwardBackend.connect(pod, port), {
    message: `dial tcp4 127.0.0.1:${port}: connect: connection refused`,
  });
  assert.equal(
    dialError('10.0.0.5', 80, Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })),
    'dial tcp4 10.0.0.5:80: connect: no route to host',
  );
  assert.throws(
    () => portForwardBackend.connect({ metadata: { name: 'new' }, status: {} }, 80),
    /has no IP address yet/,
  );
});
