import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import type { ManualClock } from '../../core/manual-clock.ts';
import type { Sys } from '../../core/sys.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { defaultRegistry } from '../apiserver/resources/index.ts';
import { Kinds } from '../client/client.ts';
import { Informers } from '../client/informer.ts';
import { testApi } from '../testing.ts';
import { FakeContainers, FakeImages, FakeMounts } from './fake-engine.ts';
import { Kubelet } from './kubelet.ts';
import { Label } from './names.ts';
import type { MachineInfo } from './node.ts';
import { pauseImage } from './pause.ts';

/** The kubelet runs nothing on the host itself: a command here is a test failure. */
const noHost: Sys = {
  run: async (cmd, args) => assert.fail(`the kubelet ran ${cmd} ${args.join(' ')} on the host`),
  kill: () => false,
  alive: () => false,
};

const machine: MachineInfo = {
  hostname: 'Dev-Box',
  cpus: 4,
  memoryBytes: 8 * 2 ** 30,
  storageBytes: 100 * 2 ** 30,
  internalIP: '192.168.5.15',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0',
  arch: 'amd64',
  machineID: 'abc',
  bootID: 'def',
};

interface Cond {
  type: string;
  status: string;
  reason?: string;
}
/** What the tests read of a container state (a field a state lacks reads as undefined). */
interface CState {
  running: object;
  waiting: { reason: string; message: string };
  terminated: { exitCode: number; reason: string };
}
interface CStatus {
  state: CState;
  lastState: CState;
  ready: boolean;
  restartCount: number;
  containerID: string;
}
interface PodStatus {
  phase: string;
  podIP: string;
  hostIP: string;
  conditions: Cond[];
  containerStatuses: [CStatus, ...CStatus[]];
  initContainerStatuses: [CStatus, ...CStatus[]];
}
interface NodeStatus {
  capacity: Record<string, string>;
  nodeInfo: Record<string, string>;
  conditions: Cond[];
  addresses: { type: string; address: string }[];
}
type LeaseSpec = { renewTime: string };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function setup(opts: { before?: (ops: FakeContainers, images: FakeImages) => void } = {}) {
  const api = await testApi();
  const { store, client, informers, registry } = api;
  const clock = api.clock as ManualClock;
  const ops = new FakeContainers(() => clock.now());
  const images = new FakeImages();
  images.images.set(pauseImage, { id: `sha256:${'p'.repeat(64)}`, repoDigests: [] });
  images.images.set('busybox:latest', { id: `sha256:${'b'.repeat(64)}`, repoDigests: [] });
  const dir = mkdtempSync('/tmp/bt-kubelet-');
  const mounts = new FakeMounts();
  const kubelet = new Kubelet({ machine, mounts });
  const env = {
    client,
    informers,
    registry,
    clock,
    log: silentLogger,
    dir,
    engine: { containers: ops, images, version: '0.1.0' },
    sys: noHost,
  };
  return {
    store,
    clock,
    client,
    ops,
    images,
    dir,
    mounts,
    kubelet,
    async start() {
      opts.before?.(ops, images);
      await kubelet.start(env);
      cleanups.push(() => {
        kubelet.stop();
        api.close();
        rmSync(dir, { recursive: true, force: true });
      });
    },
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

/** Runs pending work (informer events, the queue, timers due now) until the kubelet is idle. */
async function settle(e: Env, rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    await e.clock.advance(0);
    await new Promise((r) => setTimeout(r, 2));
    await e.kubelet.idle();
  }
  await e.kubelet.recorder?.flush();
}

const podOf = (name: string, spec: Record<string, unknown>): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'dev-box', ...spec },
});

const app = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'busybox:latest', ...extra });
const get = async (e: Env, name: string) => (await e.client.get(Kinds.Pod, 'default', name))!;
const status = async (e: Env, name: string) => (await get(e, name)).status as unknown as PodStatus;
const events = async (e: Env) =>
  (await e.client.list(Kinds.Event, { namespace: 'default' })).items.map((x) => `${x.reason}: ${x.message}`);

test('registers the node with the machine, the control-plane role and a lease renewed every 10 s', async () => {
  const e = await setup();
  await e.start();
  const node = (await e.client.get(Kinds.Node, undefined, 'dev-box'))!;
  const st = node.status as unknown as NodeStatus;
  assert.equal(node.metadata?.labels?.['node-role.kubernetes.io/control-plane'], '');
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'dev-box');
  assert.equal(node.metadata?.labels?.['kubernetes.io/arch'], 'amd64');
  assert.deepEqual(st.capacity, {
    cpu: '4',
    memory: `${8 * 2 ** 20}Ki`,
    'ephemeral-storage': `${100 * 2 ** 20}Ki`,
    pods: '110',
    'hugepages-2Mi': '0',
  });
  assert.equal(st.nodeInfo.containerRuntimeVersion, 'berth://0.1.0');
  assert.equal(st.nodeInfo.kubeletVersion, 'v1.32.0-berth');
  assert.deepEqual(
    st.conditions.map((c) => `${c.type}=${c.status}`),
    ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True'],
  );
  assert.deepEqual(st.addresses, [
    { type: 'InternalIP', address: '192.168.5.15' },
    { type: 'Hostname', address: 'dev-box' },
  ]);
  const lease1 = (await e.client.get(Kinds.Lease, 'kube-node-lease', 'dev-box'))!;
  await e.clock.advance(10_000);
  await settle(e, 3);
  const lease2 = (await e.client.get(Kinds.Lease, 'kube-node-lease', 'dev-box'))!;
  assert.notEqual((lease2.spec as LeaseSpec).renewTime, (lease1.spec as LeaseSpec).renewTime);
  assert.equal(
    Date.parse((lease2.spec as LeaseSpec).renewTime) - Date.parse((lease1.spec as LeaseSpec).renewTime),
    10_000,
  );
});

test('a starting kubelet says so of its node (kubectl describe node), and NodeReady when it became Ready', async () => {
  const e = await setup();
  await e.start();
  await e.kubelet.recorder?.flush();
  const items = (await e.client.list(Kinds.Event, { namespace: 'default' })).items;
  assert.deepEqual(
    // In the order they happened: names are `<object>.<increasing nanoseconds>`, as client-go's.
    items.map((x) => `${x.reason}: ${x.message}`),
    [
      'Starting: Starting kubelet.',
      'NodeHasSufficientMemory: Node dev-box status is now: NodeHasSufficientMemory',
      'NodeHasNoDiskPressure: Node dev-box status is now: NodeHasNoDiskPressure',
      'NodeHasSufficientPID: Node dev-box status is now: NodeHasSufficientPID',
      'NodeAllocatableEnforced: Updated Node Allocatable limit across pods',
      'NodeReady: Node dev-box status is now: NodeReady',
    ],
  );
  // The kubelet's reference to its node: the name stands for the UID, no namespace.
  assert.deepEqual(items[0]!.involvedObject, { kind: 'Node', name: 'dev-box', uid: 'dev-box' });
  assert.deepEqual(items[0]!.source, { component: 'kubelet', host: 'dev-box' });
});

test('a bound pod runs: sandbox then container, joined to its namespaces, named as cri-dockerd names them', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('web', {
      containers: [app({ command: ['sleep', '1'], resources: { limits: { cpu: '500m', memory: '64Mi' } } })],
    }),
  );
  await settle(e);
  const uid = made.metadata?.uid;
  const sandbox = e.ops.byName(`k8s_POD_web_default_${uid}_0`)[0]!;
  const container = e.ops.byName(`k8s_app_web_default_${uid}_0`)[0]!;
  assert.ok(sandbox && container, e.ops.calls.join('\n'));
  assert.equal(sandbox.Labels[Label.type], 'podsandbox');
  assert.equal(container.Labels[Label.podUid], uid);
  assert.equal(container.Labels[Label.containerName], 'app');
  const sc = e.ops.configOf(sandbox.Id);
  assert.equal(sc.Image, pauseImage);
  assert.equal(sc.Hostname, 'web');
  const cc = e.ops.configOf(container.Id);
  assert.equal(cc.HostConfig?.NetworkMode, `container:${sandbox.Id}`);
  assert.equal(cc.HostConfig?.IpcMode, `container:${sandbox.Id}`);
  assert.equal(cc.HostConfig?.Memory, 64 * 2 ** 20);
  assert.equal(cc.HostConfig?.NanoCpus, 500_000_000);
  assert.equal(cc.HostConfig?.CpuShares, 512);
  assert.deepEqual(cc.Entrypoint, ['sleep', '1']);
  const st = await status(e, 'web');
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, sandbox.IPAddress);
  assert.equal(st.hostIP, '192.168.5.15');
  assert.equal(st.containerStatuses[0].containerID, `docker://${container.Id}`);
  assert.equal(st.containerStatuses[0].ready, true);
  assert.deepEqual(
    st.conditions.map((c) => `${c.type}=${c.status}`),
    [
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ],
  );
  const ev = await events(e);
  assert.ok(
    ev.includes('Pulled: Container image "busybox:latest" already present on machine'),
    ev.join('\n'),
  );
  assert.ok(ev.includes('Started: Started container app'));
  // busybox:latest defaults to Always, but the engine's image has no registry: nothing is pulled.
  assert.deepEqual(e.images.pulls, []);
});

test('an ephemeral container joins the running pod (PID namespace of its target), runs once, is reported apart', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('web', { containers: [app({ command: ['sleep', '100'] })] }),
  );
  await settle(e);
  const uid = made.metadata?.uid;
  const sandbox = e.ops.byName(`k8s_POD_web_default_${uid}_0`)[0]!;
  const target = e.ops.byName(`k8s_app_web_default_${uid}_0`)[0]!;
  const pod = (await e.client.get(Kinds.Pod, 'default', 'web'))!;
  await e.client.updateEphemeralContainers({
    ...pod,
    spec: {
      ...pod.spec,
      ephemeralContainers: [
        {
          name: 'dbg',
          image: 'busybox:latest',
          command: ['sh'],
          stdin: true,
          tty: true,
          targetContainerName: 'app',
        },
      ],
    },
  });
  await settle(e);
  const dbg = e.ops.byName(`k8s_dbg_web_default_${uid}_0`)[0]!;
  assert.ok(dbg, e.ops.calls.join('\n'));
  assert.equal(dbg.State.Status, 'running');
  const cc = e.ops.configOf(dbg.Id);
  assert.equal(cc.HostConfig?.NetworkMode, `container:${sandbox.Id}`);
  assert.equal(cc.HostConfig?.IpcMode, `container:${sandbox.Id}`);
  assert.equal(cc.HostConfig?.PidMode, `container:${target.Id}`);
  assert.equal(cc.OpenStdin, true);
  assert.equal(cc.Tty, true);
  type WithDebug = PodStatus & { ephemeralContainerStatuses: CStatus[] };
  let st = (await status(e, 'web')) as WithDebug;
  assert.ok(st.ephemeralContainerStatuses[0].state.running);
  assert.equal(st.ephemeralContainerStatuses[0].ready, false);
  assert.ok(
    st.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    'the pod stays Ready',
  );
  assert.equal(st.containerStatuses.length, 1);
  const ev = await events(e);
  assert.ok(ev.includes('Started: Started container dbg'), ev.join('\n'));

  // It ends, and stays ended: the pod's restart policy is not its own.
  e.ops.exit(dbg.Id, 0);
  await settle(e);
  await e.clock.advance(60_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_dbg_web_default_${uid}_`).length, 1, 'never started again');
  st = (await status(e, 'web')) as WithDebug;
  assert.equal(st.ephemeralContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(st.ephemeralContainerStatuses[0].restartCount, 0);
  assert.equal(st.phase, 'Running');
});

test('a pod of another node is left alone', async () => {
  const e = await setup();
  await e.start();
  await e.client.create(Kinds.Pod, {
    ...podOf('elsewhere', { containers: [app()] }),
    spec: { nodeName: 'other', containers: [app()] },
  });
  await settle(e);
  assert.deepEqual(e.ops.calls, []);
});

test('a crash restarts at once, then waits 10 s, then 20 s (CrashLoopBackOff), counting restarts', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(Kinds.Pod, podOf('crash', { containers: [app()] }));
  const uid = made.metadata?.uid;
  await settle(e);
  const crash = async (attempt: number) => {
    const c = e.ops.byName(`k8s_app_crash_default_${uid}_${attempt}`)[0];
    assert.ok(c, `attempt ${attempt} was made: ${e.ops.calls.join(', ')}`);
    e.ops.exit(c.Id, 2);
    await settle(e);
  };
  await crash(0);
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_1`).length, 1, 'the first restart is at once');
  await crash(1);
  let st = await status(e, 'crash');
  assert.equal(st.containerStatuses[0].state.waiting.reason, 'CrashLoopBackOff');
  assert.match(
    st.containerStatuses[0].state.waiting.message,
    /^back-off 10s restarting failed container=app pod=crash_default/,
  );
  assert.equal(st.containerStatuses[0].lastState.terminated.exitCode, 2);
  assert.equal(st.containerStatuses[0].lastState.terminated.reason, 'Error');
  assert.equal(st.containerStatuses[0].restartCount, 1);
  assert.equal(st.phase, 'Running');
  await e.clock.advance(9_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_2`).length, 0, 'not before 10 s');
  await e.clock.advance(1_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_2`).length, 1, 'at 10 s');
  st = await status(e, 'crash');
  assert.ok(st.containerStatuses[0].state.running);
  assert.equal(st.containerStatuses[0].restartCount, 2);
  await crash(2);
  await e.clock.advance(19_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_3`).length, 0, 'the delay doubled');
  await e.clock.advance(1_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_3`).length, 1);
  // Only the current and the previous attempt are kept.
  assert.equal(e.ops.byName(`k8s_app_crash_default_${uid}_0`).length, 0);
  assert.ok((await events(e)).some((x) => x.startsWith('BackOff: Back-off restarting failed container app')));
});

test('restartPolicy Never: init containers in order, then the app; exit 0 is Succeeded, and the sandbox stops', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('job', {
      restartPolicy: 'Never',
      initContainers: [app({ name: 'one' }), app({ name: 'two' })],
      containers: [app()],
    }),
  );
  const uid = made.metadata?.uid;
  await settle(e);
  assert.equal((await status(e, 'job')).phase, 'Pending');
  assert.equal(e.ops.byName(`k8s_two_`).length, 0, 'the second init waits for the first');
  e.ops.exit(e.ops.byName(`k8s_one_job_default_${uid}_0`)[0]!.Id, 0);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_`).length, 0, 'the app waits for every init');
  e.ops.exit(e.ops.byName(`k8s_two_job_default_${uid}_0`)[0]!.Id, 0);
  await settle(e);
  const appC = e.ops.byName(`k8s_app_job_default_${uid}_0`)[0]!;
  assert.equal((await status(e, 'job')).phase, 'Running');
  e.ops.exit(appC.Id, 0);
  await settle(e);
  const st = await status(e, 'job');
  assert.equal(st.phase, 'Succeeded');
  assert.equal(st.containerStatuses[0].state.terminated.reason, 'Completed');
  assert.deepEqual(
    st.initContainerStatuses.map((s) => s.state.terminated.reason),
    ['Completed', 'Completed'],
  );
  assert.equal(e.ops.byName(`k8s_POD_job_`)[0]!.State.Status, 'exited');
});

test('restartPolicy Never: a failed container fails the pod without a restart', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('fail', { restartPolicy: 'Never', containers: [app()] }),
  );
  await settle(e);
  e.ops.exit(e.ops.byName(`k8s_app_fail_default_${made.metadata?.uid}_0`)[0]!.Id, 1, true);
  await settle(e);
  const st = await status(e, 'fail');
  assert.equal(st.phase, 'Failed');
  assert.equal(st.containerStatuses[0].state.terminated.reason, 'OOMKilled');
  assert.equal(e.ops.byName('k8s_app_fail_').length, 1);
});

test('env from a configmap, a secret, fields and resources; volumes written and bound', async () => {
  const e = await setup();
  await e.start();
  await e.client.create(Kinds.ConfigMap, {
    metadata: { name: 'cfg', namespace: 'default' },
    data: { color: 'blue', size: 'L' },
  });
  await e.client.create(Kinds.Secret, {
    metadata: { name: 'sec', namespace: 'default' },
    data: { pw: Buffer.from('s3cret').toString('base64') },
  });
  const made = await e.client.create(
    Kinds.Pod,
    podOf('envy', {
      containers: [
        app({
          env: [
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
            { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'pw' } } },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            { name: 'SAY', value: '$(COLOR) and $$(COLOR)' },
          ],
          envFrom: [{ prefix: 'X_', configMapRef: { name: 'cfg' } }],
          resources: { limits: { memory: '128Mi' } },
          volumeMounts: [
            { name: 'c', mountPath: '/etc/c' },
            { name: 'scratch', mountPath: '/scratch' },
          ],
        }),
      ],
      volumes: [
        { name: 'c', configMap: { name: 'cfg', items: [{ key: 'color', path: 'sub/colour' }] } },
        { name: 'scratch', emptyDir: {} },
      ],
    }),
  );
  await settle(e);
  const uid = String(made.metadata?.uid);
  const c = e.ops.byName(`k8s_app_envy_default_${uid}_0`)[0]!;
  const sandbox = e.ops.byName(`k8s_POD_envy_default_${uid}_0`)[0]!;
  const cfg = e.ops.configOf(c.Id);
  assert.deepEqual(cfg.Env, [
    'X_color=blue',
    'X_size=L',
    'COLOR=blue',
    'PW=s3cret',
    'POD=envy',
    `IP=${sandbox.IPAddress}`,
    'MEM=128',
    'SAY=blue and $(COLOR)',
  ]);
  const vol = path.join(e.dir, 'pods', uid, 'volumes');
  assert.equal(readFileSync(path.join(vol, 'kubernetes.io~configmap', 'c', 'sub', 'colour'), 'utf8'), 'blue');
  assert.deepEqual(cfg.HostConfig?.Binds, [
    `${path.join(vol, 'kubernetes.io~configmap', 'c')}:/etc/c:ro`,
    `${path.join(vol, 'kubernetes.io~empty-dir', 'scratch')}:/scratch:rw`,
    `${path.join(e.dir, 'pods', uid, 'containers', 'app', '0')}:/dev/termination-log:rw`,
  ]);
});

test('a missing configmap leaves the container waiting with CreateContainerConfigError until it exists', async () => {
  const e = await setup();
  await e.start();
  await e.client.create(
    Kinds.Pod,
    podOf('wants', {
      containers: [
        app({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'later', key: 'a' } } }] }),
      ],
    }),
  );
  await settle(e);
  let st = await status(e, 'wants');
  assert.deepEqual(st.containerStatuses[0].state.waiting, {
    reason: 'CreateContainerConfigError',
    message: 'configmap "later" not found',
  });
  assert.equal(st.phase, 'Pending');
  await e.client.create(Kinds.ConfigMap, {
    metadata: { name: 'later', namespace: 'default' },
    data: { a: '1' },
  });
  await e.clock.advance(10_000);
  await settle(e);
  st = await status(e, 'wants');
  assert.ok(st.containerStatuses[0].state.running, JSON.stringify(st.containerStatuses[0]));
});

test('an absent image is pulled; one no registry has is ErrImagePull, then ImagePullBackOff', async () => {
  const e = await setup();
  await e.start();
  e.images.pullable.set('registry.example/app:1', {
    id: `sha256:${'c'.repeat(64)}`,
    repoDigests: ['registry.example/app@sha256:1'],
  });
  await e.client.create(
    Kinds.Pod,
    podOf('pulls', { containers: [app({ image: 'registry.example/app:1' })] }),
  );
  await e.client.create(
    Kinds.Pod,
    podOf('nope', { containers: [app({ image: 'registry.example/missing:1' })] }),
  );
  await settle(e);
  assert.deepEqual(e.images.pulls.sort(), ['registry.example/app:1', 'registry.example/missing:1']);
  assert.equal((await status(e, 'pulls')).phase, 'Running');
  let st = await status(e, 'nope');
  assert.equal(st.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
  await e.clock.advance(1_000);
  await settle(e);
  st = await status(e, 'nope');
  assert.equal(st.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
  assert.equal(e.images.pulls.length, 2, 'no pull during the back-off');
  const ev = await events(e);
  assert.ok(ev.includes('Pulling: Pulling image "registry.example/app:1"'));
  assert.ok(ev.some((x) => x.startsWith('Failed: Failed to pull image "registry.example/missing:1"')));
  assert.ok(ev.includes('Failed: Error: ErrImagePull'), ev.join('\n'));
  assert.ok(ev.includes('BackOff: Back-off pulling image "registry.example/missing:1"'), ev.join('\n'));
  assert.ok(ev.includes('Failed: Error: ImagePullBackOff'), ev.join('\n'));
});

test('an absent image under pull policy Never is ErrImageNeverPull, and nothing is pulled', async () => {
  const e = await setup();
  await e.start();
  await e.client.create(
    Kinds.Pod,
    podOf('never', { containers: [app({ image: 'registry.example/absent:1', imagePullPolicy: 'Never' })] }),
  );
  await settle(e);
  const waiting = (await status(e, 'never')).containerStatuses[0].state.waiting;
  assert.equal(waiting.reason, 'ErrImageNeverPull');
  const message = 'Container image "registry.example/absent:1" is not present with pull policy of Never';
  assert.equal(waiting.message, message);
  const ev = await events(e);
  assert.ok(ev.includes(`ErrImageNeverPull: ${message}`), ev.join('\n'));
  assert.ok(ev.includes('Failed: Error: ErrImageNeverPull'), ev.join('\n'));
  assert.deepEqual(e.images.pulls, []);
});

test('a failing liveness probe kills the container (Killing, Unhealthy) and it restarts', async () => {
  const e = await setup();
  await e.start();
  const probe = { exec: { command: ['check'] }, periodSeconds: 5, failureThreshold: 2 };
  const made = await e.client.create(
    Kinds.Pod,
    podOf('sick', {
      containers: [
        app({ livenessProbe: probe, readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 5 } }),
      ],
    }),
  );
  const uid = made.metadata?.uid;
  await settle(e);
  let st = await status(e, 'sick');
  assert.equal(st.containerStatuses[0].ready, true, 'the readiness probe passed at once');
  e.ops.execCode.set('check', 1);
  await e.clock.advance(5_000);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_app_sick_default_${uid}_1`).length, 0, 'one failure is below the threshold');
  await e.clock.advance(5_000);
  await settle(e);
  assert.ok(e.ops.calls.includes(`stop k8s_app_sick_default_${uid}_0 30`), e.ops.calls.join('\n'));
  assert.equal(e.ops.byName(`k8s_app_sick_default_${uid}_1`).length, 1, 'restarted');
  st = await status(e, 'sick');
  assert.equal(st.containerStatuses[0].restartCount, 1);
  const ev = await events(e);
  assert.ok(ev.includes('Killing: Container app failed liveness probe, will be restarted'), ev.join('\n'));
  assert.ok(ev.includes('Unhealthy: Liveness probe failed: check failed'), ev.join('\n'));
});

test('a failing readiness probe makes the pod unready without a restart', async () => {
  const e = await setup();
  await e.start();
  e.ops.execCode.set('ready', 1);
  await e.client.create(
    Kinds.Pod,
    podOf('shy', {
      containers: [app({ readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 } })],
    }),
  );
  await settle(e);
  let st = await status(e, 'shy');
  assert.equal(st.phase, 'Running');
  assert.equal(st.containerStatuses[0].ready, false);
  assert.equal(st.conditions.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
  e.ops.execCode.set('ready', 0);
  await e.clock.advance(1_000);
  await settle(e);
  st = await status(e, 'shy');
  assert.equal(st.containerStatuses[0].ready, true);
});

test('graceful deletion stops the containers with the grace period, removes them, then deletes the pod', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('bye', { terminationGracePeriodSeconds: 7, containers: [app()] }),
  );
  const uid = made.metadata?.uid;
  await settle(e);
  await e.client.delete(Kinds.Pod, 'default', 'bye');
  await settle(e);
  assert.ok(e.ops.calls.includes(`stop k8s_app_bye_default_${uid}_0 7`), e.ops.calls.join('\n'));
  assert.deepEqual(e.ops.byName('k8s_'), []);
  assert.equal(await e.client.get(Kinds.Pod, 'default', 'bye'), undefined);
  assert.ok((await events(e)).includes('Killing: Stopping container app'));
});

test("a deleted pod still in a Service's endpoints gets its SIGTERM once it has left them (up to a second)", async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('served', { terminationGracePeriodSeconds: 30, containers: [app()] }),
  );
  const uid = made.metadata?.uid;
  await settle(e);
  const ip = (await status(e, 'served')).podIP;
  assert.ok(ip);
  const endpoints = (ips: string[]) => ({
    metadata: { name: 'web', namespace: 'default' },
    subsets: ips.length ? [{ addresses: ips.map((a) => ({ ip: a })), ports: [{ port: 80 }] }] : [],
  });
  await e.client.create(Kinds.Endpoints, endpoints([ip]) as unknown as KubeObject);
  await settle(e);
  await e.client.delete(Kinds.Pod, 'default', 'served');
  await settle(e);
  const stop = `stop k8s_app_served_default_${uid}_0 30`;
  // Still routed to: no stop yet, however long the kubelet runs on its own.
  assert.ok(!e.ops.calls.includes(stop), e.ops.calls.join('\n'));
  await e.client.update(Kinds.Endpoints, {
    ...(await e.client.get(Kinds.Endpoints, 'default', 'web'))!,
    subsets: [],
  } as KubeObject);
  for (let i = 0; i < 5; i++) {
    await e.clock.advance(20);
    await settle(e);
  }
  assert.ok(e.ops.calls.includes(stop), e.ops.calls.join('\n'));

  // A pod its Services never let go of is stopped after a second all the same.
  const second = await e.client.create(
    Kinds.Pod,
    podOf('held', { terminationGracePeriodSeconds: 30, containers: [app()] }),
  );
  await settle(e);
  const ip2 = (await status(e, 'held')).podIP;
  await e.client.update(Kinds.Endpoints, {
    ...(await e.client.get(Kinds.Endpoints, 'default', 'web'))!,
    ...endpoints([ip2]),
  } as KubeObject);
  await settle(e);
  await e.client.delete(Kinds.Pod, 'default', 'held');
  await settle(e);
  const stop2 = `stop k8s_app_held_default_${second.metadata?.uid}_0 30`;
  assert.ok(!e.ops.calls.includes(stop2));
  for (let i = 0; i < 60 && !e.ops.calls.includes(stop2); i++) {
    await e.clock.advance(20);
    await settle(e, 2);
  }
  assert.ok(e.ops.calls.includes(stop2), e.ops.calls.join('\n'));
});

test('live restore: running containers of existing pods are adopted, those of gone pods removed', async () => {
  const first = await setup();
  await first.start();
  const made = await first.client.create(Kinds.Pod, podOf('keep', { containers: [app()] }));
  const uid = made.metadata?.uid;
  await settle(first);
  const before = first.ops
    .byName('k8s_')
    .map((c) => c.Id)
    .sort();
  // A second kubelet over the same store and engine, as after a restart of berthd; plus an orphan.
  first.kubelet.stop();
  const orphan = await first.ops.create({
    name: 'k8s_app_gone_default_0000_0',
    config: {
      Image: 'busybox:latest',
      Labels: {
        [Label.podName]: 'gone',
        [Label.podNamespace]: 'default',
        [Label.podUid]: '0000',
        [Label.type]: 'container',
      },
    },
  });
  await first.ops.start(orphan.Id);
  first.ops.calls.length = 0;
  const second = new Kubelet({ machine });
  const informers = new Informers(first.client, silentLogger, 5);
  await second.start({
    client: first.client,
    informers,
    registry: defaultRegistry(),
    clock: first.clock,
    log: silentLogger,
    dir: first.dir,
    engine: { containers: first.ops, images: first.images, version: '0.1.0' },
    sys: noHost,
  });
  cleanups.push(() => {
    second.stop();
    informers.stop();
  });
  for (let i = 0; i < 10; i++) {
    await first.clock.advance(0);
    await new Promise((r) => setTimeout(r, 2));
    await second.idle();
  }
  assert.deepEqual(first.ops.calls, ['remove k8s_app_gone_default_0000_0']);
  assert.deepEqual(
    first.ops
      .byName('k8s_')
      .map((c) => c.Id)
      .sort(),
    before,
  );
  assert.equal(
    (await status(first, 'keep')).containerStatuses[0].containerID,
    `docker://${first.ops.byName(`k8s_app_keep_default_${uid}_0`)[0]!.Id}`,
  );
});

test('a Memory emptyDir is a tmpfs sized by its sizeLimit, shared, mounted once across a restart, unmounted with the pod', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('mem', {
      containers: [
        app({ volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }),
        app({ name: 'side', volumeMounts: [{ name: 'cache', mountPath: '/data' }] }),
      ],
      volumes: [
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'big', emptyDir: { medium: 'Memory' } },
      ],
    }),
  );
  await settle(e);
  const uid = String(made.metadata?.uid);
  const vols = path.join(e.dir, 'pods', uid, 'volumes');
  const cache = path.join(vols, 'kubernetes.io~empty-dir', 'cache');
  // Without a sizeLimit (and no memory limits on the pod): the node's allocatable memory, as kubelet.
  assert.equal(e.mounts.mounted.get(cache), 64 * 2 ** 20);
  assert.equal(e.mounts.mounted.get(path.join(vols, 'kubernetes.io~empty-dir', 'big')), machine.memoryBytes);
  for (const name of ['app', 'side']) {
    const c = e.ops.byName(`k8s_${name}_mem_default_${uid}_0`)[0]!;
    const target = name === 'app' ? '/cache' : '/data';
    assert.deepEqual(e.ops.configOf(c.Id).HostConfig?.Binds, [
      `${cache}:${target}:rw`,
      `${path.join(e.dir, 'pods', uid, 'containers', name, '0')}:/dev/termination-log:rw`,
    ]);
  }
  // A second kubelet (berthd restarted, the pod still running) finds the mounts and mounts nothing.
  e.kubelet.stop();
  const mountsBefore = e.mounts.calls.length;
  const second = new Kubelet({ machine, mounts: e.mounts });
  const informers = new Informers(e.client, silentLogger, 5);
  await second.start({
    client: e.client,
    informers,
    registry: defaultRegistry(),
    clock: e.clock,
    log: silentLogger,
    dir: e.dir,
    engine: { containers: e.ops, images: e.images, version: '0.1.0' },
    sys: noHost,
  });
  cleanups.push(() => {
    second.stop();
    informers.stop();
  });
  const settle2 = async () => {
    for (let i = 0; i < 20; i++) {
      await e.clock.advance(0);
      await new Promise((r) => setTimeout(r, 2));
      await second.idle();
    }
  };
  await settle2();
  assert.equal(e.mounts.calls.length, mountsBefore, e.mounts.calls.join('\n'));
  await e.client.delete(Kinds.Pod, 'default', 'mem');
  await settle2();
  assert.equal(await e.client.get(Kinds.Pod, 'default', 'mem'), undefined);
  assert.deepEqual([...e.mounts.mounted.keys()], []);
  assert.ok(e.mounts.calls.includes(`umount ${cache}`), e.mounts.calls.join('\n'));
  assert.equal(existsSync(path.join(e.dir, 'pods', uid)), false);
});

test("a Memory emptyDir's default size is the pod's memory limit when every container has one", async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('lim', {
      containers: [
        app({ resources: { limits: { memory: '100Mi' } } }),
        app({ name: 'b', resources: { limits: { memory: '28Mi' } } }),
      ],
      volumes: [
        { name: 'm', emptyDir: { medium: 'Memory' } },
        { name: 'n', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
      ],
    }),
  );
  await settle(e);
  const base = path.join(e.dir, 'pods', String(made.metadata?.uid), 'volumes', 'kubernetes.io~empty-dir');
  assert.equal(e.mounts.mounted.get(path.join(base, 'm')), 128 * 2 ** 20);
  // A sizeLimit above the pod's limit does not raise it.
  assert.equal(e.mounts.mounted.get(path.join(base, 'n')), 128 * 2 ** 20);
});

test('configMap, secret and downwardAPI volumes follow their sources (..data swapped); subPath copies and env do not', async () => {
  const e = await setup();
  await e.start();
  await e.client.create(Kinds.ConfigMap, {
    metadata: { name: 'cfg', namespace: 'default' },
    data: { key: 'one', other: 'x' },
  });
  await e.client.create(Kinds.Secret, {
    metadata: { name: 'sec', namespace: 'default' },
    data: { pw: Buffer.from('old').toString('base64') },
  });
  const made = await e.client.create(Kinds.Pod, {
    ...podOf('follow', {
      containers: [
        app({
          env: [{ name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'key' } } }],
          volumeMounts: [
            { name: 'cfg', mountPath: '/etc/cfg' },
            { name: 'cfg', mountPath: '/etc/key', subPath: 'key' },
            { name: 'sec', mountPath: '/etc/sec' },
            { name: 'info', mountPath: '/etc/info' },
          ],
        }),
      ],
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'sec', secret: { secretName: 'sec' } },
        {
          name: 'info',
          downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
        },
      ],
    }),
    metadata: { name: 'follow', namespace: 'default', labels: { tier: 'a' } },
  });
  await settle(e);
  const uid = String(made.metadata?.uid);
  const vols = path.join(e.dir, 'pods', uid, 'volumes');
  const cfgDir = path.join(vols, 'kubernetes.io~configmap', 'cfg');
  const data1 = readlinkSync(path.join(cfgDir, '..data'));
  assert.match(data1, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/);
  assert.equal(readlinkSync(path.join(cfgDir, 'key')), '..data/key');
  assert.equal(readFileSync(path.join(cfgDir, 'key'), 'utf8'), 'one');
  // Secrets and the downward API live in memory, as kubelet keeps them (on the one tmpfs that all
  // pods' share), configMaps on disk.
  const memory = path.join(e.dir, 'pods-memory');
  const secDir = path.join(memory, uid, 'kubernetes.io~secret', 'sec');
  const infoDir = path.join(memory, uid, 'kubernetes.io~downward-api', 'info');
  assert.deepEqual([...e.mounts.mounted.keys()], [memory]);
  assert.equal(readFileSync(path.join(secDir, 'pw'), 'utf8'), 'old');
  assert.ok(existsSync(path.join(infoDir, 'labels')));
  const c = e.ops.byName(`k8s_app_follow_default_${uid}_0`)[0]!;
  const binds = e.ops.configOf(c.Id).HostConfig?.Binds as string[];
  const subSource = binds[1]!.split(':')[0]!;
  assert.equal(subSource, path.join(e.dir, 'pods', uid, 'volume-subpaths', 'cfg', 'app', '1'));
  assert.equal(readFileSync(subSource, 'utf8'), 'one');

  const cm = (await e.client.get(Kinds.ConfigMap, 'default', 'cfg'))!;
  await e.client.update(Kinds.ConfigMap, { ...cm, data: { key: 'two' } });
  const sec = (await e.client.get(Kinds.Secret, 'default', 'sec'))!;
  await e.client.update(Kinds.Secret, { ...sec, data: { pw: Buffer.from('new').toString('base64') } });
  const pod = (await e.client.get(Kinds.Pod, 'default', 'follow'))!;
  await e.client.update(Kinds.Pod, { ...pod, metadata: { ...pod.metadata, labels: { tier: 'b' } } });
  await settle(e);
  assert.equal(readFileSync(path.join(cfgDir, 'key'), 'utf8'), 'two');
  // A key that went takes its link with it; the old timestamped folder is gone.
  assert.equal(existsSync(path.join(cfgDir, 'other')), false);
  assert.notEqual(readlinkSync(path.join(cfgDir, '..data')), data1);
  assert.equal(existsSync(path.join(cfgDir, data1)), false);
  assert.equal(readFileSync(path.join(secDir, 'pw'), 'utf8'), 'new');
  assert.equal(readFileSync(path.join(infoDir, 'labels'), 'utf8'), 'tier="b"');
  assert.equal(readFileSync(subSource, 'utf8'), 'one');
  // The same container runs on, with the environment it started with.
  assert.deepEqual(
    e.ops.byName('k8s_app_follow').map((x) => x.Id),
    [c.Id],
  );
  assert.deepEqual(e.ops.configOf(c.Id).Env, ['KEY=one']);
});

test('folders of pods deleted while the kubelet was away go at its start, their memory volumes unmounted', async () => {
  const e = await setup();
  const gone = path.join(e.dir, 'pods', '1234', 'volumes', 'kubernetes.io~empty-dir', 'm');
  mkdirSync(gone, { recursive: true });
  await e.mounts.mount(gone, 1);
  // Secrets on the shared tmpfs, of that pod and of one whose folder on the disk had gone already.
  const memory = path.join(e.dir, 'pods-memory');
  for (const uid of ['1234', '5678'])
    mkdirSync(path.join(memory, uid, 'kubernetes.io~secret', 's'), { recursive: true });
  await e.mounts.mount(memory, 1);
  await e.start();
  await settle(e);
  assert.deepEqual([...e.mounts.mounted.keys()], [memory]);
  assert.equal(existsSync(path.join(e.dir, 'pods', '1234')), false);
  assert.deepEqual(readdirSync(memory), []);
});

test('a sidecar (init container with restartPolicy Always) starts before the app, runs beside it, restarts whatever the policy, and stops once the app is done', async () => {
  const e = await setup();
  await e.start();
  const made = await e.client.create(
    Kinds.Pod,
    podOf('withside', {
      restartPolicy: 'Never',
      initContainers: [app({ name: 'setup' }), app({ name: 'shipper', restartPolicy: 'Always' })],
      containers: [app()],
    }),
  );
  const uid = made.metadata?.uid;
  await settle(e);
  assert.equal(e.ops.byName('k8s_shipper_').length, 0, 'the sidecar waits for the init container before it');
  e.ops.exit(e.ops.byName(`k8s_setup_withside_default_${uid}_0`)[0]!.Id, 0);
  await settle(e);
  const side = e.ops.byName(`k8s_shipper_withside_default_${uid}_0`)[0]!;
  assert.equal(side.State.Status, 'running');
  assert.equal(
    e.ops.byName(`k8s_app_withside_default_${uid}_0`)[0]?.State.Status,
    'running',
    'the app does not wait for the sidecar to end',
  );
  let st = await status(e, 'withside');
  assert.equal(st.phase, 'Running');
  const sideStatus = st.initContainerStatuses[1];
  assert.ok(sideStatus.state.running);
  assert.equal(sideStatus.ready, true);
  assert.equal((sideStatus as unknown as { started: boolean }).started, true);
  const conds = Object.fromEntries(
    ((await get(e, 'withside')).status as { conditions: { type: string; status: string }[] }).conditions.map(
      (c) => [c.type, c.status],
    ),
  );
  assert.deepEqual([conds.Initialized, conds.Ready], ['True', 'True']);
  // The sidecar dies: restarted although the pod's policy is Never.
  e.ops.exit(side.Id, 1);
  await settle(e);
  assert.equal(e.ops.byName(`k8s_shipper_withside_default_${uid}_1`)[0]?.State.Status, 'running');
  // The app ends: the pod is over, and its sidecar is stopped.
  e.ops.exit(e.ops.byName(`k8s_app_withside_default_${uid}_0`)[0]!.Id, 0);
  await settle(e);
  st = await status(e, 'withside');
  assert.equal(st.phase, 'Succeeded');
  assert.equal(e.ops.byName(`k8s_shipper_withside_default_${uid}_1`)[0]?.State.Status, 'exited');
});
