import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const classes = '/apis/scheduling.k8s.io/v1/priorityclasses';
const pods = '/api/v1/namespaces/default/pods';
type Status = { message: string; details?: { causes?: { field: string; message: string }[] } };
const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

test('the system classes exist; a table prints VALUE, GLOBAL-DEFAULT and PREEMPTIONPOLICY', async () => {
  const t = (
    await s.request('GET', classes, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })
  ).json() as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  assert.deepEqual(
    t.columnDefinitions.map((c) => c.name),
    ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy'],
  );
  const rows = Object.fromEntries(t.rows.map((r) => [r.cells[0], [r.cells[1], r.cells[2], r.cells[4]]]));
  assert.deepEqual(rows['system-cluster-critical'], [2000000000, false, 'PreemptLowerPriority']);
  assert.deepEqual(rows['system-node-critical'], [2000001000, false, 'PreemptLowerPriority']);
});

test('class validation: system- names reserved, user values capped, value immutable', async () => {
  const sys = await s.request('POST', classes, { metadata: { name: 'system-mine' }, value: 5 });
  assert.equal(sys.status, 422);
  assert.match(
    (sys.json() as Status).message,
    /metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class/,
  );
  const big = await s.request('POST', classes, { metadata: { name: 'huge' }, value: 1_000_000_001 });
  assert.match(
    (big.json() as Status).message,
    /value: Forbidden: maximum allowed value of a user defined priority is 1000000000/,
  );
  assert.equal((await s.request('POST', classes, { metadata: { name: 'high' }, value: 1000 })).status, 201);
  const changed = await s.request(
    'PATCH',
    `${classes}/high`,
    { value: 2000 },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.match((changed.json() as Status).message, /value: Forbidden: may not be changed in an update./);
});

test('a pod gets its class value and policy; an unknown class or a mismatched value is refused', async () => {
  const made = (await s.request('POST', pods, pod('critical', { priorityClassName: 'high' }))).json() as {
    spec: Record<string, unknown>;
  };
  assert.equal(made.spec.priority, 1000);
  assert.equal(made.spec.preemptionPolicy, 'PreemptLowerPriority');
  const plain = (await s.request('POST', pods, pod('plain'))).json() as { spec: Record<string, unknown> };
  assert.equal(plain.spec.priority, 0);
  assert.equal(plain.spec.priorityClassName, undefined);
  const unknown = await s.request('POST', pods, pod('lost', { priorityClassName: 'nope' }));
  assert.equal(unknown.status, 403);
  assert.equal(
    (unknown.json() as Status).message,
    'pods "lost" is forbidden: no PriorityClass with name nope was found',
  );
  const mismatch = await s.request('POST', pods, pod('liar', { priorityClassName: 'high', priority: 5 }));
  assert.equal(
    (mismatch.json() as Status).message,
    'pods "liar" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
  );
});

test('one global default at most; pods naming no class then get it', async () => {
  assert.equal(
    (await s.request('POST', classes, { metadata: { name: 'dflt' }, value: 10, globalDefault: true })).status,
    201,
  );
  const second = await s.request('POST', classes, {
    metadata: { name: 'dflt2' },
    value: 11,
    globalDefault: true,
  });
  assert.equal(second.status, 403);
  assert.match(
    (second.json() as Status).message,
    /PriorityClass dflt is already marked as default. Only one default can exist/,
  );
  const p = (await s.request('POST', pods, pod('defaulted'))).json() as { spec: Record<string, unknown> };
  assert.equal(p.spec.priorityClassName, 'dflt');
  assert.equal(p.spec.priority, 10);
  await s.request('DELETE', `${classes}/dflt`);
});

test('an Ingress that names no class gets the default IngressClass', async () => {
  await s.request('POST', '/apis/networking.k8s.io/v1/ingressclasses', {
    metadata: { name: 'main', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'example.com/ingress' },
  });
  const ing = (
    await s.request('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
      metadata: { name: 'web' },
      spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    })
  ).json() as { spec: Record<string, unknown> };
  assert.equal(ing.spec.ingressClassName, 'main');
});
