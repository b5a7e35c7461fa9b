import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer({
    users: {
      jane: { name: 'jane', groups: [] },
      bob: { name: 'bob', groups: ['qa'] },
      robot: {
        name: 'system:serviceaccount:ns1:robot',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1'],
      },
    },
  });
  for (const ns of ['ns1', 'ns2'])
    assert.equal((await s.request('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
});
after(() => s.close());

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const as = (token: string, method: string, path: string, body?: unknown) =>
  s.request(method, path, body, { authorization: `Bearer ${token}` });
const admin = async (method: string, path: string, body: unknown) => {
  const r = await s.request(method, path, body);
  assert.ok(r.status < 300, r.text);
};
const role = (ns: string, name: string, rules: unknown[]) =>
  admin('POST', `${rbac}/namespaces/${ns}/roles`, { metadata: { name }, rules });
const binding = (ns: string, name: string, roleRef: { kind: string; name: string }, subjects: unknown[]) =>
  admin('POST', `${rbac}/namespaces/${ns}/rolebindings`, {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  });

test('a user nobody granted anything is refused with a Forbidden Status in Kubernetes words', async () => {
  const r = await as('jane', 'GET', '/api/v1/namespaces/ns1/pods');
  assert.equal(r.status, 403);
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "ns1"',
    reason: 'Forbidden',
    details: { kind: 'pods' },
    code: 403,
  });
  const nodes = await as('jane', 'GET', '/api/v1/nodes/n1');
  assert.equal(
    nodes.json().message,
    'nodes "n1" is forbidden: User "jane" cannot get resource "nodes" in API group "" at the cluster scope',
  );
  const create = await as('jane', 'POST', '/apis/apps/v1/namespaces/ns1/deployments', {});
  assert.equal(create.status, 403);
});

test('every authenticated user may read discovery, version and health (system:discovery, public-info-viewer)', async () => {
  for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/healthz', '/openapi/v3'])
    assert.equal((await as('jane', 'GET', p)).status, 200, p);
});

test('a Role bound to a user grants what its rules say in that namespace only', async () => {
  await role('ns1', 'pod-reader', [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  ]);
  await binding('ns1', 'jane-reads', { kind: 'Role', name: 'pod-reader' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
  ]);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns1/pods')).status, 200);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns1/pods?watch=1&timeoutSeconds=1')).status, 200);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns2/pods')).status, 403);
  assert.equal((await as('jane', 'GET', '/api/v1/pods')).status, 403);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns1/configmaps')).status, 403);
  const del = await as('jane', 'DELETE', '/api/v1/namespaces/ns1/pods/web');
  assert.equal(del.status, 403);
  assert.equal(
    del.json().message,
    'pods "web" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "ns1"',
  );
  // A subresource is its own resource: reading pods does not read their logs.
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns1/pods/web/log')).status, 403);
});

test('a ClusterRole bound to a group cluster-wide, or by a RoleBinding in one namespace', async () => {
  await admin('POST', `${rbac}/clusterroles`, {
    metadata: { name: 'cm-reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
  });
  await binding('ns2', 'qa-reads', { kind: 'ClusterRole', name: 'cm-reader' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'qa' },
  ]);
  assert.equal((await as('bob', 'GET', '/api/v1/namespaces/ns2/configmaps')).status, 200);
  assert.equal((await as('bob', 'GET', '/api/v1/namespaces/ns1/configmaps')).status, 403);
  await admin('POST', `${rbac}/clusterrolebindings`, {
    metadata: { name: 'qa-reads-all' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cm-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'qa' }],
  });
  assert.equal((await as('bob', 'GET', '/api/v1/namespaces/ns1/configmaps')).status, 200);
  assert.equal((await as('bob', 'GET', '/api/v1/configmaps')).status, 200);
  // Taking the binding away takes the access away (once the watch cache has seen the delete, as
  // kube-apiserver's informers must).
  await admin('DELETE', `${rbac}/clusterrolebindings/qa-reads-all`, undefined);
  let status = 0;
  for (let i = 0; i < 40 && status !== 403; i++) {
    if (i) await new Promise((r) => setTimeout(r, 50));
    status = (await as('bob', 'GET', '/api/v1/namespaces/ns1/configmaps')).status;
  }
  assert.equal(status, 403);
});

test('a service account is bound by namespace and name; resourceNames limit a rule to objects', async () => {
  await role('ns1', 'one-secret', [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['token'] },
  ]);
  await binding('ns1', 'robot', { kind: 'Role', name: 'one-secret' }, [
    { kind: 'ServiceAccount', name: 'robot' },
  ]);
  await admin('POST', '/api/v1/namespaces/ns1/secrets', { metadata: { name: 'token' } });
  assert.equal((await as('robot', 'GET', '/api/v1/namespaces/ns1/secrets/token')).status, 200);
  assert.equal((await as('robot', 'GET', '/api/v1/namespaces/ns1/secrets/other')).status, 403);
  assert.equal((await as('robot', 'GET', '/api/v1/namespaces/ns1/secrets')).status, 403);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns1/secrets/token')).status, 403);
});

test('a binding to a role that does not exist grants nothing, and the denial says why', async () => {
  await binding('ns2', 'dangling', { kind: 'Role', name: 'gone' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
  ]);
  const r = await as('jane', 'GET', '/api/v1/namespaces/ns2/services');
  assert.equal(r.status, 403);
  assert.equal(
    r.json().message,
    'services is forbidden: User "jane" cannot list resource "services" in API group "" in the namespace "ns2": RBAC: role.rbac.authorization.k8s.io "gone" not found',
  );
});

const authz = '/apis/authorization.k8s.io/v1';
const statusOf = (r: { json: () => Record<string, unknown> }) => r.json().status as Record<string, unknown>;

test('discovery lists the reviews with create as their only verb', async () => {
  for (const [gv, names] of [
    [authz, ['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews']],
    ['/apis/authentication.k8s.io/v1', ['selfsubjectreviews']],
  ] as const) {
    const list = (await as('jane', 'GET', gv)).json() as {
      resources: { name: string; verbs: string[]; namespaced: boolean }[];
    };
    for (const name of names) {
      const r = list.resources.find((x) => x.name === name);
      assert.deepEqual(r?.verbs, ['create'], name);
      assert.equal(r?.namespaced, false);
    }
  }
  assert.equal((await s.request('GET', `${authz}/selfsubjectaccessreviews`)).status, 405);
});

const ssar = (token: string, resourceAttributes: unknown) =>
  as(token, 'POST', `${authz}/selfsubjectaccessreviews`, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes },
  });

test('SelfSubjectAccessReview answers from the same rules, with the binding that allowed it', async () => {
  const yes = await ssar('jane', { namespace: 'ns1', verb: 'list', resource: 'pods' });
  assert.equal(yes.status, 201, yes.text);
  const body = yes.json() as { kind: string; status: Record<string, unknown>; spec: unknown };
  assert.equal(body.kind, 'SelfSubjectAccessReview');
  assert.deepEqual(body.status, {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "jane-reads/ns1" of Role "pod-reader" to User "jane"',
  });
  assert.deepEqual(body.spec, { resourceAttributes: { namespace: 'ns1', verb: 'list', resource: 'pods' } });
  const no = await ssar('jane', { namespace: 'ns1', verb: 'delete', resource: 'pods' });
  assert.deepEqual(no.json().status, { allowed: false });
  const admin = await s.request('POST', `${authz}/selfsubjectaccessreviews`, {
    spec: { nonResourceAttributes: { path: '/metrics', verb: 'get' } },
  });
  assert.deepEqual(admin.json().status, { allowed: true });
  const bad = await as('jane', 'POST', `${authz}/selfsubjectaccessreviews`, { spec: {} });
  assert.equal(bad.status, 422);
  assert.match(
    String(bad.json().message),
    /exactly one of nonResourceAttributes or resourceAttributes must be specified/,
  );
});

test('SubjectAccessReview asks for someone else, and only those granted it may ask', async () => {
  const body = {
    spec: {
      user: 'jane',
      resourceAttributes: { namespace: 'ns1', verb: 'get', resource: 'pods', name: 'x' },
    },
  };
  const r = await s.request('POST', `${authz}/subjectaccessreviews`, body);
  assert.equal(r.status, 201, r.text);
  assert.equal(statusOf(r).allowed, true);
  const group = await s.request('POST', `${authz}/subjectaccessreviews`, {
    spec: {
      user: 'x',
      groups: ['system:masters'],
      resourceAttributes: { verb: 'delete', resource: 'nodes' },
    },
  });
  assert.equal(statusOf(group).allowed, true);
  const denied = await as('jane', 'POST', `${authz}/subjectaccessreviews`, body);
  assert.equal(denied.status, 403);
  assert.equal(
    denied.json().message,
    'subjectaccessreviews.authorization.k8s.io is forbidden: User "jane" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope',
  );
});

test('SelfSubjectRulesReview lists the rules that apply in a namespace', async () => {
  const r = await as('jane', 'POST', `${authz}/selfsubjectrulesreviews`, { spec: { namespace: 'ns1' } });
  assert.equal(r.status, 201, r.text);
  const status = r.json().status as {
    resourceRules: { verbs: string[]; resources?: string[] }[];
    nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
    incomplete: boolean;
  };
  assert.equal(status.incomplete, false);
  assert.ok(status.resourceRules.some((x) => x.resources?.includes('pods') && x.verbs.includes('list')));
  assert.ok(status.resourceRules.some((x) => x.resources?.includes('selfsubjectaccessreviews')));
  assert.ok(!status.resourceRules.some((x) => x.resources?.includes('configmaps')));
  assert.ok(status.nonResourceRules.some((x) => x.nonResourceURLs.includes('/api/*')));
  const other = await as('jane', 'POST', `${authz}/selfsubjectrulesreviews`, { spec: { namespace: 'ns2' } });
  assert.equal(statusOf(other).incomplete, true);
  assert.equal(statusOf(other).evaluationError, 'role.rbac.authorization.k8s.io "gone" not found');
});

test('SelfSubjectReview says who the client is', async () => {
  const r = await as('bob', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json().status, {
    userInfo: { username: 'bob', groups: ['qa', 'system:authenticated'] },
  });
});

test('the default view, edit and admin roles exist and grant as their names say', async () => {
  await binding('ns2', 'jane-views', { kind: 'ClusterRole', name: 'view' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
  ]);
  assert.equal((await as('jane', 'GET', '/apis/apps/v1/namespaces/ns2/deployments')).status, 200);
  assert.equal((await as('jane', 'GET', '/api/v1/namespaces/ns2/secrets')).status, 403);
  assert.equal(
    (await as('jane', 'POST', '/api/v1/namespaces/ns2/configmaps', { metadata: { name: 'c' } })).status,
    403,
  );
  await binding('ns2', 'jane-edits', { kind: 'ClusterRole', name: 'edit' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
  ]);
  assert.equal(
    (await as('jane', 'POST', '/api/v1/namespaces/ns2/configmaps', { metadata: { name: 'c' } })).status,
    201,
  );
  assert.equal((await as('jane', 'GET', `${rbac}/namespaces/ns2/roles`)).status, 403);
  await binding('ns2', 'jane-admin', { kind: 'ClusterRole', name: 'admin' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
  ]);
  assert.equal((await as('jane', 'GET', `${rbac}/namespaces/ns2/roles`)).status, 200);
});

test('impersonation: those allowed to impersonate act as the user they name, others are refused', async () => {
  const asJane = await s.request('GET', '/api/v1/namespaces/ns1/configmaps', undefined, {
    'impersonate-user': 'jane',
  });
  assert.equal(asJane.status, 403);
  assert.match(String(asJane.json().message), /^configmaps is forbidden: User "jane" cannot list resource/);
  const who = await s.request(
    'POST',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    {},
    {
      'impersonate-user': 'system:serviceaccount:ns1:robot',
    },
  );
  assert.deepEqual(statusOf(who).userInfo, {
    username: 'system:serviceaccount:ns1:robot',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
  const r = await s.request('GET', '/api/v1/namespaces/ns1/pods', undefined, {
    authorization: 'Bearer jane',
    'impersonate-user': 'tester',
    'impersonate-group': 'system:masters',
  });
  assert.equal(r.status, 403);
  assert.equal(
    r.json().message,
    'users "tester" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope',
  );
});

/** A WebSocket upgrade as kubectl exec starts one; the status and Status message it is refused with. */
const upgrade = (token: string, path: string) =>
  new Promise<{ status: number; message: string }>((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, {
      headers: {
        authorization: `Bearer ${token}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, message: String(JSON.parse(body).message) }),
      );
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, message: '' });
    });
    req.on('error', reject);
    req.end();
  });

test('exec over WebSocket (a GET) needs create on pods/exec as well as get', async () => {
  const exec = '/api/v1/namespaces/ns1/pods/web/exec?command=ls&stdout=1';
  const none = await upgrade('bob', exec);
  assert.equal(none.status, 403);
  assert.equal(
    none.message,
    'pods "web" is forbidden: User "bob" cannot get resource "pods/exec" in API group "" in the namespace "ns1"',
  );
  await role('ns1', 'exec-get', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }]);
  await binding('ns1', 'bob-exec', { kind: 'Role', name: 'exec-get' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' },
  ]);
  const getOnly = await upgrade('bob', exec);
  assert.equal(getOnly.status, 403);
  assert.equal(
    getOnly.message,
    'pods "web" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "ns1"',
  );
  await role('ns1', 'exec-create', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]);
  await binding('ns1', 'bob-exec-create', { kind: 'Role', name: 'exec-create' }, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' },
  ]);
  // Authorized: what answers now is the API (no kubelet serves exec in this test server).
  assert.equal((await upgrade('bob', exec)).status, 404);
});

test('LocalSubjectAccessReview asks in a namespace: for the admin role, with the namespace it names', async () => {
  const path = `${authz}/namespaces/ns2/localsubjectaccessreviews`;
  const ask = (token: string, namespace: string) =>
    as(token, 'POST', path, {
      spec: {
        user: 'bob',
        groups: ['qa'],
        resourceAttributes: { namespace, verb: 'list', resource: 'configmaps' },
      },
    });
  // jane is admin in ns2 (bound above): she may ask there.
  const r = await ask('jane', 'ns2');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json().kind, 'LocalSubjectAccessReview');
  assert.deepEqual(r.json().metadata, { namespace: 'ns2' });
  assert.deepEqual(statusOf(r), {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "qa-reads/ns2" of ClusterRole "cm-reader" to Group "qa"',
  });
  const elsewhere = await ask('jane', 'ns1');
  assert.equal(elsewhere.status, 422);
  assert.match(
    String(elsewhere.json().message),
    /spec\.resourceAttributes\.namespace: Invalid value: "ns1": must match metadata\.namespace/,
  );
  assert.equal((await ask('bob', 'ns2')).status, 403);
  // A user named without groups is asked about as a member of none (bob's group granted it).
  const groupless = await as('jane', 'POST', path, {
    spec: { user: 'bob', resourceAttributes: { namespace: 'ns2', verb: 'list', resource: 'configmaps' } },
  });
  assert.deepEqual(statusOf(groupless), { allowed: false });
  const discovery = (await s.request('GET', authz)).json() as {
    resources: { name: string; verbs: string[]; namespaced: boolean }[];
  };
  const local = discovery.resources.find((x) => x.name === 'localsubjectaccessreviews');
  assert.deepEqual([local?.namespaced, local?.verbs], [true, ['create']]);
});
