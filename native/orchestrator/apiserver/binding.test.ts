import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name, ...extra },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});

const bind = (name: string, body: unknown) =>
  s.request('POST', `/api/v1/namespaces/default/pods/${name}/binding`, body);

test('a Binding sets spec.nodeName and PodScheduled=True once; a second one is 409', async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('b1'));
  const r = await bind('b1', binding('b1', 'node-a', { annotations: { 'scheduled-by': 'test' } }));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 201,
  });
  const got = (await s.request('GET', '/api/v1/namespaces/default/pods/b1')).json() as {
    metadata: { annotations: Record<string, string> };
    spec: { nodeName: string };
    status: { conditions: Record<string, unknown>[] };
  };
  assert.equal(got.spec.nodeName, 'node-a');
  assert.equal(got.metadata.annotations['scheduled-by'], 'test');
  assert.deepEqual(got.status.conditions, [
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
  ]);

  const again = await bind('b1', binding('b1', 'node-b'));
  assert.equal(again.status, 409);
  assert.equal(again.json().reason, 'Conflict');
  assert.equal(
    again.json().message,
    'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"',
  );
});

test('a Binding is checked: names, target, UID precondition, gates, a missing pod', async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('b2'));
  const mismatch = await bind('b2', binding('other', 'n'));
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json().message, 'name in URL does not match name in Binding object');

  const noTarget = await bind('b2', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'b2' },
    target: {},
  });
  assert.equal(noTarget.status, 422);
  assert.equal(noTarget.json().message, 'Binding "b2" is invalid: target.name: Required value');

  const badKind = await bind('b2', { ...binding('b2', 'n'), target: { kind: 'Pod', name: 'n' } });
  assert.equal(badKind.status, 422);
  assert.match(String(badKind.json().message), /target\.kind: Unsupported value: "Pod"/);

  const wrongUid = await bind('b2', binding('b2', 'n', { uid: 'not-the-uid' }));
  assert.equal(wrongUid.status, 409);
  assert.match(String(wrongUid.json().message), /Precondition failed: UID in precondition: not-the-uid/);

  await s.request(
    'POST',
    '/api/v1/namespaces/default/pods',
    pod('gated', { schedulingGates: [{ name: 'example.com/wait' }] }),
  );
  const gated = await bind('gated', binding('gated', 'n'));
  assert.equal(gated.status, 409);
  assert.match(String(gated.json().message), /pod gated has non-empty \.spec\.schedulingGates/);

  const missing = await bind('nope', binding('nope', 'n'));
  assert.equal(missing.status, 404);
  assert.equal(missing.json().message, 'pods "nope" not found');

  const get = await s.request('GET', '/api/v1/namespaces/default/pods/b2/binding');
  assert.equal(get.status, 405);
  const still = (await s.request('GET', '/api/v1/namespaces/default/pods/b2')).json() as {
    spec: { nodeName?: string };
  };
  assert.equal(still.spec.nodeName, undefined, 'no failed binding assigned the pod');
});

test('discovery lists pods/binding as a create-only Binding subresource', async () => {
  const list = (await s.request('GET', '/api/v1')).json() as {
    resources: { name: string; kind: string; verbs: string[] }[];
  };
  const b = list.resources.find((r) => r.name === 'pods/binding');
  assert.deepEqual(b && { kind: b.kind, verbs: b.verbs }, { kind: 'Binding', verbs: ['create'] });
});
