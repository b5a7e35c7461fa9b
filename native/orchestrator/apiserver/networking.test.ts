import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const net = '/apis/networking.k8s.io/v1';
const tableAccept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
type Status = { message: string; details?: { causes?: { field: string; message: string }[] } };
type Table = { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
const causes = (r: { json: () => Record<string, unknown> }) =>
  (r.json() as Status).details?.causes?.map((c) => `${c.field}: ${c.message}`);

const backend = (name: string, port: Record<string, unknown>) => ({ service: { name, port } });

test('an Ingress prints its class, hosts (three, then how many more), address and ports', async () => {
  const rules = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com'].map(
    (host) => ({
      host,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('web', { number: 80 }) }] },
    }),
  );
  const made = await s.request('POST', `${net}/namespaces/default/ingresses`, {
    metadata: { name: 'many' },
    spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules },
  });
  assert.equal(made.status, 201, made.text);
  await s.request('POST', `${net}/namespaces/default/ingresses`, {
    metadata: { name: 'catchall' },
    spec: { defaultBackend: backend('web', { name: 'http' }) },
  });
  const status = await s.request('PUT', `${net}/namespaces/default/ingresses/catchall/status`, {
    ...(await s.request('GET', `${net}/namespaces/default/ingresses/catchall`)).json(),
    status: { loadBalancer: { ingress: [{ ip: '127.0.0.240' }, { hostname: 'lb.berth.internal' }] } },
  });
  assert.equal(status.status, 200, status.text);
  const table = (
    await s.request('GET', `${net}/namespaces/default/ingresses`, undefined, tableAccept)
  ).json() as Table;
  assert.deepEqual(
    table.columnDefinitions.map((c) => c.name),
    ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
  );
  const rows = Object.fromEntries(table.rows.map((r) => [r.cells[0], r.cells.slice(1, 5)]));
  assert.deepEqual(rows.many, [
    'nginx',
    'a.example.com,b.example.com,c.example.com + 2 more...',
    '',
    '80, 443',
  ]);
  assert.deepEqual(rows.catchall, ['<none>', '*', '127.0.0.240,l...', '80']);
});

test('Ingress validation speaks as Kubernetes does', async () => {
  const r = await s.request('POST', `${net}/namespaces/default/ingresses`, {
    metadata: { name: 'bad' },
    spec: {
      rules: [
        {
          host: 'Bad.Host',
          http: {
            paths: [
              { path: 'x', backend: backend('web', { number: 80 }) },
              { path: 'rel', pathType: 'Exact', backend: backend('web', {}) },
              { path: '/', pathType: 'Glob', backend: backend('web', { name: 'http', number: 80 }) },
              { path: '/', pathType: 'Prefix', backend: {} },
              { path: '/', pathType: 'Prefix', backend: backend('web', { number: 70000 }) },
            ],
          },
        },
        { host: 'foo.*.com' },
      ],
    },
  });
  assert.equal(r.status, 422);
  const got = causes(r) ?? [];
  const expect = [
    /^spec.rules\[0\].host: Invalid value: "Bad.Host": a lowercase RFC 1123 subdomain/,
    /^spec.rules\[0\].http.paths\[0\].pathType: Required value: pathType must be specified$/,
    /^spec.rules\[0\].http.paths\[1\].path: Invalid value: "rel": must be an absolute path$/,
    /^spec.rules\[0\].http.paths\[1\].backend.service.port: Invalid value: "": port name or number is required$/,
    /^spec.rules\[0\].http.paths\[2\].pathType: Unsupported value: "Glob": supported values: "Exact", "ImplementationSpecific", "Prefix"$/,
    /^spec.rules\[0\].http.paths\[2\].backend.service.port: Invalid value: "http": cannot set both port name & port number$/,
    /^spec.rules\[0\].http.paths\[3\].backend: Invalid value: "": resource or service backend is required$/,
    /^spec.rules\[0\].http.paths\[4\].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive$/,
    /^spec.rules\[1\].host: Invalid value: "foo.\*.com": a wildcard DNS-1123 subdomain must start with '\*.'/,
  ];
  assert.equal(got.length, expect.length, got.join('\n'));
  for (const [i, re] of expect.entries()) assert.match(got[i], re);
  const empty = await s.request('POST', `${net}/namespaces/default/ingresses`, {
    metadata: { name: 'e' },
    spec: {},
  });
  assert.match((empty.json() as Status).message, /either `defaultBackend` or `rules` must be specified/);
});

test('an IngressClass names its controller (immutable) and parameters', async () => {
  const made = await s.request('POST', `${net}/ingressclasses`, {
    metadata: { name: 'nginx' },
    spec: {
      controller: 'k8s.io/ingress-nginx',
      parameters: { apiGroup: 'k8s.example.com', kind: 'Params', name: 'p' },
    },
  });
  assert.equal(made.status, 201, made.text);
  const table = (await s.request('GET', `${net}/ingressclasses`, undefined, tableAccept)).json() as Table;
  assert.deepEqual(table.rows[0].cells.slice(0, 3), [
    'nginx',
    'k8s.io/ingress-nginx',
    'Params.k8s.example.com/p',
  ]);
  const changed = await s.request(
    'PATCH',
    `${net}/ingressclasses/nginx`,
    { spec: { controller: 'example.com/other' } },
    { 'content-type': 'application/merge-patch+json' },
  );
  assert.deepEqual(causes(changed), [
    'spec.controller: Invalid value: "example.com/other": field is immutable',
  ]);
});

test('a NetworkPolicy is defaulted (policy types, TCP), checked and printed with its pod selector', async () => {
  const made = await s.request('POST', `${net}/namespaces/default/networkpolicies`, {
    metadata: { name: 'api' },
    spec: {
      podSelector: { matchLabels: { app: 'api', tier: 'back' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    },
  });
  assert.equal(made.status, 201, made.text);
  const spec = (made.json() as { spec: Record<string, unknown> }).spec;
  assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual((spec.ingress as { ports: unknown[] }[])[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  await s.request('POST', `${net}/namespaces/default/networkpolicies`, {
    metadata: { name: 'deny-all' },
    spec: { podSelector: {} },
  });
  const table = (
    await s.request('GET', `${net}/namespaces/default/networkpolicies`, undefined, tableAccept)
  ).json() as Table;
  assert.deepEqual(
    table.columnDefinitions.map((c) => c.name),
    ['Name', 'Pod-Selector', 'Age'],
  );
  assert.deepEqual(
    table.rows.map((r) => r.cells.slice(0, 2)),
    [
      ['api', 'app=api,tier=back'],
      ['deny-all', '<none>'],
    ],
  );
  const bad = await s.request('POST', `${net}/namespaces/default/networkpolicies`, {
    metadata: { name: 'bad' },
    spec: {
      policyTypes: ['Sideways'],
      ingress: [
        {
          ports: [{ protocol: 'ICMP' }, { port: 'http', endPort: 90 }],
          from: [{}, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }],
        },
      ],
    },
  });
  assert.deepEqual(causes(bad), [
    'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1]: Forbidden: may not specify more than 1 peer type',
  ]);
});
