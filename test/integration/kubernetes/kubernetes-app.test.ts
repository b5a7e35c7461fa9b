// The app's Kubernetes handlers against two real berthd clusters (--kubernetes), kubectl preparing the
// state and checking what the handlers did: live lists, actions, contexts, RBAC, a cluster going away.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { KubeListParams, KubeRow, KubeWatchEvent, PodRow } from '../../../electron/contract/index.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from '../../../electron/main/ipc/handlers.ts';
import {
  Kubernetes,
  kubernetesHandlers,
  kubernetesStreams,
} from '../../../electron/main/kubernetes/kubernetes.ts';
import { loadBusybox } from '../../conformance/harness.ts';
import { type Cluster, startCluster } from '../../conformance/kubernetes/cluster.ts';

/** A kube.watch stream's rows as the screen would hold them, and every event it got. */
class Watch {
  rows = new Map<string, KubeRow>();
  events: KubeWatchEvent[] = [];
  private waiters: (() => void)[] = [];
  readonly stop: () => void;
  constructor(h: Handlers, params: KubeListParams) {
    this.stop = dispatchStream(h, 'kube.watch', params, (m) => {
      if (m.type !== 'event') return;
      const e = m.event;
      this.events.push(e);
      if (e.type === 'snapshot') this.rows = new Map(e.rows.map((r) => [r.uid, r]));
      if (e.type === 'changes') {
        for (const r of e.upserts) this.rows.set(r.uid, r);
        for (const uid of e.deletes) this.rows.delete(uid);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
  get state() {
    return this.events.filter((e) => e.type === 'state').at(-1);
  }
  /** Waits until `check` holds after an event (or now). */
  async until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-5))}`,
        );
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  pods(): PodRow[] {
    return [...this.rows.values()].filter((r): r is PodRow => r.kind === 'pods');
  }
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox:latest
        command: [sleep, '3600']
        readinessProbe:
          exec: {command: [test, -f, /tmp/ready]}
          periodSeconds: 1
`;

let a: Cluster;
let b: Cluster;
let dir: string;
let userFile: string;
let otherFile: string;
let k: Kubernetes;
let h: Handlers;

before(async () => {
  // One after the other: the second cluster picks a service range clear of the first one's addresses.
  a = await startCluster();
  b = await startCluster();
  await Promise.all([loadBusybox(a.daemon), loadBusybox(b.daemon)]);
  dir = mkdtempSync('/tmp/bt-kube-app-');
  // The user's kubeconfig: Berth's cluster as `berth` (with a comment kubectl would keep), and in a
  // second file another cluster (`other`) and an RBAC-limited user of Berth's cluster (`limited`).
  userFile = path.join(dir, 'config');
  writeFileSync(userFile, `# the user's own file\n${readFileSync(a.kubeconfig, 'utf8')}`);
  a.ok(['create', 'serviceaccount', 'viewer']);
  a.ok(['create', 'role', 'cm-reader', '--verb=get,list,watch', '--resource=configmaps']);
  a.ok(['create', 'rolebinding', 'viewer-cm', '--role=cm-reader', '--serviceaccount=default:viewer']);
  // berthd issues service-account tokens to pods (no TokenRequest API for kubectl create token): the
  // token is the one a pod running as the ServiceAccount gets.
  a.ok([
    'run',
    'token-holder',
    '--image=busybox:latest',
    '--restart=Never',
    '--overrides={"spec":{"serviceAccountName":"viewer"}}',
    '--',
    'sleep',
    '3600',
  ]);
  a.ok(['wait', '--for=condition=Ready', 'pod/token-holder', '--timeout=60s']);
  const token = a
    .ok(['exec', 'token-holder', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])
    .trim();
  const bCfg = parse(readFileSync(b.kubeconfig, 'utf8')) as {
    clusters: { name: string; cluster: unknown }[];
    users: { name: string; user: unknown }[];
  };
  otherFile = path.join(dir, 'other');
  writeFileSync(
    otherFile,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'other', cluster: bCfg.clusters[0].cluster }],
      users: [
        { name: 'other', user: bCfg.users[0].user },
        { name: 'limited', user: { token } },
      ],
      contexts: [
        { name: 'other', context: { cluster: 'other', user: 'other' } },
        { name: 'limited', context: { cluster: 'berth', user: 'limited', namespace: 'default' } },
      ],
    }),
  );
  k = new Kubernetes({ env: { KUBECONFIG: `${userFile}${path.delimiter}${otherFile}`, HOME: dir } });
  h = { invoke: kubernetesHandlers(k), streams: kubernetesStreams(k) } as unknown as Handlers;
});

after(async () => {
  k?.dispose();
  await Promise.all([a?.stop(), b?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const invoke = async <C extends Parameters<typeof dispatchInvoke>[1]>(
  channel: C,
  req: Parameters<typeof dispatchInvoke<C>>[2],
) => {
  const r = await dispatchInvoke(h, channel, req);
  if (!r.ok) assert.fail(`${channel}: ${JSON.stringify(r.error)}`);
  return r.value;
};

describe('contexts', () => {
  test("Berth's context first, the other files' after; the app's choice is not written anywhere", async () => {
    const v = await invoke('kube.contexts', undefined);
    assert.deepEqual(
      v.contexts.map((c) => [c.name, c.berth, c.current]),
      [
        ['berth', true, true],
        ['other', false, false],
        ['limited', false, false],
      ],
    );
    assert.equal(v.active, 'berth');
    assert.deepEqual(v.files, [userFile, otherFile]);
    const before = readFileSync(userFile, 'utf8');
    const chosen = await invoke('kube.setActiveContext', { context: 'other' });
    assert.equal(chosen.active, 'other');
    assert.equal(readFileSync(userFile, 'utf8'), before);
    await invoke('kube.setActiveContext', { context: 'berth' });
  });

  test('the second cluster lists its own pods', async () => {
    b.ok(['run', 'only-in-b', '--image=busybox:latest', '--restart=Never', '--', 'sleep', '3600']);
    const w = new Watch(h, { context: 'other', kind: 'pods', namespace: 'default' });
    try {
      await w.until(() => w.pods().some((p) => p.name === 'only-in-b'), "the other cluster's pod");
      const onA = new Watch(h, { context: 'berth', kind: 'pods', namespace: 'default' });
      await onA.until(() => onA.state?.type === 'state' && onA.state.state === 'live', 'berth live');
      assert.ok(!onA.pods().some((p) => p.name === 'only-in-b'));
      onA.stop();
    } finally {
      w.stop();
    }
  });

  test('kube.useContext writes current-context and nothing else', async () => {
    const before = readFileSync(userFile, 'utf8');
    const other = readFileSync(otherFile, 'utf8');
    const v = await invoke('kube.useContext', { context: 'other' });
    assert.equal(v.contexts.find((c) => c.current)?.name, 'other');
    assert.equal(
      readFileSync(userFile, 'utf8'),
      before.replace(/^current-context: berth$/m, 'current-context: other'),
    );
    assert.notEqual(before, readFileSync(userFile, 'utf8'));
    assert.equal(readFileSync(otherFile, 'utf8'), other);
    assert.equal(a.kubectl(['--kubeconfig', userFile, 'config', 'current-context']).stdout.trim(), 'other');
  });
});

describe("workloads on Berth's cluster", () => {
  let pods: Watch;
  before(() => {
    a.ok(['apply', '-f', '-'], deployment);
    pods = new Watch(h, { context: 'berth', kind: 'pods', namespace: 'default', labelSelector: 'app=web' });
  });
  after(() => pods?.stop());

  test("the watch shows the Deployment's pods and their readiness changing", async () => {
    await pods.until(
      () => pods.pods().length === 2 && pods.pods().every((p) => p.status === 'Running' && p.ready === 0),
      'two running, unready pods',
    );
    assert.equal(pods.state?.type === 'state' && pods.state.state, 'live');
    const [first] = pods.pods();
    assert.equal(first.owner?.kind, 'ReplicaSet');
    assert.equal(first.total, 1);
    a.ok(['exec', first.name, '--', 'touch', '/tmp/ready']);
    await pods.until(() => pods.pods().find((p) => p.name === first.name)?.ready === 1, 'the pod ready');
    assert.equal(pods.pods().filter((p) => p.ready === 1).length, 1);
  });

  test('scale is seen by kubectl and the watch', async () => {
    await invoke('kube.scale', {
      context: 'berth',
      kind: 'deployments',
      namespace: 'default',
      name: 'web',
      replicas: 3,
    });
    assert.equal(a.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
    await pods.until(() => pods.pods().filter((p) => !p.deleting).length === 3, 'three pods');
  });

  test('detail: YAML without managedFields, containers of the template', async () => {
    const v = await invoke('kube.get', {
      context: 'berth',
      kind: 'deployments',
      namespace: 'default',
      name: 'web',
    });
    assert.match(v.yaml, /^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n/);
    assert.ok(!v.yaml.includes('managedFields'));
    assert.deepEqual(
      v.containers.map((c) => [c.name, c.image]),
      [['web', 'busybox:latest']],
    );
    assert.ok(v.conditions.some((c) => c.type === 'Available'));
  });

  test('restart, history and undo as kubectl sees them', async () => {
    await invoke('kube.restart', {
      context: 'berth',
      kind: 'deployments',
      namespace: 'default',
      name: 'web',
    });
    const at = a.ok([
      'get',
      'deploy',
      'web',
      '-o',
      'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
    ]);
    assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await waitFor(() => revisionOf() === '2', 'revision 2');
    const history = await invoke('kube.rolloutHistory', {
      context: 'berth',
      namespace: 'default',
      name: 'web',
    });
    assert.deepEqual(
      history.map((r) => [r.revision, r.current]),
      [
        [1, false],
        [2, true],
      ],
    );
    const undone = await invoke('kube.rollback', { context: 'berth', namespace: 'default', name: 'web' });
    assert.equal(undone.revision, 1);
    assert.equal(
      a.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations}']),
      '',
      'the template of revision 1 (no restartedAt)',
    );
    await waitFor(() => revisionOf() === '3', 'revision 3');
  });

  test('a StatefulSet’s history and undo: its ControllerRevisions, as kubectl rollout sees them', async () => {
    a.ok(
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: 0
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "busybox:1.36", command: [sleep, "3600"]}]}
`,
    );
    a.ok(['set', 'image', 'statefulset/db', 'db=busybox:1.37']);
    const revisions = () =>
      invoke('kube.rolloutHistory', {
        context: 'berth',
        namespace: 'default',
        name: 'db',
        kind: 'statefulsets',
      });
    await waitFor(async () => (await revisions()).length === 2, 'two revisions');
    assert.deepEqual(
      (await revisions()).map((r) => [r.revision, r.images.join(), r.current]),
      [
        [1, 'busybox:1.36', false],
        [2, 'busybox:1.37', true],
      ],
    );
    const undone = await invoke('kube.rollback', {
      context: 'berth',
      namespace: 'default',
      name: 'db',
      kind: 'statefulsets',
    });
    assert.equal(undone.revision, 1);
    assert.equal(
      a.ok(['get', 'sts', 'db', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
      'busybox:1.36',
    );
    // kubectl agrees: revision 1 came back as the newest, 3.
    await waitFor(
      () => /^3\s/m.test(a.ok(['rollout', 'history', 'statefulset/db'])),
      'kubectl rollout history shows revision 3',
    );
    await assert.rejects(
      invoke('kube.rollback', {
        context: 'berth',
        namespace: 'default',
        name: 'db',
        kind: 'statefulsets',
        revision: 9,
      }),
      /unable to find specified revision 9 in history/,
    );
    a.ok(['delete', 'statefulset', 'db']);
  });

  test('delete answers per name; kubectl no longer finds the deleted one', async () => {
    // A pod of its own (the Deployment's come and go with the rollouts above), in the watched list.
    const victim = 'doomed';
    a.ok([
      'run',
      victim,
      '--image=busybox:latest',
      '--labels=app=web',
      '--restart=Never',
      '--overrides={"spec":{"terminationGracePeriodSeconds":1}}',
      '--',
      'sleep',
      '3600',
    ]);
    await pods.until(() => pods.pods().some((p) => p.name === victim), 'the new pod listed');
    const r = await invoke('kube.delete', {
      context: 'berth',
      kind: 'pods',
      namespace: 'default',
      names: [victim, 'no-such-pod'],
    });
    assert.deepEqual(r.deleted, [victim], JSON.stringify(r.failed));
    assert.deepEqual(r.failed, [{ name: 'no-such-pod', message: 'pods "no-such-pod" not found' }]);
    await waitFor(() => a.kubectl(['get', 'pod', victim]).code !== 0, 'the pod gone');
    await pods.until(() => !pods.pods().some((p) => p.name === victim), 'the pod gone from the list');
  });

  test('a CronJob triggered: a manual Job kubectl sees, owned by the CronJob', async () => {
    a.ok(['create', 'cronjob', 'nightly', '--image=busybox:latest', '--schedule=0 0 1 1 *', '--', 'true']);
    const { job } = await invoke('kube.triggerCronJob', {
      context: 'berth',
      namespace: 'default',
      name: 'nightly',
    });
    const j = JSON.parse(a.ok(['get', 'job', job, '-o', 'json'])) as {
      metadata: { annotations: Record<string, string>; ownerReferences: { kind: string; name: string }[] };
    };
    assert.equal(j.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(
      j.metadata.ownerReferences.map((o) => [o.kind, o.name]),
      [['CronJob', 'nightly']],
    );
  });

  test('secret values and configmap data on demand', async () => {
    a.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=hunter2']);
    a.ok(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    assert.deepEqual(
      await invoke('kube.secretValue', {
        context: 'berth',
        namespace: 'default',
        name: 'creds',
        key: 'password',
      }),
      { value: 'hunter2', binary: false },
    );
    assert.deepEqual(
      await invoke('kube.configMapData', { context: 'berth', namespace: 'default', name: 'settings' }),
      {
        mode: 'fast',
      },
    );
  });
});

describe('problems', () => {
  test('a user forbidden to list pods sees forbidden for pods and still lists configmaps', async () => {
    const p = new Watch(h, { context: 'limited', kind: 'pods', namespace: 'default' });
    const cm = new Watch(h, { context: 'limited', kind: 'configmaps', namespace: 'default' });
    try {
      await p.until(() => p.state?.type === 'state' && p.state.state === 'error', 'forbidden');
      assert.deepEqual(p.state?.type === 'state' && p.state.problem?.kind, 'forbidden');
      assert.match(
        p.state?.type === 'state' ? (p.state.problem?.message ?? '') : '',
        /cannot list resource "pods"/,
      );
      await cm.until(() => cm.state?.type === 'state' && cm.state.state === 'live', 'configmaps live');
      assert.ok([...cm.rows.values()].some((r) => r.name === 'kube-root-ca.crt' || r.name === 'settings'));
    } finally {
      p.stop();
      cm.stop();
    }
  });

  test('a stopped cluster is unreachable; the watch recovers when it is back', async () => {
    const w = new Watch(h, { context: 'other', kind: 'namespaces', namespace: null });
    try {
      await w.until(() => w.state?.type === 'state' && w.state.state === 'live', 'live');
      await b.daemon.stop();
      await w.until(
        () =>
          w.state?.type === 'state' && w.state.state === 'error' && w.state.problem?.kind === 'unreachable',
        'unreachable',
      );
      const states = w.events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state);
      assert.deepEqual(states.slice(-2), ['reconnecting', 'error']);
      await b.daemon.restart(b.args);
      await b.ready();
      const snapshots = w.events.filter((e) => e.type === 'snapshot').length;
      await w.until(() => w.state?.type === 'state' && w.state.state === 'live', 'live again', 90_000);
      assert.ok(w.events.filter((e) => e.type === 'snapshot').length > snapshots, 'relisted');
      assert.ok([...w.rows.values()].some((r) => r.name === 'default'));
    } finally {
      w.stop();
    }
  });
});

function revisionOf(): string {
  return a.ok([
    'get',
    'deploy',
    'web',
    '-o',
    'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
  ]);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
