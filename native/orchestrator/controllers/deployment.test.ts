import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { controllerRef, isPodReady } from './common.ts';
import { DeploymentController } from './deployment.ts';
import { equalIgnoreHash, fenceposts, templateHash } from './deployment-util.ts';
import { ReplicaSetController } from './replicaset.ts';
import { eventually, podsOf, runPod, settle, type TestCluster, template, testCluster } from './testing.ts';

const deployment = (name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: template({ app: name }),
    ...extra,
  },
});

async function setup() {
  const t = await testCluster();
  const dc = new DeploymentController();
  await t.start(new ReplicaSetController(), dc);
  return { t, dc };
}

const getD = async (t: TestCluster, name = 'web') => (await t.client.get(Kinds.Deployment, 'default', name))!;
const sets = async (t: TestCluster) =>
  (await t.client.list(Kinds.ReplicaSet, { namespace: 'default' })).items.sort((a, b) =>
    (a.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '') <
    (b.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '')
      ? -1
      : 1,
  );

/** Plays the kubelet: every pod not yet ready (and not going) runs and becomes ready. */
async function readyAll(t: TestCluster): Promise<number> {
  let n = 0;
  for (const p of await podsOf(t.client)) {
    if (isPodReady(p) || p.metadata?.deletionTimestamp) continue;
    await runPod(t, p).catch(() => {});
    n++;
  }
  return n;
}

/** Deletes pods marked for deletion for good, as the kubelet does once their containers stopped. */
async function reap(t: TestCluster): Promise<void> {
  for (const p of await podsOf(t.client))
    if (p.metadata?.deletionTimestamp)
      await t.client.delete(Kinds.Pod, 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
}

async function edit(t: TestCluster, change: (d: KubeObject) => void, name = 'web') {
  const d = structuredClone(await getD(t, name));
  change(d);
  return t.client.update(Kinds.Deployment, d);
}

const setImage = (image: string) => (d: KubeObject) => {
  const tpl = d.spec!.template as { spec: { containers: { image: string }[] } };
  tpl.spec.containers[0].image = image;
};

const complete = async (t: TestCluster, name = 'web') => {
  const d = await getD(t, name);
  const progressing = (d.status?.conditions as { type: string; reason: string }[] | undefined)?.find(
    (c) => c.type === 'Progressing',
  );
  return (
    d.status?.observedGeneration === d.metadata?.generation &&
    progressing?.reason === 'NewReplicaSetAvailable'
  );
};

/** Drives a rollout to its end, playing the kubelet; returns the largest pod total seen on the way. */
async function rollOut(t: TestCluster): Promise<{ maxPods: number; minAvailable: number }> {
  let maxPods = 0;
  let minAvailable = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 200; i++) {
    const total = (await sets(t)).reduce((n, rs) => n + Number(rs.spec?.replicas ?? 0), 0);
    maxPods = Math.max(maxPods, total);
    const pods = (await podsOf(t.client)).filter((p) => !p.metadata?.deletionTimestamp);
    minAvailable = Math.min(minAvailable, pods.filter(isPodReady).length);
    if (await complete(t)) return { maxPods, minAvailable };
    await readyAll(t);
    await reap(t);
    await settle(10);
  }
  assert.fail(`the rollout never completed: ${JSON.stringify((await getD(t)).status)}`);
}

test('maxSurge and maxUnavailable as Kubernetes rounds them; the hash reads like a real one', () => {
  const d = (replicas: number, maxSurge: unknown, maxUnavailable: unknown) =>
    fenceposts({
      spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
    });
  assert.deepEqual(d(10, '25%', '25%'), { surge: 3, unavailable: 2 });
  assert.deepEqual(d(3, '25%', '25%'), { surge: 1, unavailable: 0 });
  assert.deepEqual(d(3, 0, 0), { surge: 0, unavailable: 1 });
  assert.deepEqual(d(4, 2, '50%'), { surge: 2, unavailable: 2 });
  const tpl = template({ app: 'web' });
  const h = templateHash(tpl);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  assert.equal(templateHash(structuredClone(tpl)), h, 'stable');
  assert.notEqual(templateHash(tpl, 1), h, 'a collision count changes it');
  assert.notEqual(templateHash(template({ app: 'web' }, 'nginx')), h);
  assert.ok(equalIgnoreHash(template({ app: 'web', 'pod-template-hash': h }), tpl));
});

test('a Deployment makes its ReplicaSet and pods, and reports a finished rollout as rollout status reads it', async () => {
  const { t } = await setup();
  const made = await t.client.create(Kinds.Deployment, deployment('web', 3));
  const [rs] = await eventually(async () => {
    const s = await sets(t);
    return s.length === 1 && s;
  }, 'a ReplicaSet');
  const hash = rs.metadata?.labels?.['pod-template-hash'];
  assert.match(hash ?? '', /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  assert.equal(rs.metadata?.name, `web-${hash}`);
  assert.deepEqual(rs.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.metadata?.annotations, {
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  assert.equal(controllerRef(rs)?.uid, made.metadata?.uid);
  assert.equal(rs.spec?.replicas, 3);
  await eventually(async () => (await podsOf(t.client)).length === 3, 'three pods');
  const d = await getD(t);
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');

  await rollOut(t);
  const done = await getD(t);
  assert.deepEqual(
    { ...done.status, conditions: undefined },
    {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: undefined,
    },
  );
  const conds = done.status?.conditions as {
    type: string;
    status: string;
    reason: string;
    message: string;
  }[];
  assert.deepEqual(
    conds.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "web-${hash}" has successfully progressed.`,
      ],
    ],
  );
  // Quiet once done: nothing written.
  await settle(50);
  assert.equal((await getD(t)).metadata?.resourceVersion, done.metadata?.resourceVersion);
  await t.stop();
});

test('a rolling update stays within maxSurge and maxUnavailable and ends on the new ReplicaSet', async () => {
  const { t } = await setup();
  await t.client.create(
    Kinds.Deployment,
    deployment('web', 4, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    }),
  );
  await rollOut(t);
  await edit(t, setImage('nginx'));
  const { maxPods, minAvailable } = await rollOut(t);
  assert.ok(maxPods <= 5, `at most replicas+maxSurge pods wanted at once, saw ${maxPods}`);
  assert.ok(minAvailable >= 3, `at least replicas-maxUnavailable ready at once, saw ${minAvailable}`);
  const [old, next] = await sets(t);
  assert.equal(old.spec?.replicas, 0);
  assert.equal(next.spec?.replicas, 4);
  assert.equal(next.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal((await getD(t)).metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  const pods = (await podsOf(t.client)).filter((p) => !p.metadata?.deletionTimestamp);
  assert.deepEqual(
    pods.map((p) => (p.spec!.containers as { image: string }[])[0].image),
    ['nginx', 'nginx', 'nginx', 'nginx'],
  );
  await t.stop();
});

test('scale changes only the replica count: the ReplicaSet follows, no new revision', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 2));
  await rollOut(t);
  await edit(t, (d) => {
    d.spec!.replicas = 5;
  });
  await eventually(async () => {
    const s = await sets(t);
    return s.length === 1 && s[0].spec?.replicas === 5 && s;
  }, 'the ReplicaSet scaled to 5');
  const [rs] = await sets(t);
  assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
  assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '7');
  assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  await eventually(async () => (await podsOf(t.client)).length === 5, 'five pods');
  await t.stop();
});

test('Recreate: old pods all gone before the new ReplicaSet gets any', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 2, { strategy: { type: 'Recreate' } }));
  await rollOut(t);
  await edit(t, setImage('nginx'));
  const [old] = await eventually(async () => {
    const s = await sets(t);
    return s[0]?.spec?.replicas === 0 && s;
  }, 'the old ReplicaSet at 0');
  // Its pods are terminating (scheduled: the kubelet stops them): no new ReplicaSet yet.
  await settle(30);
  assert.equal((await sets(t)).length, 1, 'no new ReplicaSet while old pods remain');
  assert.ok((await podsOf(t.client)).every((p) => p.metadata?.deletionTimestamp));
  await reap(t);
  const [, next] = await eventually(async () => {
    const s = await sets(t);
    return s.length === 2 && s[1].spec?.replicas === 2 && s;
  }, 'the new ReplicaSet at full size');
  assert.notEqual(next.metadata?.uid, old.metadata?.uid);
  await rollOut(t);
  await t.stop();
});

test('rollout undo (an old template copied back) makes the old ReplicaSet the newest revision', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 2));
  await rollOut(t);
  await edit(t, setImage('nginx'));
  await rollOut(t);
  const [first] = await sets(t);
  // What kubectl rollout undo does: the old ReplicaSet's template, without its hash label.
  await edit(t, (d) => {
    const tpl = structuredClone(first.spec!.template) as { metadata: { labels: Record<string, string> } };
    delete tpl.metadata.labels['pod-template-hash'];
    d.spec!.template = tpl;
  });
  await rollOut(t);
  const all = await sets(t);
  assert.equal(all.length, 2, 'no third ReplicaSet');
  const back = all.find((rs) => rs.metadata?.uid === first.metadata?.uid)!;
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(back.spec?.replicas, 2);
  assert.equal((await getD(t)).metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  await t.stop();
});

test('rollout restart (a restartedAt template annotation) rolls out; old ReplicaSets beyond the history limit go', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 1, { revisionHistoryLimit: 1 }));
  await rollOut(t);
  for (const at of ['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', '2026-01-01T00:00:03Z']) {
    await edit(t, (d) => {
      const tpl = d.spec!.template as { metadata: { annotations?: Record<string, string> } };
      tpl.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': at };
    });
    await rollOut(t);
  }
  const all = await eventually(
    async () => {
      const s = await sets(t);
      return s.length === 2 && s;
    },
    'the new ReplicaSet and one old one',
    async () => (await sets(t)).map((s) => s.metadata?.name),
  );
  assert.deepEqual(
    all.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']),
    ['3', '4'],
  );
  await t.stop();
});

test('a paused Deployment does not roll out, and says so; resumed, it does', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 1));
  await rollOut(t);
  await edit(t, (d) => {
    d.spec!.paused = true;
    setImage('nginx')(d);
  });
  await eventually(async () => {
    const c = ((await getD(t)).status!.conditions as { type: string; reason: string; status: string }[]).find(
      (x) => x.type === 'Progressing',
    );
    return c?.reason === 'DeploymentPaused' && c.status === 'Unknown';
  }, 'Progressing: DeploymentPaused');
  await settle(30);
  assert.equal((await sets(t)).length, 1);
  await edit(t, (d) => {
    d.spec!.paused = false;
  });
  await eventually(async () => (await sets(t)).length === 2, 'the rollout after resume');
  await rollOut(t);
  await t.stop();
});

test('a rollout that makes no progress within progressDeadlineSeconds is ProgressDeadlineExceeded', async () => {
  const { t } = await setup();
  await t.client.create(Kinds.Deployment, deployment('web', 1, { progressDeadlineSeconds: 60 }));
  await eventually(async () => (await podsOf(t.client)).length === 1, 'a pod');
  await settle(30);
  // The pod never becomes ready; the controller wakes up when the deadline has passed.
  await t.clock.advance(61_000);
  await eventually(
    async () => {
      const c = (
        (await getD(t)).status!.conditions as { type: string; reason: string; status: string }[]
      ).find((x) => x.type === 'Progressing');
      return c?.reason === 'ProgressDeadlineExceeded' && c.status === 'False';
    },
    'ProgressDeadlineExceeded',
    async () => (await getD(t)).status,
  );
  await t.stop();
});
