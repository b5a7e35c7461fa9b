// kubectl exec, cp, attach and port-forward against pods berthd runs (the kubelet's backends behind
// apiserver/streaming/): WebSocket v5 for exec and cp, SPDY in a WebSocket for port-forward.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let dir: string;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  dir = mkdtempSync('/tmp/bt-kexec-');
  const r = c.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'busybox:latest',
            command: [
              'sh',
              '-c',
              'mkdir -p /www && echo hello-pf > /www/index.html && exec httpd -f -p 8080 -h /www',
            ],
          },
        ],
      },
    }),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    await eventually(
      () => c.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']).stdout === 'Running',
      60_000,
    ),
  );
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await c?.stop();
});

test('exec: stdout, stderr and the exit code; stdin with -i', () => {
  const r = c.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  // kubectl's own line after the command's stderr, as against any cluster.
  assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n');
  const cat = c.kubectl(['exec', '-i', 'web', '--', 'wc', '-c'], { input: 'x'.repeat(100_000) });
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(cat.stdout.trim(), '100000');
  const missing = c.kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /container nope is not valid for pod web/);
});

test('debug: an ephemeral container joins the running pod, sees its target’s processes, runs once', async () => {
  const r = c.kubectl([
    'debug',
    'web',
    '--image=busybox:latest',
    '--container=dbg',
    '--target=web',
    '--',
    'sh',
    '-c',
    'ps; wget -qO- http://127.0.0.1:8080/',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const status = (path: string) =>
    c.kubectl(['get', 'pod', 'web', '-o', `jsonpath={.status.ephemeralContainerStatuses[0].${path}}`]).stdout;
  assert.ok(
    await eventually(() => status('state.terminated.reason') === 'Completed', 60_000),
    status('state'),
  );
  const logs = c.kubectl(['logs', 'web', '-c', 'dbg']);
  assert.equal(logs.code, 0, logs.stderr);
  // The target's processes (its PID namespace) and its port on 127.0.0.1 (the pod's network).
  assert.match(logs.stdout, /^\s+1 root\s+httpd -f -p 8080 -h \/www$/m, logs.stdout);
  assert.match(logs.stdout, /^hello-pf$/m, logs.stdout);
  assert.equal(status('restartCount'), '0');
  assert.equal(c.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']).stdout, 'Running');
  const described = c.kubectl(['describe', 'pod', 'web']).stdout;
  assert.match(described, /Ephemeral Containers:\n {2}dbg:\n/, described);
  // The pod's other fields stay as they were: a change through the resource itself is refused.
  const edit = c.kubectl([
    'patch',
    'pod',
    'web',
    '--type=json',
    '-p',
    '[{"op":"remove","path":"/spec/ephemeralContainers"}]',
  ]);
  assert.notEqual(edit.code, 0);
  assert.match(edit.stderr, /spec: Forbidden: pod updates may not change fields other than/);
});

test('cp: a file into the pod and back', () => {
  writeFileSync(path.join(dir, 'in.txt'), 'copied through tar\n');
  const to = c.kubectl(['cp', path.join(dir, 'in.txt'), 'web:/tmp/in.txt']);
  assert.equal(to.code, 0, to.stderr);
  assert.equal(c.kubectl(['exec', 'web', '--', 'cat', '/tmp/in.txt']).stdout, 'copied through tar\n');
  const from = c.kubectl(['cp', 'web:/www/index.html', path.join(dir, 'out.html')]);
  assert.equal(from.code, 0, from.stderr);
  assert.equal(readFileSync(path.join(dir, 'out.html'), 'utf8'), 'hello-pf\n');
});

test('port-forward: a local port reaches the pod’s', async () => {
  const pf = c.kubectlAsync(['port-forward', 'pod/web', ':8080']);
  try {
    let port = 0;
    assert.ok(
      await eventually(() => {
        port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.stdout())?.[1] ?? 0);
        return port > 0;
      }, 20_000),
      `kubectl port-forward: ${pf.stderr()}`,
    );
    const get = () =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    assert.equal(await get(), 'hello-pf\n');
    assert.equal(await get(), 'hello-pf\n', 'a second connection');
  } finally {
    await pf.stop();
  }
});
