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
