// RBAC with the real kubectl 1.32 against berthd --kubernetes: a second user (a client certificate for
// CN=jane signed by the cluster CA) is refused until the admin grants her a role, `kubectl auth can-i`
// and `kubectl auth whoami` answer for both.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { issueClientCert } from '../../../native/orchestrator/apiserver/certs.ts';
import { type Cluster, eventually, startCluster } from './cluster.ts';

let c: Cluster;
let janeConfig: string;
before(async () => {
  c = await startCluster();
  const dir = path.join(c.daemon.dataRoot, 'kubernetes');
  const jane = await issueClientCert(dir, 'CN=jane');
  const admin = parse(readFileSync(c.kubeconfig, 'utf8')) as {
    users: { name: string; user: Record<string, string> }[];
  };
  admin.users[0].user = {
    'client-certificate-data': Buffer.from(jane.cert).toString('base64'),
    'client-key-data': Buffer.from(jane.key).toString('base64'),
  };
  janeConfig = path.join(c.home, 'jane.kubeconfig');
  writeFileSync(janeConfig, stringify(admin), { mode: 0o600 });
});
after(async () => {
  if (janeConfig) rmSync(janeConfig, { force: true });
  await c?.stop();
});

/** kubectl as jane (the admin's kubeconfig is c.kubectl's). */
const asJane = (args: string[]) => c.kubectl(['--kubeconfig', janeConfig, ...args]);

test('whoami names the admin and its group, and jane as the certificate says', () => {
  const admin = c.ok(['auth', 'whoami']);
  assert.match(admin, /Username\s+berth-admin/);
  assert.match(admin, /Groups\s+\[system:masters system:authenticated\]/);
  const r = asJane(['auth', 'whoami', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const review = JSON.parse(r.stdout) as { kind: string; status: { userInfo: unknown } };
  assert.equal(review.kind, 'SelfSubjectReview');
  assert.deepEqual(review.status.userInfo, { username: 'jane', groups: ['system:authenticated'] });
});

test('jane may do nothing until granted: get pods is Forbidden, can-i says no', () => {
  const r = asJane(['get', 'pods']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  const can = asJane(['auth', 'can-i', 'list', 'pods']);
  assert.equal(can.stdout.trim(), 'no');
  assert.equal(can.code, 1);
  const nodes = asJane(['get', 'nodes']);
  assert.match(
    nodes.stderr,
    /nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope/,
  );
  // The admin may do anything.
  assert.equal(c.ok(['auth', 'can-i', 'delete', 'nodes']).trim(), 'yes');
  assert.equal(c.kubectl(['auth', 'can-i', '--as=jane', 'list', 'pods']).stdout.trim(), 'no');
});

test('a Role and RoleBinding let her list pods, but not delete them', async () => {
  c.ok(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods']);
  c.ok(['create', 'rolebinding', 'jane-reads-pods', '--role=pod-reader', '--user=jane']);
  c.ok(['run', 'web', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
  assert.ok(
    await eventually(() => asJane(['get', 'pods']).code === 0, 10_000),
    asJane(['get', 'pods']).stderr,
  );
  assert.match(asJane(['get', 'pods']).stdout, /^NAME\s+READY\s+STATUS/);
  assert.match(asJane(['get', 'pod', 'web', '-o', 'name']).stdout, /pod\/web/);
  assert.equal(asJane(['auth', 'can-i', 'list', 'pods']).stdout.trim(), 'yes');
  assert.equal(asJane(['auth', 'can-i', 'delete', 'pods']).stdout.trim(), 'no');
  assert.equal(asJane(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system']).stdout.trim(), 'no');
  const del = asJane(['delete', 'pod', 'web', '--wait=false']);
  assert.equal(del.code, 1);
  assert.equal(
    del.stderr.trim(),
    'Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "default"',
  );
  c.ok(['delete', 'pod', 'web', '--wait=false']);
});

test('can-i --list shows what she may do in the namespace', () => {
  const r = asJane(['auth', 'can-i', '--list']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(rows[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], r.stdout);
  assert.deepEqual(
    rows.find((x) => x[0] === 'pods'),
    ['pods', '[]', '[]', '[get list watch]'],
  );
  assert.deepEqual(
    rows.find((x) => x[0] === 'selfsubjectaccessreviews.authorization.k8s.io'),
    ['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]'],
  );
  // Non-resource rules have no resource: their row starts blank, as on any cluster.
  assert.match(r.stdout, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  assert.match(r.stdout, /^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/m);
  const elsewhere = asJane(['auth', 'can-i', '--list', '-n', 'kube-system']);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.match(elsewhere.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io /m);
  assert.doesNotMatch(elsewhere.stdout, /^pods /m);
});

test('view is aggregated: a role labelled aggregate-to-view grants its kinds to whoever holds view, edit or admin', async () => {
  const view = JSON.parse(c.ok(['get', 'clusterrole', 'view', '-o', 'json'])) as {
    aggregationRule?: { clusterRoleSelectors: { matchLabels: Record<string, string> }[] };
  };
  assert.deepEqual(view.aggregationRule?.clusterRoleSelectors, [
    { matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
  ]);
  assert.match(c.ok(['get', 'clusterrole', 'system:aggregate-to-edit']), /^system:aggregate-to-edit\s/m);
  c.ok(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'default']);
  // view reads no roles: a chart's aggregated role grants it (as one does for its own custom kinds).
  const canList = () => asJane(['auth', 'can-i', 'list', 'roles.rbac.authorization.k8s.io', '-n', 'default']);
  assert.equal(canList().stdout.trim(), 'no');
  assert.equal(asJane(['auth', 'can-i', 'list', 'deployments.apps', '-n', 'default']).stdout.trim(), 'yes');
  assert.equal(asJane(['auth', 'can-i', 'get', 'secrets', '-n', 'default']).stdout.trim(), 'no');
  c.ok(
    ['apply', '-f', '-'],
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: role-viewer
  labels: { rbac.authorization.k8s.io/aggregate-to-view: "true" }
rules:
- { apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [list] }
`,
  );
  assert.ok(await eventually(() => canList().stdout.trim() === 'yes'), 'view gathered the new role');
  const listed = asJane(['get', 'roles', '-n', 'default']);
  assert.equal(listed.code, 0, listed.stderr);
  const admin = JSON.parse(c.ok(['get', 'clusterrole', 'admin', '-o', 'json'])) as { rules: unknown[] };
  assert.ok(
    admin.rules.some(
      (r) =>
        JSON.stringify(r) ===
        '{"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"],"verbs":["list"]}',
    ),
    'admin gathered it through edit',
  );
  c.ok(['delete', 'clusterrole', 'role-viewer']);
  assert.ok(await eventually(() => canList().stdout.trim() === 'no'), 'and let it go');
  c.ok(['delete', 'rolebinding', 'jane-view', '-n', 'default']);
});
