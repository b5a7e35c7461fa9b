// A developer's day against the local cluster with the real kubectl: a Deployment with a Service, a
// ConfigMap and a Secret; rollout status; a rolling update by `set image` while requests go to the
// Service without one failing; history and undo; scale; deleting the Deployment takes its pods and
// their engine containers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  await loadBusybox(c.daemon);
  assert.equal(c.daemon.docker(['tag', 'busybox:latest', 'busybox:v2']).code, 0);
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);

const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {GREETING: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {TOKEN: s3cret}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  # Each new pod serves a second before the next step: the update lasts long enough for the requests
  # below to cross every step, however fast pods start.
  minReadySeconds: 1
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: busybox:latest
        command: [sh, -c, 'mkdir -p /www && echo "$GREETING $TOKEN $(hostname)" > /www/index.html && exec httpd -f -p 8080 -h /www']
        envFrom: [{configMapRef: {name: web-config}}, {secretRef: {name: web-secret}}]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

/** One HTTP/1.0 GET through a raw socket: the body, or why it failed. */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let got = '';
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('connect', () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => resolve(got.split('\r\n\r\n')[1] ?? `no body: ${got}`));
    s.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

test('apply, rollout status, a rolling update with no failed request, history, undo, scale, delete', async () => {
  ok(['apply', '-f', '-'], manifest);
  assert.match(ok(['rollout', 'status', 'deployment/web', '--timeout=55s']), /successfully rolled out/);
  const ip = ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']).trim();
  assert.ok(
    await eventually(
      () =>
        ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']).split(' ').length ===
        3,
      20_000,
    ),
    `three endpoints:\n${ok(['get', 'endpoints,endpointslices,pods', '-o', 'wide'])}`,
  );
  assert.match(await get(ip, 80), /^hello s3cret web-/);

  // Requests all through the update: none may fail.
  let stop = false;
  const results: string[] = [];
  const load = (async () => {
    while (!stop) {
      results.push(await get(ip, 80));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  ok(['set', 'image', 'deployment/web', 'web=busybox:v2']);
  // kubectl runs beside the requests (a synchronous run would stop them while it waits).
  const status = c.kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=55s']);
  const rolled = await eventually(() => /successfully rolled out/.test(status.stdout()), 60_000);
  await status.stop();
  stop = true;
  await load;
  assert.ok(rolled, `rollout status: ${status.stdout()} ${status.stderr()}`);
  const failed = results.filter((r) => !r.startsWith('hello s3cret'));
  assert.ok(results.length > 20, `${results.length} requests during the update`);
  assert.deepEqual(failed, [], `${failed.length} of ${results.length} requests failed`);
  // The old pods finish their grace period (Terminating a moment, as on any cluster), then only v2 runs.
  const images = () =>
    new Set(
      ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}']).split(' '),
    );
  assert.ok(await eventually(() => [...images()].join() === 'busybox:v2', 30_000), [...images()].join());

  const history = ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /REVISION\s+CHANGE-CAUSE\s+1\s+<none>\s+2\s+<none>/);
  ok(['rollout', 'undo', 'deployment/web']);
  assert.match(ok(['rollout', 'status', 'deployment/web', '--timeout=55s']), /successfully rolled out/);
  assert.equal(
    ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
    'busybox:latest',
  );

  ok(['scale', 'deployment/web', '--replicas=5']);
  assert.match(ok(['rollout', 'status', 'deployment/web', '--timeout=55s']), /successfully rolled out/);
  assert.match(ok(['get', 'deployment', 'web']), /web\s+5\/5\s+5\s+5/);

  ok(['delete', 'deployment', 'web']);
  assert.ok(
    await eventually(
      () => c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name']).stdout.trim() === '',
      60_000,
    ),
    'the pods go with their Deployment',
  );
  assert.ok(
    await eventually(
      () =>
        c.daemon
          .docker(['ps', '-aq', '--filter', 'label=io.kubernetes.pod.namespace=default'])
          .stdout.trim() === '',
      60_000,
    ),
    'and so do their engine containers',
  );
});

test('a StatefulSet: ordinal names in order, a claim each, stable DNS names; scaled down from the top', async () => {
  ok(
    ['apply', '-f', '-'],
    `
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
        image: busybox:latest
        command: [sh, -c, 'echo $(hostname) > /data/who; exec sleep 3600']
        readinessProbe: {exec: {command: ['true']}, periodSeconds: 1}
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
  );
  assert.match(
    ok(['rollout', 'status', 'statefulset/db', '--timeout=55s']),
    /partitioned roll out complete|rolling update complete|roll out complete/,
  );
  const pods = ok([
    'get',
    'pods',
    '-l',
    'app=db',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.status.startTime}{"\\n"}{end}',
  ]);
  assert.deepEqual(
    pods
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]),
    ['db-0', 'db-1'],
  );
  assert.match(ok(['get', 'pvc']), /data-db-0\s+Bound[\s\S]*data-db-1\s+Bound/);
  assert.equal(ok(['exec', 'db-1', '--', 'cat', '/data/who']).trim(), 'db-1');
  const ip0 = ok(['get', 'pod', 'db-0', '-o', 'jsonpath={.status.podIP}']).trim();
  assert.ok(
    await eventually(
      () =>
        c
          .kubectl(['exec', 'db-1', '--', 'nslookup', 'db-0.db.default.svc.cluster.local'])
          .stdout.includes(`Address: ${ip0}`),
      20_000,
    ),
    'db-0.db.default.svc.cluster.local resolves from db-1',
  );
  ok(['scale', 'statefulset/db', '--replicas=1']);
  assert.ok(await eventually(() => c.kubectl(['get', 'pod', 'db-1']).code !== 0, 30_000), 'db-1 goes');
  assert.match(ok(['get', 'pvc', 'data-db-1']), /Bound/, 'its claim stays');
  assert.match(ok(['get', 'sts', 'db']), /db\s+1\/1/);
});

test('a DaemonSet: one pod on the node, pinned there, status as kubectl prints it', async () => {
  ok(
    ['apply', '-f', '-'],
    `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: agent, image: busybox:latest, command: [sleep, '3600']}]
`,
  );
  assert.match(ok(['rollout', 'status', 'daemonset/agent', '--timeout=55s']), /successfully rolled out/);
  const node = ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim();
  assert.equal(
    ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.nodeName}']).trim(),
    node,
  );
  assert.match(ok(['get', 'ds', 'agent']), /agent\s+1\s+1\s+1\s+1\s+1\s+<none>/);
  ok(['delete', 'ds', 'agent']);
  assert.ok(
    await eventually(
      () => c.kubectl(['get', 'pods', '-l', 'app=agent', '-o', 'name']).stdout.trim() === '',
      30_000,
    ),
  );
});

test('a Job whose pod has a sidecar: READY counts it while both run, the Job completes, the sidecar is stopped', async () => {
  ok(
    ['apply', '-f', '-'],
    `apiVersion: batch/v1
kind: Job
metadata: {name: side}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 5
      initContainers:
      - name: shipper
        image: busybox:latest
        restartPolicy: Always
        command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.2; done']
        readinessProbe: {exec: {command: ['true']}, periodSeconds: 1}
      containers:
      - name: work
        image: busybox:latest
        command: [sh, -c, 'sleep 6; echo done']
`,
  );
  const readyColumn = () =>
    c.kubectl(['get', 'pods', '-l', 'job-name=side', '--no-headers']).stdout.trim().split(/\s+/)[1];
  assert.ok(await eventually(() => readyColumn() === '2/2', 20_000), `READY was ${readyColumn()}`);
  ok(['wait', '--for=condition=complete', 'job/side', '--timeout=60s']);
  const pod = JSON.parse(ok(['get', 'pods', '-l', 'job-name=side', '-o', 'json'])).items[0];
  assert.equal(pod.status.phase, 'Succeeded');
  assert.equal(ok(['logs', pod.metadata.name, '-c', 'work']).trim(), 'done');
  // The engine's container of the sidecar no longer runs.
  assert.ok(
    await eventually(
      () =>
        c.daemon
          .docker(['ps', '-q', '--filter', `label=io.kubernetes.pod.name=${pod.metadata.name}`])
          .stdout.trim() === '',
      20_000,
    ),
    c.daemon.docker(['ps', '-a', '--filter', `label=io.kubernetes.pod.name=${pod.metadata.name}`]).stdout,
  );
  ok(['delete', 'job', 'side']);
});

test('an Indexed Job: each pod knows its index; completedIndexes; a FailJob rule ends a Job at once', async () => {
  const refused = c.kubectl(['create', '-f', '-'], {
    input: `apiVersion: batch/v1
kind: Job
metadata: {name: noidx}
spec:
  completionMode: Indexed
  parallelism: 2
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:latest}]}}
`,
  });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /spec\.completions: Required value: when completion mode is Indexed/);

  ok(
    ['apply', '-f', '-'],
    `apiVersion: batch/v1
kind: Job
metadata: {name: shards}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:latest
        command: [sh, -c, 'echo "shard $JOB_COMPLETION_INDEX on $(hostname)"']
`,
  );
  ok(['wait', '--for=condition=complete', 'job/shards', '--timeout=90s']);
  assert.equal(ok(['get', 'job', 'shards', '-o', 'jsonpath={.status.completedIndexes}']), '0-2');
  const pods = JSON.parse(ok(['get', 'pods', '-l', 'job-name=shards', '-o', 'json'])).items as {
    metadata: { name: string; labels: Record<string, string> };
  }[];
  const lines = pods.map((p) => ok(['logs', p.metadata.name]).trim()).sort();
  assert.deepEqual(lines, ['shard 0 on shards-0', 'shard 1 on shards-1', 'shard 2 on shards-2']);
  assert.deepEqual(pods.map((p) => p.metadata.labels['batch.kubernetes.io/job-completion-index']).sort(), [
    '0',
    '1',
    '2',
  ]);
  ok(['delete', 'job', 'shards']);

  ok(
    ['apply', '-f', '-'],
    `apiVersion: batch/v1
kind: Job
metadata: {name: doomed}
spec:
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: work, operator: In, values: [42]}
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: work, image: 'busybox:latest', command: [sh, -c, 'exit 42']}
`,
  );
  ok(['wait', '--for=condition=failed', 'job/doomed', '--timeout=60s']);
  const job = JSON.parse(ok(['get', 'job', 'doomed', '-o', 'json'])) as {
    status: { failed: number; conditions: { type: string; reason: string; message: string }[] };
  };
  const failed = job.status.conditions.find((x) => x.type === 'Failed');
  assert.equal(failed?.reason, 'PodFailurePolicy');
  assert.match(
    failed?.message ?? '',
    /^Container work for pod default\/doomed-\w+ failed with exit code 42 matching FailJob rule at index 0$/,
  );
  assert.equal(job.status.failed, 1, 'no second attempt despite backoffLimit 6');
  ok(['delete', 'job', 'doomed']);
});

test('a Job with ttlSecondsAfterFinished goes, with its pods, that long after it finished', async () => {
  ok(
    ['apply', '-f', '-'],
    `apiVersion: batch/v1
kind: Job
metadata: {name: brief}
spec:
  ttlSecondsAfterFinished: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: 'busybox:latest', command: ['true']}]
`,
  );
  ok(['wait', '--for=condition=complete', 'job/brief', '--timeout=60s']);
  assert.ok(ok(['get', 'pods', '-l', 'job-name=brief', '-o', 'name']).trim(), 'its pod, still there');
  ok(['wait', '--for=delete', 'job/brief', '--timeout=30s']);
  assert.ok(
    await eventually(() => ok(['get', 'pods', '-l', 'job-name=brief', '-o', 'name']).trim() === '', 20_000),
    'its pods gone too',
  );
});
