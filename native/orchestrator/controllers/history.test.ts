import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../apiserver/patch/json.ts';
import { Shapes } from '../apiserver/patch/shape.ts';
import { strategicMerge } from '../apiserver/patch/strategic.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { SchemaCatalog } from '../apiserver/schema/index.ts';
import { type KindRef, Kinds } from '../client/client.ts';
import { DaemonSetController } from './daemonset.ts';
import { templateHash } from './deployment-util.ts';
import { StatefulSetController } from './statefulset.ts';
import { eventually, podsOf, runPod, type TestCluster, template, testCluster } from './testing.ts';

const shapes = new Shapes(new SchemaCatalog());

const revisionsOf = async (t: TestCluster) =>
  (await t.client.list(Kinds.ControllerRevision, { namespace: 'default' })).items.sort(
    (a, b) => Number(a.revision) - Number(b.revision),
  );

/** A read-modify-write of the owner, again when the controller's status write came in between. */
async function change(t: TestCluster, kind: KindRef, name: string, edit: (o: KubeObject) => KubeObject) {
  for (;;) {
    try {
      return await t.client.update(kind, edit((await t.client.get(kind, 'default', name))!));
    } catch (err) {
      if (!/the object has been modified/.test(String(err))) throw err;
    }
  }
}

const setImage = (t: TestCluster, kind: KindRef, name: string, image: string) =>
  change(t, kind, name, (cur) => {
    const tmpl = cur.spec!.template as { spec: { containers: { image: string }[] } };
    tmpl.spec.containers[0].image = image;
    return cur;
  });

/** What `kubectl rollout undo` does: the revision's data, as a strategic merge patch of the owner. */
const undo = (t: TestCluster, kind: KindRef, name: string, revision: KubeObject) =>
  change(
    t,
    kind,
    name,
    (cur) =>
      strategicMerge(
        cur as JsonObject,
        revision.data as JsonObject,
        shapes.forKind('apps', 'v1', kind.kind),
      ) as KubeObject,
  );

const podImage = (p: KubeObject) => (p.spec as { containers: { image: string }[] }).containers[0].image;

const imageOf = (r: KubeObject) =>
  (r.data as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec
    .containers[0].image;

/** Runs whatever pods there are, ready, until `done` holds (the kubelet's part in a rollout). */
async function rollUntil(t: TestCluster, done: (pods: KubeObject[]) => boolean, what: string) {
  await eventually(
    async () => {
      const pods = await podsOf(t.client);
      for (const p of pods)
        if (!p.metadata?.deletionTimestamp && p.status?.phase !== 'Running') await runPod(t, p);
      for (const p of pods)
        if (p.metadata?.deletionTimestamp)
          await t.client.delete(Kinds.Pod, 'default', p.metadata.name!, { gracePeriodSeconds: 0 });
      return done(pods.filter((p) => !p.metadata?.deletionTimestamp));
    },
    what,
    () => [],
  );
}

const sts = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', annotations: { 'kubernetes.io/change-cause': 'first' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: template({ app: name }, 'img:1'),
    ...extra,
  },
});

test('a StatefulSet keeps a ControllerRevision per template; undo reuses and renumbers one', async () => {
  const t = await testCluster();
  try {
    await t.start(new StatefulSetController());
    const set = await t.client.create(Kinds.StatefulSet, sts('db'));
    const [first] = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.length === 1 && r;
    }, 'the first revision');
    assert.match(first.metadata!.name!, /^db-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    assert.equal(first.revision, 1);
    assert.deepEqual(first.metadata?.labels, {
      app: 'db',
      'controller-revision-hash': first.metadata!.name!.slice(3),
    });
    assert.deepEqual(first.metadata?.annotations, { 'kubernetes.io/change-cause': 'first' });
    assert.deepEqual(first.metadata?.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'db',
        uid: set.metadata!.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const stored = (await t.client.get(Kinds.StatefulSet, 'default', 'db'))!;
    assert.deepEqual(first.data, { spec: { template: { ...stored.spec!.template!, $patch: 'replace' } } });
    await rollUntil(t, (p) => p.length === 1, 'db-0 runs');
    const [pod] = await podsOf(t.client);
    assert.equal(pod.metadata?.labels?.['controller-revision-hash'], first.metadata!.name);
    await eventually(
      async () => (await t.client.get(Kinds.StatefulSet, 'default', 'db'))?.status?.currentRevision,
      'status names the revision',
    );
    assert.equal(
      (await t.client.get(Kinds.StatefulSet, 'default', 'db'))?.status?.updateRevision,
      first.metadata!.name,
    );

    await setImage(t, Kinds.StatefulSet, 'db', 'img:2');
    await eventually(async () => (await revisionsOf(t)).length === 2, 'the second revision');
    await setImage(t, Kinds.StatefulSet, 'db', 'img:3');
    const three = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.length === 3 && r;
    }, 'three revisions');
    assert.deepEqual(three.map(imageOf), ['img:1', 'img:2', 'img:3']);
    assert.deepEqual(
      three.map((r) => r.revision),
      [1, 2, 3],
    );
    await rollUntil(
      t,
      (p) =>
        p.length === 1 && p[0].metadata?.labels?.['controller-revision-hash'] === three[2].metadata!.name,
      'db-0 of the third revision',
    );

    // Undo to the first: its revision comes back as number 4, no new object.
    await undo(t, Kinds.StatefulSet, 'db', three[0]);
    const after = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.at(-1)?.metadata?.name === three[0].metadata?.name && r;
    }, 'the first revision renumbered');
    assert.deepEqual(
      after.map((r) => [r.metadata?.name, r.revision]),
      [
        [three[1].metadata?.name, 2],
        [three[2].metadata?.name, 3],
        [three[0].metadata?.name, 4],
      ],
    );
    await rollUntil(
      t,
      (p) =>
        p.length === 1 && p[0].metadata?.labels?.['controller-revision-hash'] === three[0].metadata!.name,
      'db-0 back on the first revision',
    );
    assert.equal(podImage((await podsOf(t.client))[0]), 'img:1');
    await eventually(async () => {
      const st = (await t.client.get(Kinds.StatefulSet, 'default', 'db'))?.status;
      return st?.currentRevision === three[0].metadata?.name && st?.updateRevision === st?.currentRevision;
    }, 'status current and update on the undone revision');
  } finally {
    await t.stop();
  }
});

test('revisionHistoryLimit prunes the oldest revisions no pod uses', async () => {
  const t = await testCluster();
  try {
    await t.start(new StatefulSetController());
    // OnDelete: the pod stays on the first revision, which therefore stays however old it gets.
    await t.client.create(
      Kinds.StatefulSet,
      sts('kv', { revisionHistoryLimit: 1, updateStrategy: { type: 'OnDelete' } }),
    );
    await rollUntil(t, (p) => p.length === 1, 'kv-0 runs');
    for (const image of ['img:2', 'img:3', 'img:4']) {
      await setImage(t, Kinds.StatefulSet, 'kv', image);
      await eventually(
        async () => (await revisionsOf(t)).some((r) => imageOf(r) === image),
        `a revision of ${image}`,
      );
    }
    const kept = await eventually(
      async () => {
        const r = await revisionsOf(t);
        return r.length === 3 && r;
      },
      'the pod’s, the newest and one more',
      () => [],
    );
    assert.deepEqual(kept.map(imageOf), ['img:1', 'img:3', 'img:4']);
    assert.deepEqual(
      kept.map((r) => r.revision),
      [1, 3, 4],
    );
  } finally {
    await t.stop();
  }
});

test('a DaemonSet keeps a ControllerRevision per template, its hash on the pods; undo renumbers', async () => {
  const t = await testCluster();
  try {
    await t.client.create(Kinds.Node, { metadata: { name: 'n1' } });
    await t.start(new DaemonSetController());
    const ds = await t.client.create(Kinds.DaemonSet, {
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }, 'img:1') },
    });
    const [first] = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.length === 1 && r;
    }, 'the first revision');
    const hash = first.metadata?.labels?.['controller-revision-hash'];
    assert.equal(first.metadata?.name, `agent-${hash}`);
    assert.equal(first.revision, 1);
    assert.equal(first.metadata?.ownerReferences?.[0]?.uid, ds.metadata?.uid);
    await rollUntil(t, (p) => p.length === 1, 'the daemon runs');
    assert.equal((await podsOf(t.client))[0].metadata?.labels?.['controller-revision-hash'], hash);

    await setImage(t, Kinds.DaemonSet, 'agent', 'img:2');
    const two = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.length === 2 && r;
    }, 'two revisions');
    await rollUntil(t, (p) => p.length === 1 && podImage(p[0]) === 'img:2', 'the daemon of img:2');
    await undo(t, Kinds.DaemonSet, 'agent', two[0]);
    const after = await eventually(async () => {
      const r = await revisionsOf(t);
      return r.at(-1)?.revision === 3 && r;
    }, 'the first revision renumbered to 3');
    assert.deepEqual(
      after.map((r) => [r.metadata?.name, r.revision]),
      [
        [two[1].metadata?.name, 2],
        [first.metadata?.name, 3],
      ],
    );
    await rollUntil(
      t,
      (p) => p.length === 1 && p[0].metadata?.labels?.['controller-revision-hash'] === hash,
      'the daemon back on the first template',
    );
  } finally {
    await t.stop();
  }
});

test('a ControllerRevision needs data and a revision; its data never changes', async () => {
  const t = await testCluster();
  try {
    await assert.rejects(
      t.client.create(Kinds.ControllerRevision, { metadata: { name: 'r', namespace: 'default' } }),
      /data: Required value[\s\S]*revision: Required value/,
    );
    const r = await t.client.create(Kinds.ControllerRevision, {
      metadata: { name: 'r', namespace: 'default' },
      data: { a: 1 },
      revision: 1,
    });
    const renumbered = await t.client.update(Kinds.ControllerRevision, { ...r, revision: 2 });
    assert.equal(renumbered.revision, 2);
    await assert.rejects(
      t.client.update(Kinds.ControllerRevision, { ...renumbered, data: { a: 2 } }),
      /data: Invalid value.*field is immutable/,
    );
  } finally {
    await t.stop();
  }
});

test('a name taken by another template (a hash collision) moves to the next collision count', async () => {
  const t = await testCluster();
  try {
    const set = await t.client.create(Kinds.StatefulSet, sts('db'));
    const taken = `db-${templateHash(set.spec!.template)}`;
    await t.client.create(Kinds.ControllerRevision, {
      metadata: { name: taken, namespace: 'default' },
      data: { other: true },
      revision: 1,
    });
    await t.start(new StatefulSetController());
    const st = await eventually(async () => {
      const s = (await t.client.get(Kinds.StatefulSet, 'default', 'db'))?.status;
      return s?.updateRevision ? s : undefined;
    }, 'an update revision');
    assert.equal(st.collisionCount, 1);
    assert.equal(st.updateRevision, `db-${templateHash(set.spec!.template, 1)}`);
    const mine = (await t.client.get(Kinds.ControllerRevision, 'default', String(st.updateRevision)))!;
    assert.equal(mine.metadata?.ownerReferences?.[0]?.uid, set.metadata?.uid);
    assert.equal(mine.revision, 1);
    const [pod] = await eventually(() => podsOf(t.client).then((p) => p.length === 1 && p), 'db-0');
    assert.equal(pod.metadata?.labels?.['controller-revision-hash'], st.updateRevision);
  } finally {
    await t.stop();
  }
});
