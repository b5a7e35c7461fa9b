import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { OpenApi } from './openapi/openapi.ts';
import { defaultRegistry } from './resources/index.ts';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const kubectlDiscoveryAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('aggregated discovery (v2, then v2beta1) lists every group with verbs, short names, categories, subresources', async () => {
  const apis = await s.request('GET', '/apis', undefined, { accept: kubectlDiscoveryAccept });
  assert.equal(apis.status, 200);
  assert.equal(
    apis.headers['content-type'],
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  );
  const list = apis.json() as {
    kind: string;
    items: {
      metadata: { name: string };
      versions: { version: string; resources: Record<string, unknown>[] }[];
    }[];
  };
  assert.equal(list.kind, 'APIGroupDiscoveryList');
  assert.deepEqual(list.items.map((g) => g.metadata.name).sort(), [
    'apiextensions.k8s.io',
    'apps',
    'authentication.k8s.io',
    'authorization.k8s.io',
    'autoscaling',
    'batch',
    'coordination.k8s.io',
    'discovery.k8s.io',
    'events.k8s.io',
    'networking.k8s.io',
    'policy',
    'rbac.authorization.k8s.io',
    'scheduling.k8s.io',
    'storage.k8s.io',
  ]);
  const deployments = list.items
    .find((g) => g.metadata.name === 'apps')!
    .versions[0].resources.find((r) => r.resource === 'deployments')!;
  assert.deepEqual(deployments.shortNames, ['deploy']);
  assert.deepEqual(deployments.categories, ['all']);
  assert.equal(deployments.scope, 'Namespaced');
  assert.deepEqual(
    (deployments.subresources as { subresource: string; responseKind: { kind: string } }[]).map((x) => [
      x.subresource,
      x.responseKind.kind,
    ]),
    [
      ['status', 'Deployment'],
      ['scale', 'Scale'],
    ],
  );
  const beta = await s.request('GET', '/api', undefined, {
    accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
  });
  assert.equal(
    beta.headers['content-type'],
    'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  );
  const core = beta.json() as {
    items: { versions: { resources: { resource: string; verbs: string[] }[] }[] }[];
  };
  const pods = core.items[0].versions[0].resources.find((r) => r.resource === 'pods')!;
  assert.deepEqual(pods.verbs, [
    'create',
    'delete',
    'deletecollection',
    'get',
    'list',
    'patch',
    'update',
    'watch',
  ]);
});

test('plain discovery answers clients that do not ask for the aggregated form (never 406)', async () => {
  const api = (await s.request('GET', '/api', undefined, { accept: 'application/json' })).json();
  assert.equal(api.kind, 'APIVersions');
  assert.deepEqual(api.versions, ['v1']);
  const unknownAggregate = await s.request('GET', '/apis', undefined, {
    accept: 'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json',
  });
  assert.equal(unknownAggregate.status, 200);
  assert.equal(unknownAggregate.json().kind, 'APIGroupList');
  const rl = (await s.request('GET', '/apis/apps/v1')).json() as {
    resources: { name: string; kind: string; group?: string }[];
  };
  assert.ok(
    rl.resources.some(
      (r) => r.name === 'deployments/scale' && r.kind === 'Scale' && r.group === 'autoscaling',
    ),
  );
  const group = (await s.request('GET', '/apis/batch')).json() as {
    preferredVersion: { groupVersion: string };
  };
  assert.equal(group.preferredVersion.groupVersion, 'batch/v1');
  // Resources by name, as kube-apiserver lists them: `kubectl get all` prints pods before services.
  const core = (await s.request('GET', '/api/v1')).json() as { resources: { name: string }[] };
  const top = core.resources.map((r) => r.name).filter((n) => !n.includes('/'));
  assert.deepEqual(top, [...top].sort());
  assert.ok(top.indexOf('pods') < top.indexOf('services'));
});

test('/openapi/v2 is 404 (kubectl then uses v3); /openapi/v3 lists every group-version with a hash', async () => {
  assert.equal(
    (
      await s.request('GET', '/openapi/v2', undefined, {
        accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      })
    ).status,
    404,
  );
  const root = (await s.request('GET', '/openapi/v3')).json() as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  assert.ok(root.paths['api/v1'].serverRelativeURL.startsWith('/openapi/v3/api/v1?hash='));
  assert.ok(root.paths['apis/apps/v1']);
  const doc = await s.request('GET', root.paths['api/v1'].serverRelativeURL);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  const schemas = (doc.json().components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  assert.deepEqual(schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [
    { group: '', version: 'v1', kind: 'Pod' },
  ]);
  const containers = (
    schemas['io.k8s.api.core.v1.PodSpec'].properties as Record<string, Record<string, unknown>>
  ).containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
});

test('every kind the server serves has a schema, and every type name in the description resolves', () => {
  const registry = defaultRegistry();
  const openapi = new OpenApi(registry);
  for (const def of registry.all())
    assert.ok(openapi.catalog.forKind(def.group, def.version, def.kind), `${def.group}/${def.kind}`);
  for (const gv of openapi.groupVersions()) assert.ok(openapi.document(gv), gv);
  for (const name of openapi.catalog.names()) {
    const t = openapi.catalog.get(name)!;
    for (const f of Object.values(t.fields)) openapi.catalog.parse(f.type, name);
  }
});

test('PATCH operations declare fieldValidation (kubectl then leaves validation to the server)', () => {
  const doc = new OpenApi(defaultRegistry()).document('apis/apps/v1') as {
    paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
  };
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.ok(item.patch.parameters?.some((p) => p.name === 'fieldValidation'));
});

test('a subresource another part serves (the kubelet’s pods/log) is listed and routed with the object’s scope', async () => {
  const t = await startTestServer({
    configure: (registry) =>
      registry.serveSubresource('', 'pods', 'log', {
        kind: { group: '', version: 'v1', kind: 'Pod' },
        verbs: ['get'],
        async serve(_ctx, scope, _req, res) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`log of ${scope.namespace}/${scope.name} tail=${scope.query.get('tailLines')}`);
        },
      }),
  });
  try {
    const r = await t.request('GET', '/api/v1/namespaces/default/pods/web/log?tailLines=5');
    assert.equal(r.text, 'log of default/web tail=5');
    const rl = (await t.request('GET', '/api/v1')).json() as {
      resources: { name: string; verbs: string[] }[];
    };
    assert.deepEqual(rl.resources.find((x) => x.name === 'pods/log')?.verbs, ['get']);
    assert.equal((await t.request('GET', '/api/v1/namespaces/default/pods/web/exec')).status, 404);
  } finally {
    await t.close();
  }
});

test('an upgrade nothing serves (exec before the kubelet) fails at once with a Status, never hangs', async () => {
  const raw = (headers: string) =>
    new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(new URL(s.url).port), '127.0.0.1', () => {
        sock.write(
          `GET /api/v1/namespaces/default/pods/web/exec?command=sh HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`,
        );
      });
      let out = '';
      sock.on('data', (d) => {
        out += d.toString();
      });
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
    });
  const anonymous = await raw('');
  assert.match(anonymous, /^HTTP\/1\.1 401 Unauthorized\r\n/);
  const authed = await raw('Authorization: Bearer test-token\r\n');
  assert.match(authed, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(authed, /"reason":"NotFound"/);
});
