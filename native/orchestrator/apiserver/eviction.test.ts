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

const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'default' },
  ...(deleteOptions ? { deleteOptions } : {}),
});

const evict = (name: string, body: unknown) =>
  s.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, body);

type Pod = { metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number } };

test('discovery lists pods/eviction as a policy/v1 Eviction that can be created', async () => {
  const list = (await s.request('GET', '/api/v1')).json() as {
    resources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
  };
  const r = list.resources.find((x) => x.name === 'pods/eviction');
  assert.deepEqual(r && { kind: r.kind, group: r.group, version: r.version, verbs: r.verbs }, {
    kind: 'Eviction',
    group: 'policy',
    version: 'v1',
    verbs: ['create'],
  });
});

test('an Eviction deletes a pod gracefully: 201 and a Status; the pod on a node lingers with its grace', async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e1', { nodeName: 'node-a' }));
  const r = await evict('e1', eviction('e1', { gracePeriodSeconds: 7 }));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 201,
  });
  const got = (await s.request('GET', '/api/v1/namespaces/default/pods/e1')).json() as Pod;
  assert.ok(got.metadata.deletionTimestamp, 'marked for deletion');
  assert.equal(got.metadata.deletionGracePeriodSeconds, 7);

  // A pod no node runs goes at once.
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e2'));
  assert.equal((await evict('e2', eviction('e2'))).status, 201);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/e2')).status, 404);
});

test("an Eviction's dry run leaves the pod; bad Evictions are 400, a missing pod 404", async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e3'));
  assert.equal((await evict('e3', eviction('e3', { dryRun: ['All'] }))).status, 201);
  const kept = await s.request('GET', '/api/v1/namespaces/default/pods/e3');
  assert.equal(kept.status, 200);
  assert.equal((kept.json() as Pod).metadata.deletionTimestamp, undefined);

  const mismatch = await evict('e3', eviction('other'));
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json().message, 'name in URL does not match name in Eviction object');
  const notEviction = await evict('e3', { ...eviction('e3'), kind: 'Binding' });
  assert.equal(notEviction.status, 400);

  const missing = await evict('nope', eviction('nope'));
  assert.equal(missing.status, 404);
  assert.equal(missing.json().message, 'pods "nope" not found');
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/e3/eviction')).status, 405);
});
