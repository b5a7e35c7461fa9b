// A custom resource served over HTTP once its CRD's kinds are in the registry (what the crd controller
// does when it is Established): discovery, OpenAPI, writes with validation, pruning and strict field
// validation, watch, patch types, and the kinds gone again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject, Registry } from '../registry.ts';
import { startTestServer, type TestServer } from '../test-server.ts';
import { customResourceDefs } from './resource.ts';

let s: TestServer;
let registry: Registry;
before(async () => {
  s = await startTestServer({
    configure: (r) => {
      registry = r;
    },
  });
  registry.replaceCustom('widgets.example.com', customResourceDefs(widgetCrd));
});
after(() => s.close());

const widgetCrd: KubeObject = {
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: {
      plural: 'widgets',
      singular: 'widget',
      kind: 'Widget',
      listKind: 'WidgetCatalogue',
      shortNames: ['wd'],
      categories: ['all'],
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        selectableFields: [{ jsonPath: '.spec.colour' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', maximum: 5 },
                  colour: { type: 'string', default: 'red' },
                  ports: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: {
                      type: 'object',
                      required: ['name'],
                      properties: { name: { type: 'string' }, port: { type: 'integer' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const base = '/apis/example.com/v1';
const widgets = `${base}/namespaces/default/widgets`;

test('discovery lists the kind with its short names and categories, aggregated too', async () => {
  const list = (await s.request('GET', base)).json() as { resources: Record<string, unknown>[] };
  assert.deepEqual(list.resources, [
    {
      name: 'widgets',
      singularName: 'widget',
      namespaced: true,
      kind: 'Widget',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['wd'],
      categories: ['all'],
    },
  ]);
  const agg = (
    await s.request('GET', '/apis', undefined, {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    })
  ).json() as { items: { metadata: { name: string }; versions: { resources: { resource: string }[] }[] }[] };
  const group = agg.items.find((g) => g.metadata.name === 'example.com');
  assert.deepEqual(
    group?.versions[0].resources.map((r) => r.resource),
    ['widgets'],
  );
});

test('the OpenAPI document of the group-version carries the schema under its Kubernetes name', async () => {
  const root = (await s.request('GET', '/openapi/v3')).json() as { paths: Record<string, unknown> };
  assert.ok(root.paths['apis/example.com/v1']);
  const doc = (await s.request('GET', '/openapi/v3/apis/example.com/v1')).json() as {
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  const schema = doc.components.schemas['com.example.v1.Widget'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [
    { group: 'example.com', version: 'v1', kind: 'Widget' },
  ]);
  assert.deepEqual(Object.keys(schema.properties as object).sort(), [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.ok(doc.components.schemas['com.example.v1.WidgetList']);
});

test('create: defaults, pruning with warnings, Strict refusing, the schema validating', async () => {
  const made = await s.request('POST', widgets, {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1' },
    spec: { size: 2, shape: 'round' },
  });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual((made.json() as KubeObject).spec, { size: 2, colour: 'red' });
  assert.equal(made.headers.warning, '299 - "unknown field \\"spec.shape\\""');
  const strict = await s.request('POST', `${widgets}?fieldValidation=Strict`, {
    metadata: { name: 'w2' },
    spec: { size: 2, shape: 'round' },
  });
  assert.deepEqual(
    [strict.status, strict.json().message],
    [400, 'strict decoding error: unknown field "spec.shape"'],
  );
  const bad = await s.request('POST', widgets, { metadata: { name: 'w3' }, spec: { size: 9 } });
  assert.equal(bad.status, 422);
  const status = bad.json() as { message: string; details: { kind: string; group: string } };
  assert.equal(
    status.message,
    'Widget "w3" is invalid: spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5',
  );
  assert.deepEqual([status.details.kind, status.details.group], ['Widget', 'example.com']);
  const missing = await s.request('POST', widgets, { metadata: { name: 'w4' }, spec: {} });
  assert.equal(missing.json().message, 'Widget "w4" is invalid: spec.size: Required value');
});

test('lists are of the listKind; selectableFields are field selectors, other fields are not', async () => {
  await s.request('POST', widgets, { metadata: { name: 'blue' }, spec: { size: 1, colour: 'blue' } });
  const all = (await s.request('GET', widgets)).json() as { kind: string; items: KubeObject[] };
  assert.equal(all.kind, 'WidgetCatalogue');
  const blue = (await s.request('GET', `${widgets}?fieldSelector=spec.colour%3Dblue`)).json() as {
    items: KubeObject[];
  };
  assert.deepEqual(
    blue.items.map((i) => i.metadata?.name),
    ['blue'],
  );
  const size = await s.request('GET', `${widgets}?fieldSelector=spec.size%3D1`);
  assert.deepEqual([size.status, size.json().message], [400, 'field label not supported: spec.size']);
  assert.equal((await s.request('DELETE', `${widgets}/blue`)).status, 200);
});

test('every request to a deprecated version is warned about', async () => {
  const crd = structuredClone(widgetCrd);
  const spec = crd.spec as { versions: Record<string, unknown>[] };
  spec.versions.push({ ...spec.versions[0], name: 'v1beta1', storage: false, deprecated: true });
  registry.replaceCustom('widgets.example.com', customResourceDefs(crd));
  try {
    const old = await s.request('GET', `${base.replace('v1', 'v1beta1')}/namespaces/default/widgets/w1`);
    assert.equal(old.status, 200, old.text);
    assert.equal(old.headers.warning, '299 - "example.com/v1beta1 Widget is deprecated"');
    assert.equal((old.json() as KubeObject).apiVersion, 'example.com/v1beta1');
    assert.equal((await s.request('GET', `${widgets}/w1`)).headers.warning, undefined);
  } finally {
    registry.replaceCustom('widgets.example.com', customResourceDefs(widgetCrd));
  }
});

test('watch sees custom resources; patch types are those of a custom resource', async () => {
  const w = await s.watch(`${widgets}?watch=true`);
  await w.waitFor(1);
  const merged = await s.request(
    'PATCH',
    `${widgets}/w1`,
    { spec: { size: 3 } },
    {
      'content-type': 'application/merge-patch+json',
    },
  );
  assert.equal(merged.status, 200, merged.text);
  assert.equal((merged.json() as KubeObject).metadata?.generation, 2);
  await w.waitFor(2);
  assert.deepEqual(
    w.events.map((e) => [e.type, (e.object.spec as { size: number }).size]),
    [
      ['ADDED', 2],
      ['MODIFIED', 3],
    ],
  );
  w.close();
  const smp = await s.request(
    'PATCH',
    `${widgets}/w1`,
    { spec: { size: 4 } },
    {
      'content-type': 'application/strategic-merge-patch+json',
    },
  );
  assert.deepEqual(
    [smp.status, smp.json().message],
    [
      415,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    ],
  );
});

test('server-side apply merges a list-map of the schema by its keys, each manager owning its entries', async () => {
  const apply = (manager: string, ports: unknown[]) =>
    s.request(
      'PATCH',
      `${widgets}/ssa?fieldManager=${manager}`,
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ssa' }, spec: { size: 1, ports } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
  assert.equal((await apply('alice', [{ name: 'http', port: 80 }])).status, 201);
  const r = await apply('bob', [{ name: 'metrics', port: 9090 }]);
  assert.equal(r.status, 200, r.text);
  const obj = r.json() as {
    spec: { ports: unknown[] };
    metadata: { managedFields: { manager: string; fieldsV1: { 'f:spec': Record<string, unknown> } }[] };
  };
  assert.deepEqual(obj.spec.ports, [
    { name: 'http', port: 80 },
    { name: 'metrics', port: 9090 },
  ]);
  const bob = obj.metadata.managedFields.find((m) => m.manager === 'bob');
  assert.deepEqual(Object.keys(bob?.fieldsV1['f:spec']['f:ports'] as object), ['k:{"name":"metrics"}']);
});

test('without the kinds (the CRD gone), the group is not served', async () => {
  registry.replaceCustom('widgets.example.com', []);
  assert.equal((await s.request('GET', widgets)).status, 404);
  assert.equal((await s.request('GET', '/openapi/v3/apis/example.com/v1')).status, 404);
  const groups = (await s.request('GET', '/apis')).json() as { groups: { name: string }[] };
  assert.ok(!groups.groups.some((g) => g.name === 'example.com'));
});
