// `kubectl top` against a real berthd --kubernetes: metrics.k8s.io served from the engine's stats,
// with no metrics-server to install. A pod that spins shows CPU, one that sleeps shows none; the
// node shows the machine; the metrics are read-only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  assert.ok(await eventually(() => c.kubectl(['get', 'nodes', '-o', 'name']).stdout.trim() !== '', 15_000));
  const pod = (name: string, command: string[]) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'top', role: name } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'main', image: 'busybox:latest', imagePullPolicy: 'IfNotPresent', command }],
      },
    });
  c.ok(['apply', '-f', '-'], pod('spin', ['sh', '-c', 'while true; do :; done']));
  c.ok(['apply', '-f', '-'], pod('rest', ['sleep', '3600']));
  c.ok(['wait', '--for=condition=Ready', 'pod/spin', 'pod/rest', '--timeout=60s']);
});
after(() => c?.stop());

/** `kubectl top` rows as name → columns. */
function rows(out: string): Record<string, string[]> {
  const lines = out.trim().split('\n');
  return Object.fromEntries(
    lines
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .map((r) => [r[0], r.slice(1)]),
  );
}

const millicores = (s: string) => Number(s.replace(/m$/, ''));

test('kubectl top pod: the spinning pod uses CPU, the sleeping one none, memory is the working set', () => {
  const out = c.ok(['top', 'pod']);
  assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  const r = rows(out);
  assert.ok(millicores(r.spin[0]) >= 100, `spin: ${r.spin}`);
  assert.ok(millicores(r.rest[0]) <= 5, `rest: ${r.rest}`);
  assert.match(r.rest[1], /^\d+Mi$/);
  // The label selector and one container per line, as with metrics-server.
  const sel = rows(c.ok(['top', 'pod', '-l', 'role=spin', '--containers']));
  assert.deepEqual(Object.keys(sel), ['spin']);
  assert.equal(sel.spin[0], 'main');
});

test('PodMetrics and NodeMetrics read as metrics-server writes them', () => {
  const pm = JSON.parse(c.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/rest']));
  assert.equal(pm.kind, 'PodMetrics');
  assert.deepEqual(pm.metadata.labels, { app: 'top', role: 'rest' });
  assert.match(pm.window, /^\d+(\.\d+)?s$/);
  assert.match(pm.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(pm.containers[0].name, 'main');
  assert.match(pm.containers[0].usage.cpu, /^\d+n$/);
  assert.match(pm.containers[0].usage.memory, /^\d+Ki$/);
  assert.ok(Number.parseInt(pm.containers[0].usage.memory, 10) > 0);
  const missing = c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /podmetrics|pods.metrics.k8s.io "nope" not found|NotFound/);
  const nodes = JSON.parse(c.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']));
  assert.equal(nodes.kind, 'NodeMetricsList');
  assert.equal(nodes.items.length, 1);
  assert.match(nodes.items[0].usage.cpu, /^\d+n$/);
});

test('kubectl top node shows the machine with its share of allocatable', () => {
  const out = c.ok(['top', 'node']);
  assert.match(out, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
  const [name, cpu, cpuPct, mem, memPct] = out.trim().split('\n')[1].split(/\s+/);
  assert.equal(name, c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).stdout);
  assert.ok(millicores(cpu) >= 100, cpu);
  assert.match(cpuPct, /^\d+%$/);
  assert.match(mem, /^\d+Mi$/);
  assert.match(memPct, /^\d+%$/);
});

test('metrics are read-only: no watch, no delete', () => {
  const del = c.kubectl(['delete', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/rest']);
  assert.equal(del.code, 1);
  assert.match(del.stderr, /MethodNotAllowed|method not allowed|not supported/i);
  const watch = c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?watch=true']);
  assert.equal(watch.code, 1);
  assert.match(watch.stderr, /MethodNotAllowed|method not allowed|not supported/i);
});

test('kubectl autoscale: a busy Deployment is scaled up to its maximum, and get/describe hpa read as on a real cluster', async () => {
  c.ok([
    'create',
    'deployment',
    'burn',
    '--image=busybox:latest',
    '--',
    'sh',
    '-c',
    'while true; do :; done',
  ]);
  c.ok(['set', 'resources', 'deployment', 'burn', '--requests=cpu=50m']);
  c.ok(['rollout', 'status', 'deployment/burn', '--timeout=60s']);
  // kubectl autoscale sends an autoscaling/v1 object (a protobuf body); kubectl get reads v2.
  c.ok(['autoscale', 'deployment', 'burn', '--min=1', '--max=2', '--cpu-percent=50']);
  assert.ok(
    await eventually(
      () => c.kubectl(['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}']).stdout === '2',
      60_000,
    ),
    c.kubectl(['describe', 'hpa', 'burn']).stdout,
  );
  const got = c.ok(['get', 'hpa', 'burn']).trim().split('\n');
  assert.deepEqual(got[0].split(/\s+/), [
    'NAME',
    'REFERENCE',
    'TARGETS',
    'MINPODS',
    'MAXPODS',
    'REPLICAS',
    'AGE',
  ]);
  assert.match(got[1], /^burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+2\s+\d+\s+/);
  const described = c.ok(['describe', 'hpa', 'burn']);
  assert.match(described, /ScalingLimited\s+True\s+TooManyReplicas/);
  assert.match(
    described,
    /SuccessfulRescale\s+.*New size: 2; reason: cpu resource utilization \(percentage of request\) above target/,
  );
  const v1 = JSON.parse(c.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'burn', '-o', 'json']));
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  assert.ok(v1.status.currentCPUUtilizationPercentage > 50);
  c.ok(['delete', 'hpa', 'burn']);
  c.ok(['delete', 'deployment', 'burn']);
});
