import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../core/clock.ts';
import { bootstrap } from '../apiserver/main.ts';
import { Kinds } from '../client/client.ts';
import { testApi } from '../testing.ts';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.ts';

const crontabs = {
  apiGroups: ['stable.example.com'],
  resources: ['crontabs'],
  verbs: ['get', 'list', 'watch'],
};
const has = (rules: unknown, r: unknown) =>
  Array.isArray(rules) && rules.some((x) => JSON.stringify(x) === JSON.stringify(r));

test('a role labelled aggregate-to-view reaches view, edit and admin; changed and removed, it leaves them', async () => {
  const t = await testApi({ clock: systemClock, admission: 'api' });
  const part = new ClusterRoleAggregationController();
  part.start(t.env);
  const rulesOf = async (name: string) => (await t.client.get(Kinds.ClusterRole, undefined, name))?.rules;
  const settle = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) {
      await new Promise((r) => setTimeout(r, 10));
      await part.idle();
    }
  };
  try {
    await t.informers.synced();
    const viewBefore = await rulesOf('view');
    await t.client.create(Kinds.ClusterRole, {
      metadata: { name: 'crontab-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [crontabs],
    });
    await settle(async () => has(await rulesOf('admin'), crontabs));
    for (const name of ['view', 'edit', 'admin']) assert.ok(has(await rulesOf(name), crontabs), name);

    const writer = { ...crontabs, verbs: ['create'] };
    const reader = await t.client.get(Kinds.ClusterRole, undefined, 'crontab-reader');
    await t.client.update(Kinds.ClusterRole, { ...reader!, rules: [writer] });
    await settle(async () => has(await rulesOf('view'), writer));
    assert.ok(!has(await rulesOf('view'), crontabs), 'the old rule left');

    await t.client.delete(Kinds.ClusterRole, undefined, 'crontab-reader');
    await settle(async () => !has(await rulesOf('admin'), writer));
    assert.deepEqual(await rulesOf('view'), viewBefore, 'view is as it was');
    assert.ok(!has(await rulesOf('edit'), writer));
  } finally {
    part.stop();
    t.close();
  }
});

test('a second start reconciles without writing anything', async () => {
  const t = await testApi({ clock: systemClock });
  try {
    const versions = async () =>
      (await t.client.list(Kinds.ClusterRole)).items.map(
        (r) => `${r.metadata?.name}@${r.metadata?.resourceVersion}`,
      );
    const before = await versions();
    await bootstrap(t.ctx, t.registry);
    assert.deepEqual(await versions(), before);
  } finally {
    t.close();
  }
});
