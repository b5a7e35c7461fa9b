// postStart and preStop hooks and termination messages, over the fake engine and a ManualClock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import type { ManualClock } from '../../core/manual-clock.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { noHost, testApi } from '../testing.ts';
import { FakeContainers, FakeImages, FakeMounts } from './fake-engine.ts';
import { Kubelet } from './kubelet.ts';
import type { MachineInfo } from './node.ts';
import { pauseImage } from './pause.ts';

const machine: MachineInfo = {
  hostname: 'dev-box',
  cpus: 2,
  memoryBytes: 4 * 2 ** 30,
  storageBytes: 50 * 2 ** 30,
  internalIP: '192.168.5.15',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0',
  arch: 'amd64',
  machineID: 'abc',
  bootID: 'def',
};

interface CState {
  running?: object;
  waiting?: { reason: string; message?: string };
  terminated?: { exitCode: number; reason: string; message?: string };
}
interface CStatus {
  state: CState;
  lastState: CState;
  ready: boolean;
  restartCount: number;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

async function start() {
  const api = await testApi();
  const clock = api.clock as ManualClock;
  const ops = new FakeContainers(() => clock.now());
  const images = new FakeImages();
  images.images.set(pauseImage, { id: `sha256:${'p'.repeat(64)}`, repoDigests: [] });
  images.images.set('busybox:latest', { id: `sha256:${'b'.repeat(64)}`, repoDigests: [] });
  const dir = mkdtempSync('/tmp/bt-hooks-');
  const kubelet = new Kubelet({ machine, mounts: new FakeMounts() });
  await kubelet.start({
    ...api.env,
    clock,
    log: silentLogger,
    dir,
    engine: { containers: ops, images, version: '0.1.0' },
    sys: noHost,
  });
  cleanups.push(() => {
    kubelet.stop();
    api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const e = {
    client: api.client,
    clock,
    ops,
    kubelet,
    async settle(rounds = 20) {
      for (let i = 0; i < rounds; i++) {
        await clock.advance(0);
        await new Promise((r) => setTimeout(r, 2));
        await kubelet.idle();
      }
      await kubelet.recorder?.flush();
    },
    async create(name: string, spec: Record<string, unknown>) {
      const pod: KubeObject = {
        metadata: { name, namespace: 'default' },
        spec: { nodeName: 'dev-box', ...spec },
      };
      const made = await api.client.create(Kinds.Pod, pod);
      return String(made.metadata?.uid);
    },
    async statuses(name: string): Promise<CStatus[]> {
      const pod = await api.client.get(Kinds.Pod, 'default', name);
      return (pod?.status as { containerStatuses?: CStatus[] } | undefined)?.containerStatuses ?? [];
    },
    async events() {
      return (await api.client.list(Kinds.Event, { namespace: 'default' })).items.map(
        (x) => `${x.reason}: ${x.message}`,
      );
    },
    /** The host file bound at `at` in the container. */
    hostFile(name: string, at = '/dev/termination-log'): string {
      const c = ops.byName(name)[0];
      assert.ok(c, `no container ${name}: ${ops.calls.join('\n')}`);
      const binds = (ops.configOf(c.Id).HostConfig?.Binds ?? []) as string[];
      const bind = binds.find((b) => b.split(':')[1] === at);
      assert.ok(bind, `no bind at ${at}: ${binds.join(' ')}`);
      return bind.split(':')[0]!;
    },
  };
  return e;
}

const app = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'busybox:latest', ...extra });

test('postStart: the container is not Running until its hook ends, and the next container waits for it', async () => {
  const e = await start();
  let release = () => {};
  e.ops.execHold.set('sh -c touch /ready', new Promise<void>((r) => (release = r)));
  const uid = await e.create('hooked', {
    containers: [
      app({ lifecycle: { postStart: { exec: { command: ['sh', '-c', 'touch /ready'] } } } }),
      { name: 'second', image: 'busybox:latest' },
    ],
  });
  await e.settle();
  assert.ok(
    e.ops.calls.includes(`exec k8s_app_hooked_default_${uid}_0 sh -c touch /ready`),
    e.ops.calls.join('\n'),
  );
  let st = await e.statuses('hooked');
  assert.equal(st[0]!.state.running, undefined);
  assert.deepEqual(st[0]!.state.waiting, { reason: 'ContainerCreating' });
  assert.equal(e.ops.byName('k8s_second_').length, 0, 'the second container waits for the hook');
  release();
  await e.settle();
  st = await e.statuses('hooked');
  assert.ok(st[0]!.state.running, JSON.stringify(st[0]));
  assert.equal(st[0]!.ready, true);
  assert.ok(st[1]!.state.running, 'the second container started after the hook');
});

test('postStart: a failing exec hook kills the container (FailedPostStartHook) and the restart policy brings it back', async () => {
  const e = await start();
  e.ops.execCode.set('sh -c exit 1', 1);
  // Every waiting state the pod's status goes through (the next pass soon turns one into another).
  const seen: string[] = [];
  const stop = new AbortController();
  cleanups.push(() => stop.abort());
  const rv = (await e.client.list(Kinds.Pod, { namespace: 'default' })).resourceVersion;
  void (async () => {
    for await (const ev of e.client.watch(Kinds.Pod, String(rv), stop.signal, { namespace: 'default' })) {
      if (ev.type === 'BOOKMARK') continue;
      const st = (ev.object.status as { containerStatuses?: CStatus[] } | undefined)?.containerStatuses;
      const w = st?.[0]?.state.waiting;
      if (w) seen.push(`${w.reason}: ${w.message ?? ''}`);
    }
  })().catch(() => undefined);
  const uid = await e.create('bad', {
    terminationGracePeriodSeconds: 9,
    containers: [app({ lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 1'] } } } })],
  });
  await e.settle();
  assert.ok(e.ops.calls.includes(`stop k8s_app_bad_default_${uid}_0 9`), e.ops.calls.join('\n'));
  const ev = await e.events();
  assert.ok(ev.includes('FailedPostStartHook: PostStartHook failed'), ev.join('\n'));
  assert.ok(ev.includes('Killing: FailedPostStartHook'), ev.join('\n'));
  // Restarted at once (the first restart has no back-off), and its hook failed again.
  assert.equal(e.ops.byName(`k8s_app_bad_default_${uid}_1`).length, 1, e.ops.calls.join('\n'));
  const st = (await e.statuses('bad'))[0]!;
  assert.equal(st.restartCount, 1);
  assert.equal(st.lastState.terminated?.exitCode, 137);
  assert.ok(
    seen.includes(
      `PostStartHookError: Exec lifecycle hook ([sh -c exit 1]) for Container "app" in Pod "bad_default(${uid})" failed - error: command 'sh -c exit 1' exited with 1: sh failed\n, message: "sh failed\\n"`,
    ),
    seen.join('\n'),
  );
  assert.equal(st.state.waiting?.reason, 'CrashLoopBackOff', 'the second failure waits out the back-off');
});

test('httpGet hooks reach the host they name with kubelet headers (any answer is success); a refused one fails in Go words', async () => {
  const e = await start();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers['user-agent']} ${req.headers['x-hook']}`);
    res.writeHead(500).end(); // Any answer is success for a hook.
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const hook = (p: number) => ({
    postStart: {
      httpGet: {
        host: '127.0.0.1',
        port: p,
        path: '/started',
        httpHeaders: [{ name: 'X-Hook', value: 'yes' }],
      },
    },
  });
  await e.create('web', { restartPolicy: 'Never', containers: [app({ lifecycle: hook(port) })] });
  await e.settle();
  assert.deepEqual(seen, ['/started kube-lifecycle/1.32 yes']);
  assert.ok((await e.statuses('web'))[0]!.state.running);
  // A refused request fails the hook: here a preStop, whose event carries kubelet's message.
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const dead = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const uid = await e.create('refused', {
    containers: [app({ lifecycle: { preStop: hook(dead).postStart } })],
  });
  await e.settle();
  await e.client.delete(Kinds.Pod, 'default', 'refused');
  await e.settle();
  const ev = await e.events();
  assert.ok(
    ev.includes(
      `FailedPreStopHook: HTTP lifecycle hook (/started) for Container "app" in Pod "refused_default(${uid})" failed - error: Get "http://127.0.0.1:${dead}/started": dial tcp 127.0.0.1:${dead}: connect: connection refused`,
    ),
    ev.join('\n'),
  );
  assert.equal(await e.client.get(Kinds.Pod, 'default', 'refused'), undefined);
});

test('preStop: an exec hook runs before the stop on deletion, inside the grace period', async () => {
  const e = await start();
  const uid = await e.create('bye', {
    terminationGracePeriodSeconds: 20,
    containers: [
      app({ lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /shared/log'] } } } }),
    ],
  });
  await e.settle();
  await e.client.delete(Kinds.Pod, 'default', 'bye');
  await e.settle();
  const name = `k8s_app_bye_default_${uid}_0`;
  const exec = e.ops.calls.indexOf(`exec ${name} sh -c echo bye > /shared/log`);
  const stop = e.ops.calls.indexOf(`stop ${name} 20`);
  assert.ok(exec >= 0 && stop > exec, e.ops.calls.join('\n'));
  assert.equal(await e.client.get(Kinds.Pod, 'default', 'bye'), undefined);
});

test('preStop: a sleep hook delays the SIGTERM and its time counts against the grace period', async () => {
  const e = await start();
  const uid = await e.create('slow', {
    terminationGracePeriodSeconds: 10,
    containers: [app({ lifecycle: { preStop: { sleep: { seconds: 4 } } } })],
  });
  await e.settle();
  await e.client.delete(Kinds.Pod, 'default', 'slow');
  await e.settle();
  const name = `k8s_app_slow_default_${uid}_0`;
  assert.ok(!e.ops.calls.some((c) => c.startsWith(`stop ${name}`)), 'nothing stops while the hook sleeps');
  await e.clock.advance(3_999);
  await e.settle();
  assert.ok(!e.ops.calls.some((c) => c.startsWith(`stop ${name}`)));
  await e.clock.advance(1);
  await e.settle();
  assert.ok(e.ops.calls.includes(`stop ${name} 6`), e.ops.calls.join('\n'));
  assert.equal(await e.client.get(Kinds.Pod, 'default', 'slow'), undefined);
});

test("preStop: a hook longer than the deletion's grace period is cut off, and the stop still gets 2 s", async () => {
  const e = await start();
  const uid = await e.create('long', {
    terminationGracePeriodSeconds: 30,
    containers: [app({ lifecycle: { preStop: { sleep: { seconds: 20 } } } })],
  });
  await e.settle();
  // kubectl delete --grace-period=5: the deletion's grace period, shorter than the hook.
  await e.client.delete(Kinds.Pod, 'default', 'long', { gracePeriodSeconds: 5 });
  await e.settle();
  await e.clock.advance(5_000);
  await e.settle();
  assert.ok(e.ops.calls.includes(`stop k8s_app_long_default_${uid}_0 2`), e.ops.calls.join('\n'));
});

test("preStop: a failing hook is a FailedPreStopHook event and the container still stops; a liveness kill runs it too, with the probe's grace period", async () => {
  const e = await start();
  e.ops.execCode.set('drain', 2);
  e.ops.execCode.set('alive', 1);
  const uid = await e.create('sick', {
    containers: [
      app({
        lifecycle: { preStop: { exec: { command: ['drain'] } } },
        livenessProbe: {
          exec: { command: ['alive'] },
          periodSeconds: 1,
          failureThreshold: 1,
          terminationGracePeriodSeconds: 12,
        },
      }),
    ],
  });
  await e.settle();
  await e.clock.advance(1_000);
  await e.settle();
  const name = `k8s_app_sick_default_${uid}_0`;
  const exec = e.ops.calls.indexOf(`exec ${name} drain`);
  // The probe's own grace period, not the pod's 30 s.
  assert.ok(exec >= 0 && e.ops.calls.indexOf(`stop ${name} 12`) > exec, e.ops.calls.join('\n'));
  const ev = await e.events();
  assert.ok(
    ev.includes(
      `FailedPreStopHook: Exec lifecycle hook ([drain]) for Container "app" in Pod "sick_default(${uid})" failed - error: command 'drain' exited with 2: drain failed\n, message: "drain failed\\n"`,
    ),
    ev.join('\n'),
  );
  assert.equal(e.ops.byName(`k8s_app_sick_default_${uid}_1`).length, 1, 'restarted after the kill');
});

test('termination message: a per-container file bound at the path, read when it exits, kept in lastState', async () => {
  const e = await start();
  const uid = await e.create('msg', {
    containers: [app({ terminationMessagePath: '/dev/termination-log' })],
  });
  await e.settle();
  const name = `k8s_app_msg_default_${uid}_0`;
  const file = e.hostFile(name);
  assert.ok(file.includes(`/pods/${uid}/containers/app/`), file);
  assert.equal(statSync(file).size, 0);
  assert.equal(statSync(file).mode & 0o777, 0o666, 'writable by any user');
  writeFileSync(file, 'bye: disk full');
  e.ops.exit(e.ops.byName(name)[0]!.Id, 3);
  await e.settle();
  const st = (await e.statuses('msg'))[0]!;
  assert.deepEqual(st.lastState.terminated?.message, 'bye: disk full');
  assert.equal(st.lastState.terminated?.exitCode, 3);
  assert.notEqual(e.hostFile(`k8s_app_msg_default_${uid}_1`), file, 'each attempt has its own file');
  assert.equal(statSync(e.hostFile(`k8s_app_msg_default_${uid}_1`)).size, 0);
});

test('termination message: the last 4096 bytes of the file, each container cut to its share of 12 KiB', async () => {
  const e = await start();
  const names = ['a', 'b', 'c', 'd'];
  const uid = await e.create('big', {
    restartPolicy: 'Never',
    containers: names.map((n) => ({ name: n, image: 'busybox:latest' })),
  });
  await e.settle();
  for (const n of names) {
    const name = `k8s_${n}_big_default_${uid}_0`;
    writeFileSync(e.hostFile(name), `${'x'.repeat(1000)}${n.repeat(4096)}`);
    e.ops.exit(e.ops.byName(name)[0]!.Id, 1);
  }
  await e.settle();
  const st = await e.statuses('big');
  // 4096 of the file's end, then 12288 / 4 = 3072 of that message's start.
  assert.deepEqual(
    st.map((s) => s.state.terminated?.message),
    names.map((n) => n.repeat(3072)),
  );
});

test('FallbackToLogsOnError: an empty file and a failure give the last 80 lines (2048 bytes) of the log; success gives none', async () => {
  const e = await start();
  const uid = await e.create('logs', {
    restartPolicy: 'Never',
    containers: [
      app({ terminationMessagePolicy: 'FallbackToLogsOnError' }),
      { name: 'ok', image: 'busybox:latest', terminationMessagePolicy: 'FallbackToLogsOnError' },
      { name: 'file', image: 'busybox:latest', terminationMessagePolicy: 'File' },
    ],
  });
  await e.settle();
  for (const n of ['app', 'ok', 'file']) {
    const id = e.ops.byName(`k8s_${n}_logs_default_${uid}_0`)[0]!.Id;
    for (let i = 1; i <= 100; i++) e.ops.log(id, `line ${i}\n`);
  }
  const appId = e.ops.byName(`k8s_app_logs_default_${uid}_0`)[0]!.Id;
  e.ops.exit(appId, 2);
  e.ops.exit(e.ops.byName(`k8s_ok_logs_default_${uid}_0`)[0]!.Id, 0);
  e.ops.exit(e.ops.byName(`k8s_file_logs_default_${uid}_0`)[0]!.Id, 2);
  await e.settle();
  const st = await e.statuses('logs');
  const lines = Array.from({ length: 80 }, (_, i) => `line ${i + 21}\n`).join('');
  assert.equal(st[0]!.state.terminated?.message, lines);
  assert.equal(st[1]!.state.terminated?.message, undefined, 'exit 0: no fallback');
  assert.equal(st[2]!.state.terminated?.message, undefined, 'File policy: no fallback');
  // Long lines: the 2048 bytes at the end.
  const uid2 = await e.create('wide', {
    restartPolicy: 'Never',
    containers: [app({ terminationMessagePolicy: 'FallbackToLogsOnError' })],
  });
  await e.settle();
  const id2 = e.ops.byName(`k8s_app_wide_default_${uid2}_0`)[0]!.Id;
  for (let i = 0; i < 10; i++) e.ops.log(id2, `${String(i).repeat(499)}\n`);
  e.ops.exit(id2, 1);
  await e.settle();
  const msg = (await e.statuses('wide'))[0]!.state.terminated?.message ?? '';
  assert.equal(msg.length, 2048);
  assert.ok(msg.endsWith(`${'9'.repeat(499)}\n`));
});
