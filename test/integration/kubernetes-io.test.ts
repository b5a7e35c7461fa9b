// The app's Kubernetes I/O handlers (electron/main/kubernetes) against a real berthd --kubernetes, with
// kubectl preparing and checking the state: apply (an error creates nothing; created, configured,
// unchanged), pod logs (follow, previous), an exec terminal, port-forwards, and Berth's cluster.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { LogBatch } from '../../electron/contract/index.ts';
import { batchLines } from '../../electron/main/containers/log-lines.ts';
import { type KubeIo, kubeIo } from '../../electron/main/kubernetes/kube-io.ts';
import { podExecSpawner } from '../../electron/main/kubernetes/pod-exec.ts';
import { loadBusybox } from '../conformance/harness.ts';
import { type Cluster, eventually, startCluster } from '../conformance/kubernetes/cluster.ts';

let c: Cluster;
let io: KubeIo;
let userDir: string;
let userKubeconfig: string;
const ctx = 'berth';

before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon, 'busybox:1.36');
  // The user's own kubeconfig names another context as current: the app must leave it so.
  userDir = mkdtempSync(path.join(os.tmpdir(), 'bt-kube-user-'));
  userKubeconfig = path.join(userDir, 'config');
  writeFileSync(
    userKubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: other',
      '  cluster:',
      '    server: https://127.0.0.1:1',
      'users:',
      '- name: other',
      '  user: {}',
      'contexts:',
      '- name: other',
      '  context:',
      '    cluster: other',
      '    user: other',
      'current-context: other',
      '',
    ].join('\n'),
  );
  // The engine's data root is <root>/data: as the native provider's (BERTH_NATIVE_ROOT).
  io = kubeIo(undefined, {
    ...process.env,
    HOME: userDir,
    KUBECONFIG: userKubeconfig,
    BERTH_NATIVE_ROOT: path.dirname(c.daemon.dataRoot),
  });
});
after(async () => {
  await io?.dispose();
  await c?.stop();
  if (userDir) rmSync(userDir, { recursive: true, force: true });
});

const apply = (yaml: string, dryRun = false) => io.invoke['kube.apply']({ context: ctx, yaml, dryRun });

test('an apply with an invalid document creates nothing and names the field and its line', async () => {
  const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: io-first
data:
  a: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: io-broken
spec:
  replicas: 1
  selector:
    matchLabels: {app: io-broken}
  template:
    metadata:
      labels: {app: io-broken}
    spec:
      containers:
        - name: main
          image: ""
`;
  const r = await apply(yaml);
  assert.equal(r[0].outcome, 'unchanged');
  assert.match(r[0].message ?? '', /nothing was applied/);
  assert.equal(r[1].outcome, 'failed', JSON.stringify(r[1]));
  assert.equal(r[1].line, 8);
  const cause = r[1].causes?.find((x) => /containers\[0\]\.image/.test(x.field));
  assert.ok(cause, `a cause names the image field: ${JSON.stringify(r[1])}`);
  assert.equal(cause.line, 22);
  assert.equal(c.kubectl(['get', 'configmap', 'io-first']).code, 1, 'the valid ConfigMap was not created');
  assert.equal(c.kubectl(['get', 'deployment', 'io-broken']).code, 1);
});

test('a syntax error sends nothing: the document is invalid at its line', async () => {
  const r = await apply('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: io-syntax\ndata: {a: [1\n');
  assert.equal(r[0].outcome, 'invalid');
  assert.ok(r[0].causes?.[0].line, JSON.stringify(r));
  assert.equal(c.kubectl(['get', 'configmap', 'io-syntax']).code, 1);
});

test('apply creates, leaves unchanged, configures; the dry run persists nothing', async () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: io-cm\ndata:\n  v: "${v}"\n`;
  const dry = await apply(cm('1'), true);
  assert.equal(dry[0].outcome, 'created');
  assert.equal(c.kubectl(['get', 'configmap', 'io-cm']).code, 1, 'a dry run creates nothing');
  assert.deepEqual(
    (await apply(cm('1'))).map((x) => [x.outcome, x.kind, x.name, x.namespace]),
    [['created', 'ConfigMap', 'io-cm', 'default']],
  );
  assert.equal((await apply(cm('1')))[0].outcome, 'unchanged');
  assert.equal((await apply(cm('2')))[0].outcome, 'configured');
  assert.equal(c.ok(['get', 'configmap', 'io-cm', '-o', 'jsonpath={.data.v}']), '2');
  const managers = c.ok([
    'get',
    'configmap',
    'io-cm',
    '--show-managed-fields',
    '-o',
    'jsonpath={.metadata.managedFields[*].manager}',
  ]);
  assert.match(managers, /\bberth\b/);
});

const lines = (bs: LogBatch[]) => bs.flatMap((b) => batchLines(b).map((l) => l.text));

test('logs of a pod: the lines so far, and follow sees new ones', async () => {
  c.ok([
    'run',
    'io-counter',
    '--image=busybox:1.36',
    '--restart=Never',
    '--',
    'sh',
    '-c',
    'i=0; while true; do echo line-$i; i=$((i+1)); sleep 1; done',
  ]);
  c.ok(['wait', '--for=condition=Ready', 'pod/io-counter', '--timeout=60s']);
  const got: LogBatch[] = [];
  const ctl = new AbortController();
  const done = io.streams['kube.logs'](
    { context: ctx, namespace: 'default', pod: 'io-counter', follow: true, tail: 100 },
    (b) => got.push(b),
    ctl.signal,
  );
  assert.ok(await eventually(() => lines(got).includes('line-0'), 15_000), lines(got).join('|'));
  const seenAtFirst = lines(got).length;
  assert.ok(
    await eventually(() => lines(got).length > seenAtFirst + 1, 15_000),
    `new lines arrive while following: ${lines(got).join('|')}`,
  );
  ctl.abort();
  await done;
  const n = lines(got).length;
  assert.deepEqual(
    lines(got),
    Array.from({ length: n }, (_, i) => `line-${i}`),
  );
});

test('previous: the log of the last run after a restart', async () => {
  c.ok(
    ['apply', '-f', '-'],
    `apiVersion: v1
kind: Pod
metadata:
  name: io-restarts
spec:
  restartPolicy: Always
  containers:
    - name: main
      image: busybox:1.36
      command: [sh, -c, 'echo "run at $(cat /proc/uptime)"; sleep 2; exit 3']
`,
  );
  const restarts = () =>
    Number(
      c.kubectl(['get', 'pod', 'io-restarts', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])
        .stdout || 0,
    );
  assert.ok(await eventually(() => restarts() >= 1, 60_000), 'the container restarted');
  const got: LogBatch[] = [];
  await io.streams['kube.logs'](
    { context: ctx, namespace: 'default', pod: 'io-restarts', follow: false, previous: true },
    (b) => got.push(b),
    new AbortController().signal,
  );
  assert.equal(lines(got).length, 1, lines(got).join('|'));
  assert.match(lines(got)[0], /^run at /);
  await assert.rejects(
    io.streams['kube.logs'](
      { context: ctx, namespace: 'default', pod: 'io-counter', follow: false, previous: true },
      () => {},
      new AbortController().signal,
    ),
    /previous/,
  );
});

test('exec: a terminal in the pod runs commands, follows a resize, and ends with the exit code', async () => {
  const spawn = podExecSpawner(io.configFor);
  const t = await spawn(
    { context: ctx, namespace: 'default', pod: 'io-counter', cmd: ['sh'] },
    { cols: 80, rows: 24 },
  );
  assert.equal(t.container, 'io-counter');
  let out = '';
  t.process.onData((d) => {
    out += d;
  });
  const exit = new Promise<number | null>((r) => t.process.onExit(r));
  // As a user does: typing once the prompt is there (the terminal's size reaches the TTY as it starts).
  assert.ok(await eventually(() => out.includes('/ # '), 10_000), JSON.stringify(out));
  t.process.write('stty size; echo $((6*7))-done\n');
  assert.ok(await eventually(() => /24 80/.test(out) && /42-done/.test(out), 10_000), JSON.stringify(out));
  await t.process.resize(100, 30);
  await new Promise((r) => setTimeout(r, 300));
  t.process.write('stty size; exit 5\n');
  assert.equal(await exit, 5);
  assert.match(out, /30 100/);
});

test('port-forward: a pod’s and a service’s HTTP server answer on 127.0.0.1; a deleted pod ends it', async () => {
  c.ok(
    ['apply', '-f', '-'],
    `apiVersion: v1
kind: Pod
metadata:
  name: io-web
  labels: {app: io-web}
spec:
  containers:
    - name: web
      image: busybox:1.36
      command: [sh, -c, 'mkdir -p /www && echo hello-io > /www/index.html && exec httpd -f -p 8080 -h /www']
      ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: io-web
spec:
  selector: {app: io-web}
  ports: [{port: 80, targetPort: http}]
`,
  );
  c.ok(['wait', '--for=condition=Ready', 'pod/io-web', '--timeout=60s']);
  const get = async (url: string) => {
    for (let i = 0; ; i++) {
      try {
        return await (await fetch(url)).text();
      } catch (err) {
        // httpd may need a moment after Ready.
        if (i > 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const pf = await io.invoke['kube.portForward']({
    context: ctx,
    namespace: 'default',
    kind: 'pods',
    name: 'io-web',
    remotePort: 8080,
  });
  assert.equal((await get(pf.url)).trim(), 'hello-io');
  const svc = await io.invoke['kube.portForward']({
    context: ctx,
    namespace: 'default',
    kind: 'services',
    name: 'io-web',
    remotePort: 80,
    localPort: 0,
  });
  assert.equal(svc.target, 'service/io-web');
  assert.equal((await get(svc.url)).trim(), 'hello-io');
  assert.equal((await io.invoke['kube.portForwards'](undefined)).length, 2);
  await io.invoke['kube.stopPortForward']({ id: svc.id });
  await assert.rejects(fetch(svc.url));
  c.ok(['delete', 'pod', 'io-web', '--wait=false']);
  const recorded = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const list = await io.invoke['kube.portForwards'](undefined);
      if (list.find((f) => f.id === pf.id)?.error) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  assert.ok(await recorded(), 'the forward records that its pod went away');
  const ended = (await io.invoke['kube.portForwards'](undefined)).find((f) => f.id === pf.id);
  assert.match(ended?.error ?? '', /io-web/);
  await io.invoke['kube.stopPortForward']({ id: pf.id });
});

test("Berth's cluster: running with its version; the merge adds the context and leaves current-context", async () => {
  const before = await io.invoke['kube.cluster'](undefined);
  assert.equal(before.state, 'running', JSON.stringify(before));
  assert.match(before.version ?? '', /^v1\./);
  assert.equal(before.merged, false);
  const merged = await io.invoke['kube.mergeKubeconfig'](undefined);
  assert.deepEqual(merged, { file: userKubeconfig, context: 'berth', changed: true });
  const text = readFileSync(userKubeconfig, 'utf8');
  assert.deepEqual(
    await io.invoke['kube.mergeKubeconfig'](undefined),
    { file: userKubeconfig, context: 'berth', changed: false },
    'a second merge has nothing to change',
  );
  assert.equal(readFileSync(userKubeconfig, 'utf8'), text);
  assert.match(text, /current-context: other/);
  assert.match(text, /name: berth/);
  const r = spawnSync('kubectl', ['--context', 'berth', 'get', 'ns', 'default', '-o', 'name'], {
    env: { ...process.env, HOME: c.home, KUBECONFIG: userKubeconfig },
    encoding: 'utf8',
  });
  assert.equal(r.stdout.trim(), 'namespace/default', r.stderr);
  assert.equal((await io.invoke['kube.cluster'](undefined)).merged, true);
  await assert.rejects(io.invoke['kube.setClusterEnabled']({ enabled: false }), /cannot be turned on or off/);
});
