import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const cm = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data: { a: 'b' },
});

describe('REST: create, get, list', () => {
  test('the default namespaces exist at start, Active, with their name label', async () => {
    const r = await s.request('GET', '/api/v1/namespaces');
    const items = r.json().items as {
      metadata: { name: string; labels: Record<string, string> };
      status: { phase: string };
    }[];
    assert.deepEqual(items.map((i) => i.metadata.name).sort(), [
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
    assert.ok(items.every((i) => i.status.phase === 'Active'));
    assert.equal(items[0].metadata.labels['kubernetes.io/metadata.name'], items[0].metadata.name);
  });

  test('create sets uid, creationTimestamp and resourceVersion; get returns the same object', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('one'));
    assert.equal(r.status, 201);
    const created = r.json() as { metadata: Record<string, string> };
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(created.metadata.namespace, 'default');
    assert.ok(Number(created.metadata.resourceVersion) > 0);
    const got = await s.request('GET', '/api/v1/namespaces/default/configmaps/one');
    assert.deepEqual(got.json(), created);
  });

  test('a second create of the same name is 409 AlreadyExists', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('one'));
    assert.equal(r.status, 409);
    assert.equal(r.json().reason, 'AlreadyExists');
    assert.equal(r.json().message, 'configmaps "one" already exists');
  });

  test('generateName makes a unique name', async () => {
    const a = await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('', { generateName: 'gen-' }),
    );
    const b = await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('', { generateName: 'gen-' }),
    );
    const na = (a.json().metadata as { name: string }).name;
    const nb = (b.json().metadata as { name: string }).name;
    assert.match(na, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(na, nb);
  });

  test('an invalid name is 422 naming the field', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'));
    assert.equal(r.status, 422);
    const st = r.json() as { reason: string; message: string; details: { causes: { field: string }[] } };
    assert.equal(st.reason, 'Invalid');
    assert.match(
      st.message,
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.equal(st.details.causes[0].field, 'metadata.name');
  });

  test('a pod without containers is 422 on spec.containers', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: 'p' },
      spec: {},
    });
    assert.equal(r.status, 422);
    assert.match(r.json().message as string, /spec.containers: Required value/);
  });

  test('a body of another kind or namespace is 400', async () => {
    const kind = await s.request('POST', '/api/v1/namespaces/default/configmaps', {
      ...cm('k'),
      kind: 'Secret',
    });
    assert.equal(kind.status, 400);
    const ns = await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('k', { namespace: 'kube-system' }),
    );
    assert.equal(ns.status, 400);
    assert.equal(
      ns.json().message,
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  test('creating in a namespace that does not exist is 404 for the namespace', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    assert.equal(r.status, 404);
    assert.equal(r.json().message, 'namespaces "nope" not found');
  });

  test('unknown objects and kinds are 404', async () => {
    const obj = await s.request('GET', '/api/v1/namespaces/default/configmaps/missing');
    assert.equal(obj.status, 404);
    assert.deepEqual(obj.json().details, { name: 'missing', kind: 'configmaps' });
    const kind = await s.request('GET', '/api/v1/namespaces/default/widgets');
    assert.equal(kind.status, 404);
    const group = await s.request('GET', '/apis/widgets.example.com/v1');
    assert.equal(group.status, 404);
  });

  test('lists carry metadata.resourceVersion, across namespaces too', async () => {
    const r = await s.request('GET', '/api/v1/configmaps');
    const list = r.json() as { kind: string; metadata: { resourceVersion: string }; items: unknown[] };
    assert.equal(list.kind, 'ConfigMapList');
    assert.equal(list.metadata.resourceVersion, String(await s.store.revision()));
    assert.ok(list.items.length >= 3);
  });

  test('label and field selectors filter lists (set-based too)', async () => {
    for (const [name, tier] of [
      ['sel-a', 'web'],
      ['sel-b', 'db'],
      ['sel-c', 'cache'],
    ])
      await s.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        cm(name, { labels: { tier, app: 'sel' } }),
      );
    const names = async (q: string) =>
      (
        (await s.request('GET', `/api/v1/namespaces/default/configmaps?${q}`)).json().items as {
          metadata: { name: string };
        }[]
      ).map((i) => i.metadata.name);
    assert.deepEqual(await names('labelSelector=tier%3Dweb'), ['sel-a']);
    assert.deepEqual(await names('labelSelector=app%3Dsel,tier%20in%20(db,cache)'), ['sel-b', 'sel-c']);
    assert.deepEqual(await names('labelSelector=app%3Dsel,tier%20notin%20(db)'), ['sel-a', 'sel-c']);
    assert.deepEqual(await names('labelSelector=app%3Dsel,tier!%3Dweb'), ['sel-b', 'sel-c']);
    assert.deepEqual(await names('fieldSelector=metadata.name%3Dsel-b'), ['sel-b']);
    const bad = await s.request('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=spec.foo%3Dx');
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, 'field label not supported: spec.foo');
  });

  test('limit and continue page through a list at one resourceVersion', async () => {
    const first = (await s.request('GET', '/api/v1/namespaces/default/configmaps?limit=2')).json() as {
      metadata: { continue: string; resourceVersion: string; remainingItemCount: number };
      items: { metadata: { name: string } }[];
    };
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('zz-after-first-page'));
    const seen = first.items.map((i) => i.metadata.name);
    let cont: string | undefined = first.metadata.continue;
    while (cont) {
      const page = (
        await s.request(
          'GET',
          `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(cont)}`,
        )
      ).json() as typeof first;
      assert.equal(page.metadata.resourceVersion, first.metadata.resourceVersion);
      seen.push(...page.items.map((i) => i.metadata.name));
      cont = page.metadata.continue;
    }
    assert.equal(seen.length, first.items.length + first.metadata.remainingItemCount);
    assert.ok(!seen.includes('zz-after-first-page'), 'pages are of the first page’s revision');
  });
});

describe('authentication and negotiation', () => {
  test('a request without credentials is 401', async () => {
    const r = await fetch(`${s.url}/api`);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { reason: string }).reason, 'Unauthorized');
  });

  test('Table responses carry each kind’s columns; PartialObjectMetadata only metadata', async () => {
    const t = (
      await s.request('GET', '/api/v1/namespaces/default/configmaps', undefined, {
        accept:
          'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      })
    ).json() as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
      metadata: { resourceVersion: string };
    };
    assert.equal(t.kind, 'Table');
    assert.deepEqual(
      t.columnDefinitions.map((c) => c.name),
      ['Name', 'Data', 'Age'],
    );
    assert.ok(t.metadata.resourceVersion);
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
    const p = (
      await s.request('GET', '/api/v1/namespaces/default/configmaps', undefined, {
        accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
      })
    ).json() as { kind: string; items: Record<string, unknown>[] };
    assert.equal(p.kind, 'PartialObjectMetadataList');
    assert.deepEqual(Object.keys(p.items[0]).sort(), ['apiVersion', 'kind', 'metadata']);
  });

  test('an Accept of protobuf alone is 406; protobuf then JSON gets JSON', async () => {
    const only = await s.request('GET', '/api/v1/namespaces', undefined, {
      accept: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(only.status, 406);
    const both = await s.request('GET', '/api/v1/namespaces', undefined, {
      accept: 'application/vnd.kubernetes.protobuf,application/json',
    });
    assert.equal(both.status, 200);
    assert.match(String(both.headers['content-type']), /^application\/json/);
  });

  test('fieldValidation=Strict refuses unknown fields, Warn answers with a warning', async () => {
    const body = { ...cm('strict'), dat: { x: 'y' } };
    const strict = await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      body,
    );
    assert.equal(strict.status, 400);
    assert.equal(strict.json().message, 'strict decoding error: unknown field "dat"');
    const pod = {
      metadata: { name: 'typo' },
      spec: { containers: [{ name: 'c', image: 'x', imagePullPolicyy: 'Always' }] },
    };
    const warn = await s.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', pod);
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"spec.containers[0].imagePullPolicyy\\""');
  });
});
