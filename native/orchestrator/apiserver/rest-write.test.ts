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

  test('the same spec with its keys in another order is no new generation', async () => {
    const current = (await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json() as {
      metadata: { generation: number };
      spec: Record<string, unknown>;
    };
    const reordered = Object.fromEntries(Object.entries(current.spec).reverse());
    const r = await s.request('PUT', '/apis/apps/v1/namespaces/default/deployments/web', {
      ...current,
      spec: reordered,
    });
    assert.equal(r.status, 200);
    assert.equal((r.json().metadata as { generation: number }).generation, current.metadata.generation);
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

  test('PATCH with a content type that is no patch type is 415 listing the patch types', async () => {
    const r = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/cas', '{}', {
      'content-type': 'application/json',
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
