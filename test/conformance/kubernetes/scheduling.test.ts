// Scheduling as a kubectl user sees it, against berthd --kubernetes: pods Pending with the
// scheduler's reasons in `kubectl describe pod` and `kubectl get events`, and bound once a taint, a
// cordon or a label no longer keeps them out. The node is the kubelet's to register; until the
// kubelet part runs in berthd, the test registers one as the kubelet would (its name, labels,
// capacity and allocatable).
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let node: string;

const ok = (args: string[], input?: string) => c.ok(args, input);

before(async () => {
  c = await startCluster();
  // Pods run: their image is the local busybox, never pulled.
  await loadBusybox(c.daemon);
  const names = ok(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']).trim();
  if (names) node = names.split(' ')[0];
  else {
    node = os.hostname().toLowerCase();
    const resources = {
      cpu: String(os.cpus().length),
      memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
      pods: '110',
      'ephemeral-storage': '10Gi',
    };
    ok(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: node,
          labels: {
            'kubernetes.io/hostname': node,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
            'node-role.kubernetes.io/control-plane': '',
          },
        },
        status: { capacity: resources, allocatable: resources },
      }),
    );
  }
});
after(() => c?.stop());

/** A node change as a user makes it: kubectl taint, cordon, uncordon and label PATCH the node. */
function changeNode(args: string[]) {
  const r = c.kubectl(args);
  // kubectl cordon prints its error but exits 0.
  assert.ok(r.code === 0 && !r.stderr.includes('error:'), `kubectl ${args.join(' ')}: ${r.stderr}`);
}

const podYaml = (name: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], ...spec },
  });

const nodeNameOf = (pod: string) => ok(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}']).trim();

async function pendingSaying(pod: string, message: string) {
  let described = '';
  const shown = await eventually(() => {
    described = ok(['describe', 'pod', pod]);
    return described.includes(message);
  }, 20_000);
  assert.ok(shown, `describe pod ${pod} never said ${message}:\n${described}`);
  assert.match(described, /Status:\s+Pending/);
  assert.match(described, /Node:\s+<none>/);
  assert.match(described, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/1 nodes are available/);
  assert.match(described, /PodScheduled\s+False/);
  assert.equal(nodeNameOf(pod), '');
}

async function boundToNode(pod: string) {
  const bound = await eventually(() => nodeNameOf(pod) === node, 20_000);
  assert.ok(bound, `${pod} never bound:\n${ok(['describe', 'pod', pod])}`);
  const described = ok(['describe', 'pod', pod]);
  assert.match(
    described,
    new RegExp(
      `Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/${pod} to ${node}`,
    ),
  );
}

test('a pod whose nodeSelector matches no node stays Pending, and describe says why', async () => {
  ok(['create', '-f', '-'], podYaml('picky', { nodeSelector: { disktype: 'ssd' } }));
  await pendingSaying(
    'picky',
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
  );
  const events = ok(['get', 'events', '--field-selector', 'involvedObject.name=picky']);
  assert.match(events, /Warning\s+FailedScheduling\s+pod\/picky\s+0\/1 nodes are available/);
  // kubectl label makes the node match: the pod is bound without any retry timer.
  changeNode(['label', 'node', node, 'disktype=ssd']);
  await boundToNode('picky');
  changeNode(['label', 'node', node, 'disktype-']);
});

test('kubectl taint keeps an untolerating pod out until the taint is removed', async () => {
  changeNode(['taint', 'nodes', node, 'dedicated=gpu:NoSchedule']);
  ok(['create', '-f', '-'], podYaml('untolerating'));
  ok(
    ['create', '-f', '-'],
    podYaml('tolerating', {
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    }),
  );
  await boundToNode('tolerating');
  await pendingSaying(
    'untolerating',
    '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  );
  changeNode(['taint', 'nodes', node, 'dedicated=gpu:NoSchedule-']);
  await boundToNode('untolerating');
});

test('kubectl cordon leaves new pods Pending; uncordon lets them in', async () => {
  changeNode(['cordon', node]);
  assert.match(ok(['get', 'node', node]), /SchedulingDisabled/);
  ok(['create', '-f', '-'], podYaml('during-cordon'));
  await pendingSaying(
    'during-cordon',
    '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  );
  changeNode(['uncordon', node]);
  await boundToNode('during-cordon');
});

/** A 2-replica Deployment of busybox sleepers labelled app=<name>, quick to stop. */
function applySleepers(name: string): void {
  const spec = {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }],
  };
  ok(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec },
      },
    }),
  );
}

test('kubectl drain evicts the pods through pods/eviction; their Deployment waits for uncordon', async () => {
  applySleepers('drained');
  ok(['create', '-f', '-'], podYaml('loner', { terminationGracePeriodSeconds: 1 }));
  ok(['rollout', 'status', 'deployment/drained', '--timeout=60s']);
  const first = ok(['get', 'pods', '-l', 'app=drained', '-o', 'name']).trim().split('\n');
  assert.equal(first.length, 2);

  const r = c.kubectl(['drain', node, '--ignore-daemonsets', '--force', '--timeout=90s']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // Evicted, not deleted: kubectl deletes only where the server has no eviction subresource.
  assert.match(r.stdout, new RegExp(`node/${node} cordoned`));
  assert.match(r.stdout, /pod\/loner evicted/);
  for (const p of first) assert.match(r.stdout, new RegExp(`${p} evicted`));
  assert.match(r.stdout, new RegExp(`node/${node} drained`));
  assert.match(r.stderr, /Warning: deleting Pods that declare no controller.*default\/loner/);

  assert.equal(c.kubectl(['get', 'pod', 'loner']).code, 1, 'the unmanaged pod is gone');
  // The Deployment's replacements cannot go anywhere while the node is cordoned.
  const replaced = () =>
    ok(['get', 'pods', '-l', 'app=drained', '-o', 'name'])
      .trim()
      .split('\n')
      .filter((p) => p && !first.includes(p));
  assert.ok(await eventually(() => replaced().length === 2, 20_000), 'two replacements');
  const replacements = replaced();
  await pendingSaying(replacements[0].slice('pod/'.length), '1 node(s) were unschedulable');
  changeNode(['uncordon', node]);
  ok(['rollout', 'status', 'deployment/drained', '--timeout=60s']);
  ok(['delete', 'deployment', 'drained']);
});

test('a PodDisruptionBudget holds kubectl drain back: 429s it retries until it allows one eviction', async () => {
  applySleepers('guarded');
  ok(['create', 'pdb', 'guarded', '--selector=app=guarded', '--min-available=2']);
  ok(['rollout', 'status', 'deployment/guarded', '--timeout=60s']);
  const pods = ok(['get', 'pods', '-l', 'app=guarded', '-o', 'name']).trim().split('\n');
  assert.equal(pods.length, 2);
  const budget = () => ok(['get', 'pdb', 'guarded']);
  // Both Ready, both needed: no disruption allowed.
  const counted = await eventually(
    () => ok(['get', 'pdb', 'guarded', '-o', 'jsonpath={.status.currentHealthy}']) === '2',
    20_000,
  );
  assert.ok(counted, budget());
  assert.match(
    budget(),
    /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nguarded\s+2\s+N\/A\s+0\s+\d+s\n$/,
  );

  const drain = ['drain', node, '--ignore-daemonsets', '--pod-selector=app=guarded'];
  const refused = c.kubectl([...drain, '--timeout=5s']);
  assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    /error when evicting pods\/"guarded-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./,
  );
  assert.doesNotMatch(refused.stdout, /evicted/);
  // Both still run, neither going.
  assert.equal(
    ok([
      'get',
      'pods',
      '-l',
      'app=guarded',
      '-o',
      'jsonpath={range .items[*]}{.status.phase} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ]),
    'Running \nRunning \n',
  );

  ok(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
  const allowed = await eventually(
    () => ok(['get', 'pdb', 'guarded', '-o', 'jsonpath={.status.disruptionsAllowed}']) === '1',
    20_000,
  );
  assert.ok(allowed, budget());
  assert.match(budget(), /\nguarded\s+1\s+N\/A\s+1\s+/);
  // One eviction allowed: drain evicts one pod; the other waits on a replacement that cannot be
  // scheduled on the cordoned node, until the timeout.
  const one = c.kubectl([...drain, '--timeout=10s']);
  assert.notEqual(one.code, 0, one.stdout + one.stderr);
  const evicted = one.stdout.match(/pod\/guarded-\S+ evicted/g) ?? [];
  assert.equal(evicted.length, 1, one.stdout + one.stderr);
  assert.match(one.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
  const left = ok(['get', 'pdb', 'guarded', '-o', 'jsonpath={.status.disruptionsAllowed}']);
  assert.equal(left, '0');

  changeNode(['uncordon', node]);
  ok(['rollout', 'status', 'deployment/guarded', '--timeout=60s']);
  ok(['delete', 'pdb', 'guarded']);
  ok(['delete', 'deployment', 'guarded']);
});

test('a pod asking for more cpu than the node has: Insufficient cpu', async () => {
  ok(
    ['create', '-f', '-'],
    podYaml('hungry', {
      containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1000' } } }],
    }),
  );
  await pendingSaying(
    'hungry',
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  );
  const wide = ok(['get', 'events', '--field-selector', 'reason=FailedScheduling', '-o', 'wide']);
  assert.match(
    wide,
    /pod\/hungry\s+default-scheduler, default-scheduler-\S+\s+0\/1 nodes are available: 1 Insufficient cpu\./,
  );
});

test('a pod of a higher PriorityClass preempts a lower one: nominated, the victim Preempted, then it runs', async () => {
  const millis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  const allocatable = millis(ok(['get', 'node', node, '-o', 'jsonpath={.status.allocatable.cpu}']).trim());
  ok(
    ['create', '-f', '-'],
    JSON.stringify({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'urgent' },
      value: 1_000_000,
      description: 'Preempts the rest.',
    }),
  );
  // The filler takes nearly all the node's cpu; the urgent pod's request then fits only without it.
  const request = (m: number) => [
    { name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: `${m}m` } } },
  ];
  ok(
    ['create', '-f', '-'],
    podYaml('filler', { containers: request(allocatable - 300), terminationGracePeriodSeconds: 1 }),
  );
  await boundToNode('filler');
  ok(['create', '-f', '-'], podYaml('vip', { containers: request(600), priorityClassName: 'urgent' }));
  const fillerUid = ok(['get', 'pod', 'filler', '-o', 'jsonpath={.metadata.uid}']);
  assert.ok(
    await eventually(() => c.kubectl(['get', 'pod', 'filler']).code !== 0, 30_000),
    'the filler was preempted',
  );
  await boundToNode('vip');
  const vip = JSON.parse(ok(['get', 'pod', 'vip', '-o', 'json'])) as {
    metadata: { uid: string };
    spec: { priority: number };
    status: { nominatedNodeName?: string };
  };
  assert.equal(vip.spec.priority, 1_000_000);
  assert.equal(vip.status.nominatedNodeName, node, 'preemption nominated the node');
  const events = ok([
    'get',
    'events',
    '--field-selector',
    `reason=Preempted,involvedObject.uid=${fillerUid}`,
    '-o',
    'jsonpath={.items[*].message}',
  ]);
  assert.equal(events, `Preempted by pod ${vip.metadata.uid} on node ${node}`);
  ok(['delete', 'pod', 'vip', '--wait=false']);
  ok(['delete', 'priorityclass', 'urgent']);
});
