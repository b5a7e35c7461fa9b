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

describe('REST: update, status, scale', () => {
  test('update with a stale resourceVersion is 409; with the current one it succeeds', async () => {
    const created = (await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('cas'))).json() as {
      metadata: { resourceVersion: string };
    };
    const ok = await s.request('PUT', '/api/v1/namespaces/default/configmaps/cas', {
      ...cm('cas'),
      metadata: { name: 'cas', resourceVersion: created.metadata.resourceVersion },
      data: { a: 'c' },
    });
    assert.equal(ok.status, 200);
    const stale = await s.request('PUT', '/api/v1/namespaces/default/configmaps/cas', {
      ...cm('cas'),
      metadata: { name: 'cas', resourceVersion: created.metadata.resourceVersion },
      data: { a: 'd' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
    assert.match(
      stale.json().message as string,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
  });

  test('a name in the body other than the URL’s is 400', async () => {
    const r = await s.request('PUT', '/api/v1/namespaces/default/configmaps/cas', cm('other'));
    assert.equal(r.status, 400);
  });

  const deploy = (replicas = 1, image = 'nginx') => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  });

  test('generation counts spec changes only; status is written apart from spec', async () => {
    const created = (
      await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
        ...deploy(),
        status: { replicas: 9 },
      })
    ).json() as {
      metadata: { generation: number };
      status: Record<string, unknown>;
      spec: { strategy: { type: string } };
    };
    assert.equal(created.metadata.generation, 1);
    assert.deepEqual(created.status, {}, 'status from the create body is dropped');
    assert.equal(created.spec.strategy.type, 'RollingUpdate', 'defaulted');
    const withLabel = { ...deploy(), metadata: { name: 'web', labels: { x: 'y' } } };
    const relabelled = (
      await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web', withLabel)
    ).json() as { metadata: { generation: number } };
    assert.equal(relabelled.metadata.generation, 1, 'a metadata change is not a new generation');
    const status = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web/status', {
      ...deploy(5),
      metadata: { name: 'web' },
      status: { replicas: 1, readyReplicas: 1 },
    });
    const afterStatus = status.json() as {
      metadata: { generation: number };
      spec: { replicas: number };
      status: { readyReplicas: number };
    };
    assert.equal(afterStatus.status.readyReplicas, 1);
    assert.equal(afterStatus.spec.replicas, 1, 'a status update leaves spec alone');
    const respec = (
      await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web', {
        ...deploy(1, 'nginx:2'),
        status: {},
      })
    ).json() as {
      metadata: { generation: number };
      status: { readyReplicas: number };
    };
    assert.equal(respec.metadata.generation, 2);
    assert.equal(respec.status.readyReplicas, 1, 'a spec update leaves status alone');
  });

  test('the scale subresource reads and sets spec.replicas', async () => {
    const scale = (
      await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale')
    ).json() as {
      kind: string;
      apiVersion: string;
      spec: { replicas: number };
      status: { selector: string };
      metadata: Record<string, unknown>;
    };
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.status.selector, 'app=web');
    const put = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', {
      ...scale,
      spec: { replicas: 4 },
    });
    assert.equal(put.status, 200);
    const d = (await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json() as {
      spec: { replicas: number };
      metadata: { generation: number };
    };
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.metadata.generation, 3);
    const negative = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', {
      ...scale,
      spec: { replicas: -1 },
    });
    assert.equal(negative.status, 422);
  });

  test('a deployment whose selector does not match its template is 422', async () => {
    const bad = deploy();
    bad.metadata.name = 'mismatch';
    bad.spec.template.metadata.labels = { app: 'other' };
    const r = await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', bad);
    assert.equal(r.status, 422);
    assert.match(
      r.json().message as string,
      /spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/,
    );
  });

  test('PATCH is 415 listing the patch types', async () => {
    const r = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/cas', '{}', {
      'content-type': 'application/merge-patch+json',
    });
    assert.equal(r.status, 415);
    assert.equal(r.json().reason, 'UnsupportedMediaType');
    for (const t of [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ])
      assert.ok((r.json().message as string).includes(t), t);
  });
});

describe('REST: delete', () => {
  test('a plain delete removes the object and answers a Success Status', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('gone'));
    const r = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/gone');
    assert.equal(r.status, 200);
    assert.equal(r.json().status, 'Success');
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/gone')).status, 404);
  });

  test('finalizers hold the object (deletionTimestamp set) until the last one is removed', async () => {
    await s.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      cm('held', { finalizers: ['example.com/hold'] }),
    );
    const del = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/held');
    assert.equal(del.status, 200);
    const held = (await s.request('GET', '/api/v1/namespaces/default/configmaps/held')).json() as {
      metadata: {
        deletionTimestamp: string;
        deletionGracePeriodSeconds: number;
        finalizers: string[];
        resourceVersion: string;
      };
    };
    assert.equal(held.metadata.deletionTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(held.metadata.deletionGracePeriodSeconds, 0);
    const addMore = await s.request('PUT', '/api/v1/namespaces/default/configmaps/held', {
      ...cm('held'),
      metadata: { ...held.metadata, finalizers: ['example.com/hold', 'example.com/more'] },
    });
    assert.equal(addMore.status, 422, 'no new finalizers while deleting');
    const release = await s.request('PUT', '/api/v1/namespaces/default/configmaps/held', {
      ...cm('held'),
      metadata: { ...held.metadata, finalizers: [] },
    });
    assert.equal(release.status, 200);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/held')).status, 404);
  });

  test('a pod on a node gets its grace period; an unscheduled one goes at once', async () => {
    const pod = (name: string, nodeName?: string) => ({
      metadata: { name },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
    await s.request('POST', '/api/v1/namespaces/default/pods', pod('bound', 'node-1'));
    await s.request('POST', '/api/v1/namespaces/default/pods', pod('pending'));
    const bound = (await s.request('DELETE', '/api/v1/namespaces/default/pods/bound')).json() as {
      kind: string;
      metadata: { deletionTimestamp: string; deletionGracePeriodSeconds: number };
    };
    assert.equal(bound.kind, 'Pod');
    assert.equal(bound.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(bound.metadata.deletionTimestamp, '2026-01-01T00:00:30Z');
    const table = (
      await s.request('GET', '/api/v1/namespaces/default/pods/bound', undefined, {
        accept: 'application/json;as=Table;g=meta.k8s.io;v=v1',
      })
    ).json() as {
      rows: { cells: unknown[] }[];
    };
    assert.equal(table.rows[0].cells[2], 'Terminating');
    const now = await s.request('DELETE', '/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0');
    assert.equal(now.status, 200);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
    await s.request('DELETE', '/api/v1/namespaces/default/pods/pending');
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/pending')).status, 404);
  });

  test('propagationPolicy is recorded as the garbage collector’s finalizer; a bad one is 422', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('fg'));
    await s.request('DELETE', '/api/v1/namespaces/default/configmaps/fg', {
      propagationPolicy: 'Foreground',
    });
    const fg = (await s.request('GET', '/api/v1/namespaces/default/configmaps/fg')).json() as {
      metadata: { finalizers: string[] };
    };
    assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
    const bad = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/cas', {
      propagationPolicy: 'Sideways',
    });
    assert.equal(bad.status, 422);
  });

  test('dryRun=All checks but changes nothing, for create, update and delete', async () => {
    const before = await s.store.revision();
    const c = await s.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(c.status, 201);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
    const u = await s.request('PUT', '/api/v1/namespaces/default/configmaps/cas?dryRun=All', {
      ...cm('cas'),
      data: { changed: 'yes' },
    });
    assert.equal(u.status, 200);
    const d = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/cas?dryRun=All');
    assert.equal(d.status, 200);
    assert.equal(await s.store.revision(), before);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/cas')).status, 200);
  });

  test('the system namespaces may not be deleted; a deleted namespace is Terminating and takes no new content', async () => {
    const sys = await s.request('DELETE', '/api/v1/namespaces/default');
    assert.equal(sys.status, 403);
    assert.equal(sys.json().message, 'namespaces "default" is forbidden: this namespace may not be deleted');
    await s.request('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await s.request('DELETE', '/api/v1/namespaces/doomed');
    const ns = (await s.request('GET', '/api/v1/namespaces/doomed')).json() as { status: { phase: string } };
    assert.equal(ns.status.phase, 'Terminating');
    const r = await s.request('POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    assert.equal(r.status, 403);
    assert.match(
      r.json().message as string,
      /unable to create new content in namespace doomed because it is being terminated/,
    );
  });

  test('deletecollection deletes what the selector picks', async () => {
    await s.request(
      'POST',
      '/api/v1/namespaces/kube-public/configmaps',
      cm('dc-1', { labels: { batch: 'x' } }),
    );
    await s.request(
      'POST',
      '/api/v1/namespaces/kube-public/configmaps',
      cm('dc-2', { labels: { batch: 'x' } }),
    );
    await s.request('POST', '/api/v1/namespaces/kube-public/configmaps', cm('dc-3'));
    const r = await s.request('DELETE', '/api/v1/namespaces/kube-public/configmaps?labelSelector=batch%3Dx');
    assert.equal(r.status, 200);
    const left = (await s.request('GET', '/api/v1/namespaces/kube-public/configmaps')).json().items as {
      metadata: { name: string };
    }[];
    assert.deepEqual(
      left.map((i) => i.metadata.name),
      ['dc-3'],
    );
  });

  test('namespaces have no deletecollection: 405', async () => {
    const r = await s.request('DELETE', '/api/v1/namespaces');
    assert.equal(r.status, 405);
    assert.equal(r.json().reason, 'MethodNotAllowed');
    assert.equal((await s.request('GET', '/api/v1/namespaces/kube-system')).status, 200);
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

describe('events, one storage under two APIs', () => {
  test('a core/v1 event reads as events.k8s.io/v1 and back', async () => {
    const core = await s.request('POST', '/api/v1/namespaces/default/events', {
      metadata: { name: 'web.1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Pulled',
      message: 'Image pulled',
      type: 'Normal',
      source: { component: 'kubelet', host: 'berth' },
      count: 2,
    });
    assert.equal(core.status, 201);
    const v1 = (await s.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/web.1')).json();
    assert.equal(v1.apiVersion, 'events.k8s.io/v1');
    assert.equal(v1.note, 'Image pulled');
    assert.deepEqual(v1.regarding, { kind: 'Pod', name: 'web', namespace: 'default' });
    assert.deepEqual(v1.deprecatedSource, { component: 'kubelet', host: 'berth' });
    assert.equal(v1.deprecatedCount, 2);
    const made = await s.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'web.2' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'berth.dev/kubelet',
      reportingInstance: 'berth',
      action: 'Pulling',
      reason: 'Pulling',
      regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
      note: 'Pulling image',
      type: 'Normal',
    });
    assert.equal(made.status, 201, made.text);
    const back = (await s.request('GET', '/api/v1/namespaces/default/events/web.2')).json();
    assert.equal(back.message, 'Pulling image');
    assert.equal(back.reportingComponent, 'berth.dev/kubelet');
    const picked = (
      await s.request(
        'GET',
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb,reason%3DPulled',
      )
    ).json();
    assert.deepEqual(
      (picked.items as { metadata: { name: string } }[]).map((e) => e.metadata.name),
      ['web.1'],
    );
    const missing = await s.request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      metadata: { name: 'web.3' },
      note: 'x',
    });
    assert.equal(missing.status, 422);
  });
});
