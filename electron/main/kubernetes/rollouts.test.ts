import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandlerError } from '../ipc/errors.ts';
import { controllerHistory, controllerUndoPlan, history, ownedReplicaSets, undoPlan } from './rollouts.ts';
import type { RawObject } from './rows.ts';

const template = (image: string, hash: string) => ({
  metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
  spec: { containers: [{ name: 'web', image }] },
});
const rs = (
  revision: number,
  image: string,
  hash: string,
  extra: Record<string, string> = {},
): RawObject => ({
  metadata: {
    name: `web-${hash}`,
    uid: `rs-${hash}`,
    creationTimestamp: `2024-05-0${revision}T10:00:00Z`,
    annotations: { 'deployment.kubernetes.io/revision': String(revision), ...extra },
    ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }],
  },
  spec: { template: template(image, hash) },
});
const deployment = (image: string, revision: number): RawObject => ({
  metadata: {
    name: 'web',
    uid: 'd1',
    annotations: {
      'deployment.kubernetes.io/revision': String(revision),
      'kubernetes.io/change-cause': 'now',
    },
  },
  spec: {
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
const sets = [
  rs(1, 'nginx:1.24', 'aaa', { 'kubernetes.io/change-cause': 'first' }),
  rs(3, 'nginx:1.26', 'ccc'),
  rs(2, 'nginx:1.25', 'bbb'),
  { ...rs(9, 'x', 'zzz'), metadata: { ...rs(9, 'x', 'zzz').metadata, ownerReferences: [] } },
];

describe('rollout history and undo', () => {
  test('history: the owned ReplicaSets by revision, with change causes, images and the current one', () => {
    const owned = ownedReplicaSets(deployment('nginx:1.26', 3), sets);
    assert.equal(owned.length, 3);
    assert.deepEqual(history(deployment('nginx:1.26', 3), owned), [
      {
        revision: 1,
        changeCause: 'first',
        images: ['nginx:1.24'],
        createdAt: '2024-05-01T10:00:00Z',
        current: false,
      },
      { revision: 2, images: ['nginx:1.25'], createdAt: '2024-05-02T10:00:00Z', current: false },
      { revision: 3, images: ['nginx:1.26'], createdAt: '2024-05-03T10:00:00Z', current: true },
    ]);
  });

  test('undo without a revision goes to the one before the newest: its template (no hash label) and annotations', () => {
    const d = deployment('nginx:1.26', 3);
    const plan = undoPlan(d, ownedReplicaSets(d, sets));
    assert.equal(plan.revision, 2);
    assert.deepEqual(plan.patch, [
      {
        op: 'replace',
        path: '/spec/template',
        value: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
        },
      },
      // The Deployment keeps its own revision; the ReplicaSet's other annotations (none here but the
      // revision, skipped) replace the rest, so the old change-cause goes.
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
    ]);
    const to1 = undoPlan(d, ownedReplicaSets(d, sets), 1);
    assert.equal(to1.revision, 1);
    assert.deepEqual((to1.patch![1] as { value: unknown }).value, {
      'deployment.kubernetes.io/revision': '3',
      'kubernetes.io/change-cause': 'first',
    });
  });

  test('undo to the template the Deployment has already patches nothing; missing history or revision is an error', () => {
    const d = deployment('nginx:1.25', 3);
    assert.deepEqual(undoPlan(d, ownedReplicaSets(d, sets), 2), { revision: 2, patch: null });
    assert.throws(
      () => undoPlan(d, ownedReplicaSets(d, sets), 7),
      /unable to find specified revision 7 in history/,
    );
    assert.throws(
      () => undoPlan(d, [sets[0]]),
      (e: unknown) =>
        e instanceof HandlerError && e.message === 'no rollout history found for deployment "web"',
    );
    const paused = { ...d, spec: { ...d.spec, paused: true } };
    assert.throws(() => undoPlan(paused, sets), /cannot rollback a paused deployment/);
  });
});

describe('a StatefulSet’s and a DaemonSet’s history: its ControllerRevisions', () => {
  const tpl = (image: string) => ({
    metadata: { labels: { app: 'db' } },
    spec: { containers: [{ name: 'db', image }] },
  });
  const revision = (n: number, image: string, owner = 's1', cause?: string): RawObject => ({
    metadata: {
      name: `db-${image.replace(/\W/g, '')}`,
      uid: `cr-${n}`,
      creationTimestamp: `2024-06-0${n}T10:00:00Z`,
      ...(cause ? { annotations: { 'kubernetes.io/change-cause': cause } } : {}),
      ownerReferences: [{ kind: 'StatefulSet', name: 'db', uid: owner, controller: true }],
    },
    revision: n,
    data: { spec: { template: { ...tpl(image), $patch: 'replace' } } },
  });
  const revisions = [
    revision(2, 'postgres:16', 's1', 'upgrade'),
    revision(1, 'postgres:15'),
    revision(1, 'redis:7', 'someone-else'),
  ];
  const sts = (image: string, update?: string): RawObject => ({
    metadata: { name: 'db', uid: 's1' },
    spec: { template: tpl(image) },
    status: update ? { updateRevision: update } : {},
  });

  test('its own revisions, oldest first; current is the update revision, else the newest', () => {
    assert.deepEqual(controllerHistory(sts('postgres:16', 'db-postgres16'), revisions), [
      { revision: 1, images: ['postgres:15'], createdAt: '2024-06-01T10:00:00Z', current: false },
      {
        revision: 2,
        changeCause: 'upgrade',
        images: ['postgres:16'],
        createdAt: '2024-06-02T10:00:00Z',
        current: true,
      },
    ]);
    const ds = controllerHistory(sts('postgres:16'), revisions);
    assert.deepEqual(
      ds.map((r) => r.current),
      [false, true],
    );
  });

  test('undo sends the chosen revision’s data as it is; the template it already has is no change', () => {
    const plan = controllerUndoPlan('statefulsets', sts('postgres:16'), revisions);
    assert.equal(plan.revision, 1);
    assert.deepEqual(plan.patch, { spec: { template: { ...tpl('postgres:15'), $patch: 'replace' } } });
    assert.deepEqual(controllerUndoPlan('statefulsets', sts('postgres:16'), revisions, 2), {
      revision: 2,
      patch: null,
    });
    assert.throws(
      () => controllerUndoPlan('daemonsets', sts('postgres:16'), revisions, 7),
      /unable to find specified revision 7 in history/,
    );
    assert.throws(
      () => controllerUndoPlan('daemonsets', sts('postgres:16'), [revisions[0]]),
      /no last revision to roll back to for daemonset "db"/,
    );
  });
});
