// The controllers through the real kubectl 1.32 against berthd --kubernetes: Deployments make
// ReplicaSets and pods, scale, keep a rollout history; deleting a Deployment takes its ReplicaSets and
// pods (garbage collection); deleting a namespace takes its contents. The assertions are on objects,
// not on pods running (whether a scheduler and kubelet run them is not this test's business).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadBusybox } from '../harness.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
before(async () => {
  c = await startCluster();
  // Pods run: their image is the local busybox, never pulled.
  await loadBusybox(c.daemon);
  await loadBusybox(c.daemon, 'busybox:1.36');
});
after(() => c?.stop());

const ok = (args: string[], input?: string) => c.ok(args, input);

/** The fields of kubectl's JSON these tests read. */
interface Item {
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: { kind: string; name: string }[];
  };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
}

/**
 * A read-modify-replace of the Deployment `web` (a PUT). Without its resourceVersion the PUT is
 * unconditional: the controller writing the status in between does not make it a conflict.
 */
const edit = (change: (d: Item) => void) => {
  const d = JSON.parse(ok(['get', 'deployment', 'web', '-o', 'json']));
  change(d);
  delete d.metadata.resourceVersion;
  ok(['replace', '-f', '-'], JSON.stringify(d));
};

const items = (args: string[]) => (JSON.parse(ok([...args, '-o', 'json'])) as { items: Item[] }).items;

test('create deployment makes a ReplicaSet and its pods; scale; get rs columns; rollout history', async () => {
  // An image the engine lacks and cannot pull (nothing listens on 127.0.0.1:1): the pods never become
  // ready, so rollout status below has something to wait for. (busybox's sh would exit at once and
  // crash-loop, Ready for a moment now and then: the rollout could count all three available.)
  ok(['create', 'deployment', 'web', '--image=127.0.0.1:1/absent:1', '--replicas=3']);
  assert.ok(
    await eventually(
      () =>
        items(['get', 'rs', '-l', 'app=web']).length === 1 &&
        items(['get', 'pods', '-l', 'app=web']).length === 3,
    ),
    'a ReplicaSet and three pods',
  );
  const [rs] = items(['get', 'rs', '-l', 'app=web']);
  const hash = rs.metadata.labels['pod-template-hash'];
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs.metadata.ownerReferences[0].kind, 'Deployment');
  for (const p of items(['get', 'pods', '-l', 'app=web'])) {
    assert.match(p.metadata.name, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.equal(p.metadata.ownerReferences[0].name, rs.metadata.name);
  }
  const table = ok(['get', 'rs']).trim().split('\n');
  assert.deepEqual(table[0].split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  assert.ok(
    await eventually(() => /^web-\S+\s+3\s+3\s+0\s+\S+$/m.test(ok(['get', 'rs']))),
    ok(['get', 'rs']),
  );

  // The pods cannot start: rollout status waits, reading the status the controller writes.
  const status = c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=2s']);
  assert.notEqual(status.code, 0);
  assert.match(
    status.stdout,
    /Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available\.\.\./,
  );

  // A replace (PUT) of the spec, as an editor would: scaled, no new ReplicaSet.
  edit((d) => {
    d.spec.replicas = 5;
  });
  assert.ok(await eventually(() => items(['get', 'pods', '-l', 'app=web']).length === 5), 'five pods');
  assert.equal(items(['get', 'rs', '-l', 'app=web']).length, 1, 'scaling makes no new ReplicaSet');

  assert.deepEqual(
    ok(['rollout', 'history', 'deployment/web'])
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)),
    [['deployment.apps/web'], ['REVISION', 'CHANGE-CAUSE'], ['1', '<none>']],
  );
  edit((d) => {
    d.spec.template.spec.containers[0].image = 'busybox:1.36';
    d.metadata.annotations = { ...d.metadata.annotations, 'kubernetes.io/change-cause': 'busybox 1.36' };
  });
  assert.ok(await eventually(() => items(['get', 'rs', '-l', 'app=web']).length === 2), 'a second revision');
  const history = ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /^1\s+<none>$/m);
  assert.match(history, /^2\s+busybox 1\.36$/m);
});

// kubectl scale, set image and rollout undo send PATCH requests.
test('kubectl scale, set image, rollout undo', async (t) => {
  ok(['create', 'deployment', 'patched', '--image=busybox', '--replicas=1']);
  t.after(() => c.kubectl(['delete', 'deployment', 'patched']));
  ok(['scale', 'deployment', 'patched', '--replicas=2']);
  assert.ok(await eventually(() => items(['get', 'pods', '-l', 'app=patched']).length === 2), 'two pods');
  ok(['set', 'image', 'deployment/patched', 'busybox=busybox:1.36']);
  assert.ok(await eventually(() => items(['get', 'rs', '-l', 'app=patched']).length === 2), 'revision 2');
  ok(['rollout', 'undo', 'deployment/patched']);
  assert.ok(
    await eventually(() =>
      items(['get', 'rs', '-l', 'app=patched']).some(
        (rs) =>
          rs.metadata.annotations['deployment.kubernetes.io/revision'] === '3' &&
          rs.spec.template.spec.containers[0].image === 'busybox',
      ),
    ),
    'the first ReplicaSet is revision 3',
  );
});

test('kubectl delete deployment takes its ReplicaSets and pods', async () => {
  ok(['delete', 'deployment', 'web']);
  assert.ok(
    await eventually(
      () =>
        items(['get', 'rs', '-l', 'app=web']).length === 0 &&
        items(['get', 'pods', '-l', 'app=web']).length === 0,
    ),
    `ReplicaSets and pods gone: ${ok(['get', 'rs,pods'])}`,
  );
});

test('kubectl delete namespace takes everything in it, then the namespace', async () => {
  ok(['create', 'namespace', 'scratch']);
  ok(['-n', 'scratch', 'create', 'deployment', 'app', '--image=busybox', '--replicas=2']);
  ok(['-n', 'scratch', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
  ok(['-n', 'scratch', 'create', 'service', 'clusterip', 'app', '--tcp=80:8080']);
  assert.ok(await eventually(() => items(['-n', 'scratch', 'get', 'pods']).length === 2), 'two pods');
  // kubectl waits until the namespace is gone.
  ok(['delete', 'namespace', 'scratch', '--timeout=30s']);
  const r = c.kubectl(['get', 'namespace', 'scratch']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /namespaces "scratch" not found/);
  for (const kind of ['deployments', 'replicasets', 'pods', 'configmaps', 'services', 'endpoints'])
    assert.equal(items(['get', kind, '-A', '--field-selector=metadata.namespace=scratch']).length, 0, kind);
});
