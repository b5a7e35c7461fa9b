import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const policy = '/apis/policy/v1';
const pdbs = `${policy}/namespaces/default/poddisruptionbudgets`;
const tableAccept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
type Status = {
  message: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; reason?: string; message: string }[]; retryAfterSeconds?: number };
};

const pdb = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name },
  spec,
});

test('discovery serves poddisruptionbudgets in policy/v1: namespaced, short name pdb, a status subresource', async () => {
  const list = (await s.request('GET', policy)).json() as {
    resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[]; verbs: string[] }[];
  };
  const r = list.resources.find((x) => x.name === 'poddisruptionbudgets');
  assert.equal(r?.kind, 'PodDisruptionBudget');
  assert.equal(r?.namespaced, true);
  assert.deepEqual(r?.shortNames, ['pdb']);
  assert.ok(r?.verbs.includes('watch'));
  assert.ok(list.resources.some((x) => x.name === 'poddisruptionbudgets/status'));
});

test('a new budget starts with a zero status and generation 1; the spec is checked with Kubernetes messages', async () => {
  const made = await s.request('POST', pdbs, {
    ...pdb('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }),
    status: { disruptionsAllowed: 5 },
  });
  assert.equal(made.status, 201, made.text);
  const body = made.json() as { metadata: { generation: number }; status: unknown };
  assert.equal(body.metadata.generation, 1);
  assert.deepEqual(body.status, {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  });

  const bad = await s.request(
    'POST',
    pdbs,
    pdb('bad', {
      minAvailable: '150%',
      maxUnavailable: 'half',
      selector: { matchExpressions: [{ key: 'app', operator: 'In' }] },
      unhealthyPodEvictionPolicy: 'Sometimes',
    }),
  );
  assert.equal(bad.status, 422);
  const causes = (bad.json() as Status).details?.causes?.map((c) => `${c.field}: ${c.message}`);
  assert.match(
    causes![0],
    /^spec: Invalid value: policy.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/,
  );
  assert.deepEqual(causes!.slice(1), [
    'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    `spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
  const negative = await s.request('POST', pdbs, pdb('neg', { maxUnavailable: -1 }));
  assert.match(
    (negative.json() as Status).message,
    /spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0/,
  );
});

test('kubectl get pdb prints MIN AVAILABLE, MAX UNAVAILABLE (N/A when unset) and ALLOWED DISRUPTIONS', async () => {
  await s.request(
    'POST',
    pdbs,
    pdb('pct', { maxUnavailable: '25%', selector: { matchLabels: { app: 'x' } } }),
  );
  const table = (await s.request('GET', pdbs, undefined, tableAccept)).json() as {
    columnDefinitions: { name: string; type: string }[];
    rows: { cells: unknown[] }[];
  };
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Min Available', 'string'],
      ['Max Unavailable', 'string'],
      ['Allowed Disruptions', 'integer'],
      ['Age', 'string'],
    ],
  );
  const rows = Object.fromEntries(table.rows.map((r) => [r.cells[0], r.cells.slice(1, 4)]));
  assert.deepEqual(rows.web, ['2', 'N/A', 0]);
  assert.deepEqual(rows.pct, ['N/A', '25%', 0]);
});

test('a spec change bumps the generation; a status write does not', async () => {
  const spec = await s.request(
    'PATCH',
    `${pdbs}/web`,
    { spec: { minAvailable: 1 } },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.equal((spec.json() as { metadata: { generation: number } }).metadata.generation, 2);
  const st = await s.request(
    'PATCH',
    `${pdbs}/web/status`,
    { status: { disruptionsAllowed: 3, observedGeneration: 2 } },
    { 'content-type': 'application/merge-patch+json' },
  );
  const body = st.json() as { metadata: { generation: number }; status: { disruptionsAllowed: number } };
  assert.equal(body.metadata.generation, 2);
  assert.equal(body.status.disruptionsAllowed, 3);
});

test('kubectl create pdb sends protobuf: its body decodes', async () => {
  // policy.PodDisruptionBudget{metadata{name "pb"}, spec{minAvailable{type 0, intVal 1}}}, by hand.
  const name = Buffer.from([0x0a, 0x02, 0x70, 0x62]);
  const meta = Buffer.concat([Buffer.from([0x0a, name.length]), name]);
  const intOrString = Buffer.from([0x08, 0x00, 0x10, 0x01]);
  const spec = Buffer.concat([Buffer.from([0x0a, intOrString.length]), intOrString]);
  const raw = Buffer.concat([meta, Buffer.from([0x12, spec.length]), spec]);
  const typeMeta = Buffer.concat([
    Buffer.from([0x0a, 9]),
    Buffer.from('policy/v1'),
    Buffer.from([0x12, 19]),
    Buffer.from('PodDisruptionBudget'),
  ]);
  const unknown = Buffer.concat([
    Buffer.from([0x0a, typeMeta.length]),
    typeMeta,
    Buffer.from([0x12, raw.length]),
    raw,
  ]);
  const body = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
  const r = await s.request('POST', pdbs, body, { 'content-type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual((r.json() as { spec: unknown }).spec, { minAvailable: 1 });
});
