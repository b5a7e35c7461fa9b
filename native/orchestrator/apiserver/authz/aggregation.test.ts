import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../registry.ts';
import { aggregatedRules, fillAggregated } from './aggregation.ts';
import { bootstrapClusterRoles, reconcileDefaultRole } from './bootstrap-policy.ts';

const role = (name: string, labels: Record<string, string>, rules: unknown[], aggregationRule?: unknown) =>
  ({ metadata: { name, labels }, rules, ...(aggregationRule ? { aggregationRule } : {}) }) as KubeObject;
const rule = (resource: string, verbs = ['get']) => ({ apiGroups: [''], resources: [resource], verbs });

test("an aggregated role holds its matches' rules, by name, each once, never its own", () => {
  const agg = role('agg', { pick: 'yes' }, [rule('stale')], {
    clusterRoleSelectors: [
      { matchLabels: { pick: 'yes' } },
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
    ],
  });
  const all = [
    agg,
    role('zeta', { pick: 'yes' }, [rule('pods'), rule('secrets')]),
    role('alpha', { tier: 'a' }, [rule('secrets'), rule('configmaps')]),
    role('Beta', { pick: 'yes' }, [rule('nodes')]),
    role('other', { pick: 'no' }, [rule('leases')]),
  ];
  // Go's byte order: upper case before lower case.
  assert.deepEqual(aggregatedRules(agg, all), [
    rule('nodes'),
    rule('secrets'),
    rule('configmaps'),
    rule('pods'),
  ]);
  const everything = role('all', {}, [], { clusterRoleSelectors: [{}] });
  assert.equal(aggregatedRules(everything, all).length, 7 - 1, 'an empty selector matches every other role');
  assert.deepEqual(aggregatedRules(role('none', {}, [], { clusterRoleSelectors: [] }), all), []);
});

test('the default view, edit and admin start filled: view within edit within admin; secrets only from edit up', () => {
  const byName = new Map(bootstrapClusterRoles.map((r) => [r.metadata!.name!, r]));
  const keys = (name: string) =>
    new Set((byName.get(name)!.rules as unknown[]).map((r) => JSON.stringify(r)));
  const [view, edit, admin] = [keys('view'), keys('edit'), keys('admin')];
  assert.ok(view.size > 5);
  for (const k of view) assert.ok(edit.has(k), `edit has view's ${k}`);
  for (const k of edit) assert.ok(admin.has(k), `admin has edit's ${k}`);
  assert.ok(edit.size > view.size && admin.size > edit.size);
  assert.ok(![...view].some((k) => k.includes('"secrets"')), 'view reads no secrets');
  assert.ok([...edit].some((k) => k.includes('"secrets"')));
  for (const name of ['view', 'edit', 'admin'])
    assert.deepEqual(byName.get(name)!.aggregationRule, {
      clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${name}`]: 'true' } }],
    });
  // The controller, run over the defaults, changes nothing.
  assert.deepEqual(fillAggregated(bootstrapClusterRoles), bootstrapClusterRoles);
});

test('a default role stored by an older berthd is reconciled; one a user marked autoupdate=false is theirs', () => {
  const wantedView = bootstrapClusterRoles.find((r) => r.metadata?.name === 'view')!;
  const oldView = {
    metadata: {
      name: 'view',
      resourceVersion: '7',
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    rules: [rule('pods', ['get', 'list', 'watch'])],
  } as KubeObject;
  const next = reconcileDefaultRole(oldView, wantedView)!;
  assert.deepEqual(next.aggregationRule, wantedView.aggregationRule);
  assert.deepEqual(next.rules, [], 'the controller fills them');
  assert.equal(next.metadata?.labels?.['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
  assert.equal(next.metadata?.resourceVersion, '7');
  assert.equal(reconcileDefaultRole(wantedView, wantedView), undefined, 'as wanted: nothing to write');

  const mine = structuredClone(oldView);
  mine.metadata!.annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
  assert.equal(reconcileDefaultRole(mine, wantedView), undefined);

  const wantedBasic = bootstrapClusterRoles.find((r) => r.metadata?.name === 'system:basic-user')!;
  const trimmed = { ...structuredClone(wantedBasic), rules: [rule('extra')] };
  const fixed = reconcileDefaultRole(trimmed, wantedBasic)!;
  assert.deepEqual(
    fixed.rules,
    [rule('extra'), ...(wantedBasic.rules as unknown[])],
    'missing rules added, others kept',
  );
});
