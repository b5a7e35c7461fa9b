// pods/ephemeralcontainers as kube-apiserver serves it: the one way to add a debug container to a
// pod, one that is never changed or removed, with the fields a debugger may not have refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const pods = '/api/v1/namespaces/default/pods';
const sub = (name: string) => `${pods}/${name}/ephemeralcontainers`;
const create = async (name: string, spec: Record<string, unknown> = {}) =>
  s.request('POST', pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
  });
const strategic = (name: string, body: unknown) =>
  s.request('PATCH', sub(name), body, { 'Content-Type': 'application/strategic-merge-patch+json' });
const message = (r: { json(): unknown }) => (r.json() as { message: string }).message;
const debuggers = (r: { json(): unknown }) =>
  (r.json() as { spec: { ephemeralContainers?: Record<string, unknown>[] } }).spec.ephemeralContainers ?? [];

test('a pod is created without ephemeral containers', async () => {
  const r = await create('born', { ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] });
  assert.equal(r.status, 422, r.text);
  assert.equal(
    message(r),
    'Pod "born" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create',
  );
});

test('the subresource adds one (as kubectl debug patches it), keeps it, and GET shows the pod', async () => {
  assert.equal((await create('dbg1')).status, 201);
  const r = await strategic('dbg1', {
    spec: {
      ephemeralContainers: [
        { name: 'debugger-1', image: 'busybox', stdin: true, targetContainerName: 'app' },
      ],
    },
  });
  assert.equal(r.status, 200, r.text);
  const [d] = debuggers(r);
  assert.equal(d.name, 'debugger-1');
  assert.equal(d.terminationMessagePolicy, 'File', 'defaulted as a container is');
  assert.equal(d.resources, undefined, 'no resources of its own');
  const got = await s.request('GET', sub('dbg1'));
  assert.equal(got.status, 200);
  assert.equal((got.json() as { kind: string }).kind, 'Pod');
  assert.deepEqual(debuggers(got), debuggers(r));
  // A second is added beside it, with the $setElementOrder kubectl sends.
  const two = await strategic('dbg1', {
    spec: {
      '$setElementOrder/ephemeralContainers': [{ name: 'debugger-1' }, { name: 'debugger-2' }],
      ephemeralContainers: [{ name: 'debugger-2', image: 'busybox' }],
    },
  });
  assert.equal(two.status, 200, two.text);
  assert.deepEqual(
    debuggers(two).map((c) => c.name),
    ['debugger-1', 'debugger-2'],
  );
});

test('an existing one is never changed or removed; the pod resource itself cannot add one', async () => {
  assert.equal((await create('dbg2')).status, 201);
  assert.equal(
    (await strategic('dbg2', { spec: { ephemeralContainers: [{ name: 'd', image: 'busybox' }] } })).status,
    200,
  );
  const changed = await s.request(
    'PATCH',
    sub('dbg2'),
    [{ op: 'replace', path: '/spec/ephemeralContainers/0/image', value: 'other' }],
    { 'Content-Type': 'application/json-patch+json' },
  );
  assert.equal(changed.status, 422, changed.text);
  assert.match(
    message(changed),
    /spec.ephemeralContainers: Forbidden: existing ephemeral containers "d" may not be changed/,
  );
  const removed = await s.request(
    'PATCH',
    sub('dbg2'),
    [{ op: 'remove', path: '/spec/ephemeralContainers/0' }],
    {
      'Content-Type': 'application/json-patch+json',
    },
  );
  assert.equal(removed.status, 422, removed.text);
  assert.match(message(removed), /existing ephemeral containers "d" may not be removed/);
  const viaPod = await s.request(
    'PATCH',
    `${pods}/dbg2`,
    [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'e', image: 'busybox' } }],
    { 'Content-Type': 'application/json-patch+json' },
  );
  assert.equal(viaPod.status, 422, viaPod.text);
  assert.match(message(viaPod), /spec: Forbidden: pod updates may not change fields other than/);
  // Other fields sent to the subresource are not taken.
  const labels = await s.request(
    'PATCH',
    sub('dbg2'),
    { metadata: { labels: { x: 'y' } } },
    {
      'Content-Type': 'application/merge-patch+json',
    },
  );
  assert.equal(labels.status, 200, labels.text);
  assert.equal((labels.json() as { metadata: { labels?: unknown } }).metadata.labels, undefined);
});

test('a debugger has no ports, probes, lifecycle or resources; its target is one of the pod’s containers', async () => {
  assert.equal((await create('dbg3')).status, 201);
  const r = await strategic('dbg3', {
    spec: {
      ephemeralContainers: [
        {
          name: 'app',
          image: 'busybox',
          ports: [{ containerPort: 80 }],
          readinessProbe: { exec: { command: ['true'] } },
          resources: { limits: { cpu: '1' } },
          targetContainerName: 'nope',
        },
      ],
    },
  });
  assert.equal(r.status, 422, r.text);
  const causes = (r.json() as { details: { causes: { field: string; reason: string }[] } }).details.causes;
  assert.deepEqual(
    causes.map((c) => `${c.field} ${c.reason}`),
    [
      'spec.ephemeralContainers[0].name FieldValueDuplicate',
      'spec.ephemeralContainers[0].ports FieldValueForbidden',
      'spec.ephemeralContainers[0].readinessProbe FieldValueForbidden',
      'spec.ephemeralContainers[0].resources FieldValueForbidden',
      'spec.ephemeralContainers[0].targetContainerName FieldValueNotFound',
    ],
  );
});

test('discovery lists pods/ephemeralcontainers with get, patch and update', async () => {
  const r = await s.request('GET', '/api/v1');
  const res = (r.json() as { resources: { name: string; verbs: string[] }[] }).resources.find(
    (x) => x.name === 'pods/ephemeralcontainers',
  );
  assert.deepEqual(res?.verbs, ['get', 'patch', 'update']);
});
