// The kubelet against a real berthd: pods become engine containers the docker CLI sees with
// cri-dockerd's names and labels, and kubectl sees them run, log, crash, restart, probe and go.
// Pods are created with spec.nodeName set (bound as a scheduler would bind them).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDirsOf, loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let node = '';
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  const ok = await eventually(() => c.kubectl(['get', 'nodes', '-o', 'name']).stdout.trim() !== '', 15_000);
  assert.ok(ok, `no node registered:\n${c.daemon.log().slice(-3000)}`);
  node = c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);
const json = (args: string[]) => JSON.parse(ok([...args, '-o', 'json']));

/** A pod manifest bound to the node. */
function pod(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...meta },
    spec: { nodeName: node, terminationGracePeriodSeconds: 2, ...spec },
  });
}

const busybox = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: 'busybox:latest',
  imagePullPolicy: 'IfNotPresent',
  ...extra,
});

const podJson = (name: string) => json(['get', 'pod', name]);
const phaseOf = (name: string) => c.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']).stdout;

describe('node', () => {
  test('kubectl get nodes shows the machine Ready as a control plane with berth versions', async () => {
    const out = ok(['get', 'nodes', '-o', 'wide']);
    const row = out.split('\n')[1]!.split(/\s{2,}/);
    assert.equal(row[0], node);
    assert.equal(row[1], 'Ready');
    assert.equal(row[2], 'control-plane');
    assert.equal(row[4], 'v1.32.0-berth');
    assert.match(out, /berth:\/\/\d/);
    const n = json(['get', 'node', node]);
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], node);
    assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(n.status.capacity.pods, '110');
    assert.ok(Number(n.status.capacity.cpu) >= 1);
    const lease = json(['get', 'lease', '-n', 'kube-node-lease', node]);
    assert.equal(lease.spec.holderIdentity, node);
  });
});

describe('pods', () => {
  test('a pod runs with an IP; docker ps shows its containers named and labelled as cri-dockerd does', async () => {
    ok(
      ['apply', '-f', '-'],
      pod('web', {
        containers: [
          busybox('app', { command: ['sh', '-c', 'echo hello from $(hostname); exec sleep 1000'] }),
        ],
      }),
    );
    assert.ok(
      await eventually(() => phaseOf('web') === 'Running', 30_000),
      JSON.stringify(podJson('web').status),
    );
    const p = podJson('web');
    assert.match(p.status.podIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(p.status.containerStatuses[0].ready, true);
    assert.match(p.status.containerStatuses[0].containerID, /^docker:\/\/[0-9a-f]{64}$/);
    assert.equal(p.status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'True');
    const uid = p.metadata.uid;
    const names = c.daemon
      .docker(['ps', '--filter', `label=io.kubernetes.pod.uid=${uid}`, '--format', '{{.Names}}'])
      .stdout.trim()
      .split('\n')
      .sort();
    assert.deepEqual(names, [`k8s_POD_web_default_${uid}_0`, `k8s_app_web_default_${uid}_0`]);
    const labels = c.daemon.docker([
      'inspect',
      `k8s_app_web_default_${uid}_0`,
      '--format',
      '{{json .Config.Labels}}',
    ]);
    const l = JSON.parse(labels.stdout);
    assert.equal(l['io.kubernetes.pod.name'], 'web');
    assert.equal(l['io.kubernetes.pod.namespace'], 'default');
    assert.equal(l['io.kubernetes.container.name'], 'app');
    assert.equal(l['io.kubernetes.pod.uid'], uid);
    assert.ok(await eventually(() => ok(['logs', 'web']).includes('hello from web')), ok(['logs', 'web']));
    const events = ok(['get', 'events', '--field-selector', 'involvedObject.name=web']);
    assert.match(events, /already present on machine/);
    assert.match(events, /Started/);
  });

  test("seccomp: the engine's default profile unless asked otherwise (Unconfined, a Localhost file); the sandbox's pause runs unfiltered", async () => {
    // A Localhost profile lives under the kubelet's seccomp root: everything allowed but mkdir (EACCES).
    const root = path.join(c.daemon.dataRoot, 'kubernetes', 'seccomp', 'profiles');
    mkdirSync(root, { recursive: true });
    writeFileSync(
      path.join(root, 'no-mkdir.json'),
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
      }),
    );
    ok(
      ['apply', '-f', '-'],
      pod('filters', {
        containers: [
          busybox('kept', { command: ['sleep', '1000'] }),
          busybox('open', {
            command: ['sleep', '1000'],
            securityContext: { seccompProfile: { type: 'Unconfined' } },
          }),
          busybox('local', {
            command: ['sleep', '1000'],
            securityContext: {
              seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/no-mkdir.json' },
            },
          }),
        ],
      }),
    );
    assert.ok(
      await eventually(() => phaseOf('filters') === 'Running', 30_000),
      JSON.stringify(podJson('filters').status),
    );
    const sh = (container: string, script: string) =>
      c.kubectl(['exec', 'filters', '-c', container, '--', 'sh', '-c', script]);
    const mode = (container: string) =>
      /^Seccomp:\s+(\d)/m.exec(sh(container, 'cat /proc/self/status').stdout)?.[1];
    assert.equal(mode('kept'), '2', 'filter mode: the default profile');
    assert.equal(mode('open'), '0', 'Unconfined: no filter');
    assert.equal(mode('local'), '2');
    assert.match(sh('local', 'mkdir /made').stderr, /Permission denied/);
    assert.equal(sh('kept', 'mkdir /made && echo made').stdout.trim(), 'made');
    const uid = podJson('filters').metadata.uid;
    const opts = (name: string) =>
      c.daemon.docker(['inspect', name, '--format', '{{json .HostConfig.SecurityOpt}}']).stdout.trim();
    assert.equal(opts(`k8s_POD_filters_default_${uid}_0`), '["seccomp=unconfined"]');
    assert.equal(opts(`k8s_kept_filters_default_${uid}_0`), 'null');
    ok(['delete', 'pod', 'filters', '--wait=false']);

    // A profile that is not there: the container waits with the kubelet's words, the pod is not Running.
    ok(
      ['apply', '-f', '-'],
      pod('missing-profile', {
        securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/none.json' } },
        containers: [busybox('app', { command: ['sleep', '1000'] })],
      }),
    );
    const waiting = () => podJson('missing-profile').status.containerStatuses?.[0]?.state?.waiting;
    assert.ok(
      await eventually(() => waiting()?.reason === 'CreateContainerError', 30_000),
      JSON.stringify(podJson('missing-profile').status),
    );
    assert.equal(
      waiting().message,
      `cannot load seccomp profile "${path.join(root, 'none.json')}": open ${path.join(root, 'none.json')}: no such file or directory`,
    );
    ok(['delete', 'pod', 'missing-profile', '--wait=false']);
  });

  test("the sandbox holds the pod's namespaces with no process (pause only for a shared PID namespace)", async () => {
    ok(
      ['apply', '-f', '-'],
      pod('held', {
        containers: [
          busybox('a', { command: ['sleep', '1000'] }),
          busybox('b', { command: ['sleep', '1000'] }),
        ],
      }),
    );
    ok(
      ['apply', '-f', '-'],
      pod('pidshare', {
        shareProcessNamespace: true,
        containers: [busybox('a', { command: ['sleep', '1000'] })],
      }),
    );
    for (const name of ['held', 'pidshare'])
      assert.ok(
        await eventually(() => phaseOf(name) === 'Running', 30_000),
        JSON.stringify(podJson(name).status),
      );
    const inside = (name: string, container: string, script: string) =>
      c.kubectl(['exec', name, '-c', container, '--', 'sh', '-c', script]).stdout.trim();
    const sandbox = (name: string) => `k8s_POD_${name}_default_${podJson(name).metadata.uid}_0`;
    const inspect = (name: string, format: string) =>
      c.daemon.docker(['inspect', sandbox(name), '--format', format]).stdout.trim();

    // One IPC namespace and one network for both containers: the sandbox's files, nothing running.
    assert.equal(
      inspect('held', '{{.HostConfig.Runtime}} {{.State.Status}} {{.State.Pid}}'),
      'io.berth.pinned running 0',
    );
    const ipc = inside('held', 'a', 'readlink /proc/self/ns/ipc');
    assert.match(ipc, /^ipc:\[\d+\]$/);
    assert.equal(inside('held', 'b', 'readlink /proc/self/ns/ipc'), ipc);
    assert.equal(
      inside('held', 'b', 'readlink /proc/self/ns/net'),
      inside('held', 'a', 'readlink /proc/self/ns/net'),
    );
    const ip = podJson('held').status.podIP;
    assert.match(
      inside('held', 'b', 'ip -4 addr show eth0'),
      new RegExp(`inet ${ip.replaceAll('.', '\\.')}/`),
    );
    const top = c.daemon.docker(['top', sandbox('held')]);
    assert.notEqual(top.code, 0);
    assert.match(top.stderr, /it runs no process \(it holds a pod's namespaces\)/);

    // A shared PID namespace needs its first process: the pause, PID 1 in the container's view.
    assert.equal(inspect('pidshare', '{{.HostConfig.Runtime}}'), '');
    assert.match(inside('pidshare', 'a', 'cat /proc/1/cmdline'), /^\/pause/);
    ok(['delete', 'pod', 'held', 'pidshare', '--wait=false']);
  });

  test('env comes from a configmap, a secret and the pod fields; volumes are mounted', async () => {
    ok(['create', 'configmap', 'settings', '--from-literal=color=blue', '--from-literal=size=L']);
    ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret']);
    const spec = {
      containers: [
        busybox('app', {
          command: ['sh', '-c', 'env; cat /cfg/color /sec/password; echo; exec sleep 1000'],
          env: [
            { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'GREETING', value: 'color is $(COLOR)' },
          ],
          envFrom: [{ prefix: 'CM_', configMapRef: { name: 'settings' } }],
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' },
            { name: 'sec', mountPath: '/sec' },
          ],
        }),
      ],
      volumes: [
        { name: 'cfg', configMap: { name: 'settings' } },
        { name: 'sec', secret: { secretName: 'creds' } },
      ],
    };
    ok(['apply', '-f', '-'], pod('envy', spec));
    assert.ok(
      await eventually(() => phaseOf('envy') === 'Running', 30_000),
      JSON.stringify(podJson('envy').status),
    );
    assert.ok(await eventually(() => ok(['logs', 'envy']).includes('s3cret')));
    const logs = ok(['logs', 'envy']);
    assert.match(logs, /^COLOR=blue$/m);
    assert.match(logs, /^PASSWORD=s3cret$/m);
    assert.match(logs, /^MY_POD=envy$/m);
    assert.match(logs, /^GREETING=color is blue$/m);
    assert.match(logs, /^CM_size=L$/m);
    assert.match(logs, new RegExp(`^MY_IP=${podJson('envy').status.podIP.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(logs, /^blues3cret$/m);
  });

  test('a crashing container goes CrashLoopBackOff with restarts', async () => {
    ok(
      ['apply', '-f', '-'],
      pod('crash', { containers: [busybox('app', { command: ['sh', '-c', 'echo boom; exit 3'] })] }),
    );
    const reasonOf = () => {
      const cs = podJson('crash').status.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= 1 ? cs : undefined;
    };
    assert.ok(await eventually(() => !!reasonOf(), 40_000), JSON.stringify(podJson('crash').status));
    const cs = reasonOf();
    assert.equal(cs.lastState.terminated.exitCode, 3);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    assert.match(ok(['get', 'pod', 'crash']), /CrashLoopBackOff/);
    assert.match(ok(['logs', 'crash', '--previous']), /boom/);
    assert.match(
      ok(['get', 'events', '--field-selector', 'involvedObject.name=crash,reason=BackOff']),
      /Back-off restarting failed container app/,
    );
  });

  test('a pod of restartPolicy Never that exits 0 Succeeds', async () => {
    ok(
      ['apply', '-f', '-'],
      pod('once', {
        restartPolicy: 'Never',
        initContainers: [busybox('init', { command: ['sh', '-c', 'echo init ran'] })],
        containers: [busybox('app', { command: ['true'] })],
      }),
    );
    assert.ok(
      await eventually(() => phaseOf('once') === 'Succeeded', 30_000),
      JSON.stringify(podJson('once').status),
    );
    const p = podJson('once');
    assert.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(p.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.match(ok(['logs', 'once', '-c', 'init']), /init ran/);
  });

  test('a failing liveness probe restarts the container', async () => {
    const probe = {
      exec: { command: ['test', '-e', '/tmp/healthy'] },
      periodSeconds: 1,
      failureThreshold: 2,
    };
    ok(
      ['apply', '-f', '-'],
      pod('sick', {
        containers: [
          busybox('app', {
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 3; rm /tmp/healthy; exec sleep 1000'],
            livenessProbe: probe,
          }),
        ],
      }),
    );
    assert.ok(
      await eventually(() => podJson('sick').status.containerStatuses?.[0]?.restartCount >= 1, 40_000),
      JSON.stringify(podJson('sick').status),
    );
    const events = ok(['get', 'events', '--field-selector', 'involvedObject.name=sick']);
    assert.match(events, /Liveness probe failed/);
    assert.match(events, /failed liveness probe, will be restarted/);
  });

  test('a gRPC readiness probe of a hostNetwork pod follows its health server: NOT_SERVING is not Ready, SERVING is again', async () => {
    // A hostNetwork pod's IP is the node's InternalIP, so the health server this test runs on the
    // node's address is the pod's own port as the kubelet sees it.
    const nodeIP = ok([
      'get',
      'node',
      node,
      '-o',
      'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
    ]);
    assert.match(nodeIP, /^\d+\.\d+\.\d+\.\d+$/);
    let serving = 1;
    const calls: { service: string; userAgent: string }[] = [];
    const server = http2.createServer();
    const sessions = new Set<http2.ServerHttp2Session>();
    server.on('session', (s) => {
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('end', () => {
        // HealthCheckRequest{service = 1} after the 5-byte gRPC prefix; names here are short.
        const msg = Buffer.concat(chunks).subarray(5);
        const service = msg.length ? msg.subarray(2).toString() : '';
        calls.push({ service, userAgent: String(headers['user-agent']) });
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, serving]));
      });
    });
    await new Promise<void>((r) => server.listen(0, nodeIP, r));
    const port = (server.address() as AddressInfo).port;
    const readyOf = () =>
      c.kubectl([
        'get',
        'pod',
        'grpc-ready',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]).stdout;
    try {
      ok(
        ['apply', '-f', '-'],
        pod('grpc-ready', {
          hostNetwork: true,
          containers: [
            busybox('app', {
              command: ['sleep', '1000'],
              readinessProbe: {
                grpc: { port, service: 'berth.test.Orders' },
                periodSeconds: 1,
                failureThreshold: 1,
              },
            }),
          ],
        }),
      );
      assert.ok(
        await eventually(() => readyOf() === 'True', 40_000),
        JSON.stringify(podJson('grpc-ready').status),
      );
      const p = podJson('grpc-ready');
      assert.equal(p.status.podIP, nodeIP);
      assert.deepEqual(p.spec.containers[0].readinessProbe.grpc, { port, service: 'berth.test.Orders' });
      assert.deepEqual(calls[0], { service: 'berth.test.Orders', userAgent: 'kube-probe/1.32' });

      serving = 2;
      assert.ok(await eventually(() => readyOf() === 'False', 20_000), 'NOT_SERVING makes the pod not Ready');
      assert.equal(podJson('grpc-ready').status.containerStatuses[0].ready, false);
      assert.equal(phaseOf('grpc-ready'), 'Running');
      const messages = () =>
        json(['get', 'events', '--field-selector', 'involvedObject.name=grpc-ready']).items.map(
          (e: { reason: string; message: string }) => `${e.reason}: ${e.message}`,
        ) as string[];
      assert.ok(
        await eventually(() =>
          messages().includes(
            'Unhealthy: Readiness probe failed: service unhealthy (responded with "NOT_SERVING")',
          ),
        ),
        messages().join('\n'),
      );

      serving = 1;
      assert.ok(await eventually(() => readyOf() === 'True', 20_000), 'SERVING makes it Ready again');
      assert.equal(podJson('grpc-ready').status.containerStatuses[0].ready, true);
    } finally {
      c.kubectl(['delete', 'pod', 'grpc-ready', '--wait=true', '--timeout=60s']);
      for (const s of sessions) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  test('limits land in the container cgroup settings', async () => {
    ok(
      ['apply', '-f', '-'],
      pod('small', {
        containers: [
          busybox('app', {
            command: ['sleep', '1000'],
            resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } },
          }),
        ],
      }),
    );
    assert.ok(await eventually(() => phaseOf('small') === 'Running', 30_000));
    const uid = podJson('small').metadata.uid;
    const hc = JSON.parse(
      c.daemon.docker(['inspect', `k8s_app_small_default_${uid}_0`, '--format', '{{json .HostConfig}}'])
        .stdout,
    );
    assert.equal(hc.Memory, 64 * 1024 * 1024);
    assert.equal(hc.NanoCpus, 500_000_000);
    assert.equal(hc.CpuShares, 256);
    const id = c.daemon
      .docker(['inspect', `k8s_app_small_default_${uid}_0`, '--format', '{{.Id}}'])
      .stdout.trim();
    // The limit as the kernel holds it: cgroup v2's memory.max, or v1's memory.limit_in_bytes.
    const files = cgroupDirsOf(id).flatMap((d) => [
      path.join(d, 'memory.max'),
      path.join(d, 'memory.limit_in_bytes'),
    ]);
    const limits = files.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8').trim());
    assert.ok(limits.length > 0, `no memory cgroup file among ${files.join(' ')}`);
    for (const l of limits) assert.equal(l, String(64 * 1024 * 1024));
  });

  test('kubectl delete pod stops and removes its containers', async () => {
    const uid = podJson('web').metadata.uid;
    ok(['delete', 'pod', 'web', '--wait=true', '--timeout=60s']);
    const left = c.daemon
      .docker(['ps', '-a', '--filter', `label=io.kubernetes.pod.uid=${uid}`, '-q'])
      .stdout.trim();
    assert.equal(left, '');
  });

  test('after kill -9 of berthd the pod keeps running, adopted, not restarted', async () => {
    ok(['apply', '-f', '-'], pod('stay', { containers: [busybox('app', { command: ['sleep', '1000'] })] }));
    assert.ok(await eventually(() => phaseOf('stay') === 'Running', 30_000));
    const before = podJson('stay');
    const id = before.status.containerStatuses[0].containerID;
    await c.daemon.kill9();
    await c.daemon.restart();
    assert.ok(await eventually(() => c.kubectl(['get', '--raw', '/readyz']).code === 0, 30_000));
    // Give the kubelet a pass over it.
    await new Promise((r) => setTimeout(r, 2000));
    const after = podJson('stay');
    assert.equal(after.status.phase, 'Running');
    assert.equal(after.status.containerStatuses[0].containerID, id);
    assert.equal(after.status.containerStatuses[0].restartCount, 0);
    assert.equal(after.status.podIP, before.status.podIP);
  });
});
