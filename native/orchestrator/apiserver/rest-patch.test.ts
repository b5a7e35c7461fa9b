// PATCH at the route: each patch type, the errors kube-apiserver gives, and the options (dryRun,
// fieldValidation, force, fieldManager) through the same write path as a PUT.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const cms = '/api/v1/namespaces/default/configmaps';
const patch = (path: string, body: unknown, type: string) =>
  s.request('PATCH', path, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': type });
const json = 'application/json-patch+json';
const merge = 'application/merge-patch+json';
const smp = 'application/strategic-merge-patch+json';
const apply = 'application/apply-patch+yaml';

describe('PATCH', () => {
  test('each type changes the object; a no-op keeps its resourceVersion', async () => {
    await s.request('POST', cms, { metadata: { name: 'p' }, data: { a: '1' } });
    let r = await patch(`${cms}/p`, [{ op: 'add', path: '/data/b', value: '2' }], json);
    assert.equal(r.status, 200);
    r = await patch(`${cms}/p`, { data: { a: null } }, merge);
    assert.deepEqual(r.json().data, { b: '2' });
    r = await patch(`${cms}/p`, { metadata: { labels: { x: 'y' } } }, smp);
    const rv = (r.json().metadata as { resourceVersion: string }).resourceVersion;
    r = await patch(`${cms}/p`, { metadata: { labels: { x: 'y' } } }, smp);
    assert.equal((r.json().metadata as { resourceVersion: string }).resourceVersion, rv);
  });

  test('errors: 415, 400 for a body that is no patch, 422 for a failed test, 404, 409 for a stale resourceVersion', async () => {
    let r = await patch(`${cms}/p`, '{}', 'application/json');
    assert.equal(r.status, 415);
    r = await patch(`${cms}/p`, 'xyz', json);
    assert.deepEqual(
      [r.status, r.json().message],
      [400, "invalid character 'x' looking for beginning of value"],
    );
    r = await patch(`${cms}/p`, { op: 'add' }, json);
    assert.deepEqual(
      [r.status, r.json().message],
      [400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    );
    r = await patch(`${cms}/p`, [{ op: 'test', path: '/data/b', value: 'no' }], json);
    assert.equal(r.status, 422);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    r = await patch(`${cms}/nope`, { data: {} }, merge);
    assert.deepEqual([r.status, r.json().message], [404, 'configmaps "nope" not found']);
    r = await patch(`${cms}/p`, { metadata: { resourceVersion: '1' }, data: { c: '3' } }, merge);
    assert.equal(r.status, 409);
  });

  test('the patched object is validated: 422 names the field', async () => {
    await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    const r = await patch(
      '/apis/apps/v1/namespaces/default/deployments/d',
      { spec: { replicas: -2 } },
      merge,
    );
    assert.equal(r.status, 422);
    assert.equal((r.json().details as { causes: { field: string }[] }).causes[0].field, 'spec.replicas');
  });

  test('dryRun=All answers the result and stores nothing; Strict refuses unknown fields', async () => {
    const before = (await s.request('GET', `${cms}/p`)).json();
    let r = await patch(`${cms}/p?dryRun=All`, { data: { z: '1' } }, merge);
    assert.equal((r.json().data as Record<string, string>).z, '1');
    assert.deepEqual((await s.request('GET', `${cms}/p`)).json(), before);
    r = await patch(`${cms}/p?fieldValidation=Strict`, { dataa: { z: '1' } }, merge);
    assert.deepEqual([r.status, r.json().message], [400, 'strict decoding error: unknown field "dataa"']);
  });

  test('apply needs a fieldManager, force only goes with apply, apply creates (201)', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { a: '1' } };
    let r = await patch(`${cms}/ap`, body, apply);
    assert.equal(r.status, 422);
    assert.match(r.json().message as string, /fieldManager: Required value: is required for apply patch/);
    r = await patch(`${cms}/p?force=true`, { data: {} }, merge);
    assert.match(r.json().message as string, /force: Forbidden: may not be specified for non-apply patch/);
    r = await patch(`${cms}/ap?fieldManager=me`, body, apply);
    assert.equal(r.status, 201);
    r = await patch(`${cms}/ap?fieldManager=me`, body, apply);
    assert.equal(r.status, 200);
  });

  test('apply with a repeated key fails under Strict only', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: "1"\n  a: "2"\n';
    let r = await patch(`${cms}/dup?fieldManager=me&fieldValidation=Strict`, yaml, apply);
    assert.equal(r.status, 400);
    assert.match(
      r.json().message as string,
      /^error strict decoding YAML: .*line 7: key "a" already set in map/s,
    );
    r = await patch(`${cms}/dup?fieldManager=me`, yaml, apply);
    assert.equal(r.status, 201);
    assert.match(String(r.headers.warning), /already set in map/);
  });

  test('status and scale subresources', async () => {
    const dep = '/apis/apps/v1/namespaces/default/deployments/d';
    let r = await patch(
      `${dep}/status?fieldManager=ctl`,
      { status: { replicas: 3 }, spec: { replicas: 9 } },
      merge,
    );
    assert.equal((r.json().status as { replicas: number }).replicas, 3);
    assert.equal((r.json().spec as { replicas: number }).replicas, 1, 'status patches leave the spec');
    r = await patch(`${dep}/scale`, { spec: { replicas: 4 } }, merge);
    assert.deepEqual([r.json().kind, (r.json().spec as { replicas: number }).replicas], ['Scale', 4]);
    const d = (await s.request('GET', dep)).json() as {
      spec: { replicas: number };
      metadata: { managedFields: { subresource?: string }[] };
    };
    assert.equal(d.spec.replicas, 4);
    assert.ok(d.metadata.managedFields.some((m) => m.subresource === 'status'));
  });
});
