// What an update of a pod may change, through PUT and the patch types kubectl sends: images, a shorter
// deadline, added tolerations and removed scheduling gates; anything else is 422 with Kubernetes'
// Forbidden message and what changed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const path = (name: string) => `/api/v1/namespaces/default/pods/${name}`;
const create = async (name: string, spec: Record<string, unknown> = {}) => {
  const r = await s.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '100'] }], ...spec },
  });
  assert.equal(r.status, 201, r.text);
};
const json = (name: string, ops: unknown[]) =>
  s.request('PATCH', path(name), ops, { 'Content-Type': 'application/json-patch+json' });
const merge = (name: string, body: unknown) =>
  s.request('PATCH', path(name), body, { 'Content-Type': 'application/merge-patch+json' });
const message = (r: { json(): unknown }) => (r.json() as { message: string }).message;

test("a pod's image, labels, added tolerations and a shorter deadline may change", async () => {
  await create('ok', { activeDeadlineSeconds: 600, tolerations: [{ key: 'a', operator: 'Exists' }] });
  let r = await json('ok', [{ op: 'replace', path: '/spec/containers/0/image', value: 'busybox:2' }]);
  assert.equal(r.status, 200, r.text);
  r = await merge('ok', { metadata: { labels: { tier: 'x' } }, spec: { activeDeadlineSeconds: 300 } });
  assert.equal(r.status, 200, r.text);
  r = await json('ok', [{ op: 'add', path: '/spec/tolerations/-', value: { key: 'b', operator: 'Exists' } }]);
  assert.equal(r.status, 200, r.text);
  const got = (await s.request('GET', path('ok'))).json() as { spec: Record<string, unknown> };
  assert.equal((got.spec.containers as { image: string }[])[0].image, 'busybox:2');
  assert.equal(got.spec.activeDeadlineSeconds, 300);
  assert.equal((got.spec.tolerations as unknown[]).length, 2);
});

test('any other change to a pod spec is 422: spec: Forbidden, with what changed', async () => {
  await create('fixed', { tolerations: [{ key: 'a', operator: 'Exists' }] });
  const r = await json('fixed', [
    { op: 'replace', path: '/spec/containers/0/command', value: ['sleep', '9'] },
  ]);
  assert.equal(r.status, 422, r.text);
  const m = message(r);
  assert.ok(
    m.startsWith(
      'Pod "fixed" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
    ),
    m,
  );
  assert.ok(m.includes('- \tcontainers[0].command[1]: "100",'), m);
  assert.ok(m.includes('+ \tcontainers[0].command[1]: "9",'), m);
  const details = (r.json() as { details: { causes: { field: string; reason: string }[] } }).details;
  assert.deepEqual(
    details.causes.map((c) => [c.field, c.reason]),
    [['spec', 'FieldValueForbidden']],
  );
  for (const ops of [
    [{ op: 'remove', path: '/spec/tolerations/0' }],
    [{ op: 'add', path: '/spec/containers/-', value: { name: 'd', image: 'busybox' } }],
    [{ op: 'add', path: '/spec/containers/0/env', value: [{ name: 'X', value: 'y' }] }],
    [{ op: 'add', path: '/spec/nodeName', value: 'elsewhere' }],
  ]) {
    const bad = await json('fixed', ops);
    assert.equal(bad.status, 422, `${JSON.stringify(ops)}: ${bad.text}`);
    assert.match(message(bad), /spec: Forbidden: pod updates may not change fields other than/);
  }
  const longer = await merge('fixed', { spec: { activeDeadlineSeconds: 60 } });
  assert.equal(longer.status, 200, 'a deadline where there was none');
  const r2 = await merge('fixed', { spec: { activeDeadlineSeconds: 120 } });
  assert.equal(r2.status, 422, r2.text);
  assert.match(
    message(r2),
    /spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value/,
  );
});

test('scheduling gates may be removed, never added; the status subresource is not held to the spec rules', async () => {
  await create('gated', { schedulingGates: [{ name: 'one' }, { name: 'two' }] });
  let r = await merge('gated', { spec: { schedulingGates: [{ name: 'one' }] } });
  assert.equal(r.status, 200, r.text);
  r = await merge('gated', { spec: { schedulingGates: [{ name: 'one' }, { name: 'three' }] } });
  assert.equal(r.status, 422, r.text);
  assert.match(
    message(r),
    /spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'three'/,
  );
  const st = await s.request(
    'PATCH',
    `${path('gated')}/status`,
    { status: { message: 'hello' } },
    {
      'Content-Type': 'application/merge-patch+json',
    },
  );
  assert.equal(st.status, 200, st.text);
});
