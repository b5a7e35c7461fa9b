import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const tableAccept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
type Status = { message: string; details?: { causes?: { field: string; message: string }[] } };

test('discovery serves the four RBAC kinds with their scopes and verbs', async () => {
  const list = (await s.request('GET', rbac)).json() as {
    resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
  };
  const byName = Object.fromEntries(list.resources.map((r) => [r.name, r]));
  for (const [name, kind, namespaced] of [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
    ['clusterroles', 'ClusterRole', false],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ] as const) {
    assert.equal(byName[name]?.kind, kind);
    assert.equal(byName[name]?.namespaced, namespaced);
    assert.ok(byName[name]?.verbs.includes('create') && byName[name]?.verbs.includes('watch'));
  }
});

test('every cluster has cluster-admin, bound to system:masters', async () => {
  const role = (await s.request('GET', `${rbac}/clusterroles/cluster-admin`)).json() as {
    rules: Record<string, string[]>[];
  };
  assert.deepEqual(role.rules, [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]);
  const binding = (await s.request('GET', `${rbac}/clusterrolebindings/cluster-admin`)).json() as {
    roleRef: Record<string, string>;
    subjects: Record<string, string>[];
  };
  assert.equal(binding.roleRef.name, 'cluster-admin');
  assert.deepEqual(binding.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
  ]);
});

test('names may hold colons (system:…), but not a slash', async () => {
  const ok = await s.request('POST', `${rbac}/clusterroles`, {
    metadata: { name: 'system:example' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });
  assert.equal(ok.status, 201, ok.text);
  const bad = await s.request('POST', `${rbac}/clusterroles`, { metadata: { name: 'a%b' }, rules: [] });
  assert.equal(bad.status, 422);
  assert.match((bad.json() as Status).message, /metadata.name: Invalid value: "a%b": may not contain '%'/);
});

test('rules are checked as Kubernetes checks them', async () => {
  const r = await s.request('POST', `${rbac}/namespaces/default/roles`, {
    metadata: { name: 'bad' },
    rules: [
      { apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ],
  });
  assert.equal(r.status, 422);
  assert.deepEqual(
    (r.json() as Status).details?.causes?.map((c) => `${c.field}: ${c.message}`),
    [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[2].resources: Required value: resource rules must supply at least one resource',
      'rules[3].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ],
  );
  const mixed = await s.request('POST', `${rbac}/clusterroles`, {
    metadata: { name: 'mixed' },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], nonResourceURLs: ['/metrics'] }],
  });
  assert.match(
    (mixed.json() as Status).message,
    /rules\[0\].nonResourceURLs: Invalid value: \[\]string\{"\/metrics"\}: rules cannot apply to both regular resources and non-resource URLs/,
  );
});

test('bindings: subjects are checked and defaulted, roleRef cannot change', async () => {
  const bad = await s.request('POST', `${rbac}/clusterrolebindings`, {
    metadata: { name: 'bad' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [
      { kind: 'ServiceAccount', name: 'a' },
      { kind: 'Robot', name: 'r' },
    ],
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(
    (bad.json() as Status).details?.causes?.map((c) => `${c.field}: ${c.message}`),
    [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ],
  );
  const made = await s.request('POST', `${rbac}/namespaces/default/rolebindings`, {
    metadata: { name: 'reads' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [
      { kind: 'User', name: 'jane' },
      { kind: 'ServiceAccount', name: 'app', namespace: 'default' },
    ],
  });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual((made.json() as { subjects: unknown[] }).subjects, [
    { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
    { kind: 'ServiceAccount', name: 'app', namespace: 'default' },
  ]);
  const changed = await s.request(
    'PATCH',
    `${rbac}/namespaces/default/rolebindings/reads`,
    { roleRef: { name: 'writer' } },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.equal(changed.status, 422);
  assert.match(
    (changed.json() as Status).message,
    /roleRef: Invalid value: rbac.RoleRef\{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"writer"\}: cannot change roleRef/,
  );
  const table = (
    await s.request('GET', `${rbac}/namespaces/default/rolebindings`, undefined, tableAccept)
  ).json() as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
  assert.deepEqual(
    table.columnDefinitions.map((c) => `${c.name}${c.priority ? '*' : ''}`),
    ['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*'],
  );
  const cells = table.rows[0].cells;
  assert.deepEqual(
    [cells[0], cells[1], cells[3], cells[4], cells[5]],
    ['reads', 'Role/reader', 'jane', '<none>', 'default/app'],
  );
});

test('roles print their creation time as a date column', async () => {
  const table = (await s.request('GET', `${rbac}/clusterroles`, undefined, tableAccept)).json() as {
    columnDefinitions: { name: string; type: string }[];
    rows: { cells: unknown[] }[];
  };
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Created At', 'date'],
    ],
  );
  const row = table.rows.find((r) => r.cells[0] === 'cluster-admin');
  assert.match(String(row?.cells[1]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
