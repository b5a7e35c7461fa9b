import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'default' },
  ...(deleteOptions ? { deleteOptions } : {}),
});

const evict = (name: string, body: unknown) =>
  s.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, body);

type Pod = {
  metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};
const disruption = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'DisruptionTarget');

test('discovery lists pods/eviction as a policy/v1 Eviction that can be created', async () => {
  const list = (await s.request('GET', '/api/v1')).json() as {
    resources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
  };
  const r = list.resources.find((x) => x.name === 'pods/eviction');
  assert.deepEqual(r && { kind: r.kind, group: r.group, version: r.version, verbs: r.verbs }, {
    kind: 'Eviction',
    group: 'policy',
    version: 'v1',
    verbs: ['create'],
  });
});

test('an Eviction deletes a pod gracefully: 201 and a Status; the pod on a node lingers with its grace', async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e1', { nodeName: 'node-a' }));
  const r = await evict('e1', eviction('e1', { gracePeriodSeconds: 7 }));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 201,
  });
  const got = (await s.request('GET', '/api/v1/namespaces/default/pods/e1')).json() as Pod;
  assert.ok(got.metadata.deletionTimestamp, 'marked for deletion');
  assert.equal(got.metadata.deletionGracePeriodSeconds, 7);
  const { type, status, reason, message } = disruption(got) ?? {};
  assert.deepEqual(
    { type, status, reason, message },
    {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    },
    'the pod says why it goes',
  );

  // A pod no node runs goes at once.
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e2'));
  assert.equal((await evict('e2', eviction('e2'))).status, 201);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/e2')).status, 404);
});

test("an Eviction's dry run leaves the pod; bad Evictions are 400, a missing pod 404", async () => {
  await s.request('POST', '/api/v1/namespaces/default/pods', pod('e3'));
  assert.equal((await evict('e3', eviction('e3', { dryRun: ['All'] }))).status, 201);
  const kept = await s.request('GET', '/api/v1/namespaces/default/pods/e3');
  assert.equal(kept.status, 200);
  assert.equal((kept.json() as Pod).metadata.deletionTimestamp, undefined);
  assert.equal(disruption(kept.json() as Pod), undefined, 'a dry run marks nothing');

  const mismatch = await evict('e3', eviction('other'));
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json().message, 'name in URL does not match name in Eviction object');
  const notEviction = await evict('e3', { ...eviction('e3'), kind: 'Binding' });
  assert.equal(notEviction.status, 400);

  const missing = await evict('nope', eviction('nope'));
  assert.equal(missing.status, 404);
  assert.equal(missing.json().message, 'pods "nope" not found');
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/e3/eviction')).status, 405);
});

// Budgets: the disruption controller keeps their status; here it is written by hand through the
// status subresource, as the controller would.
const pdbs = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const merge = { 'content-type': 'application/merge-patch+json' };
type Budget = {
  metadata: { resourceVersion: string };
  status: {
    disruptionsAllowed: number;
    currentHealthy: number;
    disruptedPods?: Record<string, string>;
    conditions?: { type: string; status: string; reason: string }[];
  };
};

async function budget(name: string, spec: Record<string, unknown>, status: Record<string, unknown>) {
  const made = await s.request('POST', pdbs, { metadata: { name }, spec });
  assert.equal(made.status, 201, made.text);
  const st = await s.request(
    'PATCH',
    `${pdbs}/${name}/status`,
    { status: { observedGeneration: 1, ...status } },
    merge,
  );
  assert.equal(st.status, 200, st.text);
}

const getBudget = async (name: string) => (await s.request('GET', `${pdbs}/${name}`)).json() as Budget;

/** A pod the kubelet runs: Running, Ready or not, with these labels. */
async function running(name: string, labels: Record<string, string>, ready = true, phase = 'Running') {
  const made = await s.request('POST', '/api/v1/namespaces/default/pods', {
    ...pod(name, { nodeName: 'node-a' }),
    metadata: { name, labels },
  });
  assert.equal(made.status, 201, made.text);
  const st = await s.request(
    'PATCH',
    `/api/v1/namespaces/default/pods/${name}/status`,
    { status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } },
    merge,
  );
  assert.equal(st.status, 200, st.text);
}

const going = async (name: string) =>
  !!((await s.request('GET', `/api/v1/namespaces/default/pods/${name}`)).json() as Pod).metadata
    .deletionTimestamp;

test('a budget that allows no disruption refuses the eviction: 429 with the budget named in its cause', async () => {
  await budget(
    'db',
    { minAvailable: 2, selector: { matchLabels: { app: 'db' } } },
    { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
  );
  await running('db-1', { app: 'db' });
  const r = await evict('db-1', eviction('db-1'));
  assert.equal(r.status, 429, r.text);
  assert.equal(r.headers['retry-after'], undefined);
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: {
      causes: [
        {
          reason: 'DisruptionBudget',
          message: 'The disruption budget db needs 2 healthy pods and has 2 currently',
        },
      ],
    },
    code: 429,
  });
  assert.equal(await going('db-1'), false);
});

test('an allowed eviction takes one disruption and records the pod, then the next is refused', async () => {
  await budget(
    'api',
    { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } },
    {
      disruptionsAllowed: 1,
      currentHealthy: 2,
      desiredHealthy: 1,
      expectedPods: 2,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'True',
          reason: 'SufficientPods',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    },
  );
  await running('api-1', { app: 'api' });
  await running('api-2', { app: 'api' });
  // A dry run changes nothing.
  assert.equal((await evict('api-1', eviction('api-1', { dryRun: ['All'] }))).status, 201);
  assert.equal((await getBudget('api')).status.disruptionsAllowed, 1);

  const r = await evict('api-1', eviction('api-1'));
  assert.equal(r.status, 201, r.text);
  assert.equal(await going('api-1'), true);
  const b = await getBudget('api');
  assert.equal(b.status.disruptionsAllowed, 0);
  assert.deepEqual(b.status.disruptedPods, { 'api-1': '2026-01-01T00:00:00Z' });
  assert.deepEqual(
    b.status.conditions?.map((c) => [c.type, c.status, c.reason]),
    [['DisruptionAllowed', 'False', 'InsufficientPods']],
  );
  const next = await evict('api-2', eviction('api-2'));
  assert.equal(next.status, 429);
  assert.equal(await going('api-2'), false);
});

test('a status the controller has not caught up with is 429 too, with a retry time', async () => {
  await budget(
    'stale',
    { minAvailable: 1, selector: { matchLabels: { app: 'stale' } } },
    {
      disruptionsAllowed: 3,
      observedGeneration: 0,
    },
  );
  await running('stale-1', { app: 'stale' });
  const r = await evict('stale-1', eviction('stale-1'));
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], '10');
  assert.deepEqual((r.json() as { details: unknown }).details, {
    retryAfterSeconds: 10,
    causes: [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget stale is still being processed by the server.',
      },
    ],
  });
});

test('finished and Pending pods go whatever the budget; two budgets over one pod are a 500', async () => {
  await budget('jobs', { minAvailable: 5, selector: {} }, { disruptionsAllowed: 0, desiredHealthy: 5 });
  // The empty selector covers every pod of the namespace (policy/v1).
  await running('done', { app: 'batch' }, false, 'Succeeded');
  assert.equal((await evict('done', eviction('done'))).status, 201);
  await s.request('POST', '/api/v1/namespaces/default/pods', {
    ...pod('waiting'),
    metadata: { name: 'waiting' },
  });
  assert.equal((await evict('waiting', eviction('waiting'))).status, 201);

  await running('both', { app: 'db' });
  const r = await evict('both', eviction('both'));
  assert.equal(r.status, 500);
  const why =
    'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
  assert.deepEqual(r.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${why}`,
    reason: 'InternalError',
    details: { causes: [{ message: why }] },
    code: 500,
  });
  assert.equal((await s.request('DELETE', `${pdbs}/jobs`)).status, 200);
});

test('a pod that is not Ready follows unhealthyPodEvictionPolicy', async () => {
  // IfHealthyBudget (the default): it goes while the application has the healthy pods it needs…
  await budget(
    'healthy',
    { minAvailable: 1, selector: { matchLabels: { app: 'h' } } },
    { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 },
  );
  await running('h-sick', { app: 'h' }, false);
  assert.equal((await evict('h-sick', eviction('h-sick'))).status, 201);
  assert.equal((await getBudget('healthy')).status.disruptionsAllowed, 0, 'nothing taken');
  // …and not while it lacks them.
  await budget(
    'short',
    { minAvailable: 2, selector: { matchLabels: { app: 's' } } },
    { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 },
  );
  await running('s-sick', { app: 's' }, false);
  assert.equal((await evict('s-sick', eviction('s-sick'))).status, 429);
  // AlwaysAllow: an unhealthy pod always goes.
  await budget(
    'always',
    { minAvailable: 2, selector: { matchLabels: { app: 'a' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 },
  );
  await running('a-sick', { app: 'a' }, false);
  assert.equal((await evict('a-sick', eviction('a-sick'))).status, 201);
  await running('a-well', { app: 'a' });
  assert.equal((await evict('a-well', eviction('a-well'))).status, 429, 'a Ready pod still needs the budget');
});

test('a budget written meanwhile (a conflict) is read again and the eviction retried on the new status', async () => {
  await budget(
    'race',
    { maxUnavailable: 1, selector: { matchLabels: { app: 'race' } } },
    { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
  );
  await running('race-1', { app: 'race' });
  // Between the eviction's read of the budget and its write, the controller recounts (a third pod
  // became Ready): the eviction's compare-and-swap meets a newer revision.
  const store = s.store;
  const update = store.update.bind(store);
  let raced = 0;
  store.update = async (key, value, expected) => {
    if (key.endsWith('/poddisruptionbudgets/default/race') && raced++ === 0) {
      const current = (await store.get(key))!;
      const v = structuredClone(current.value) as Budget;
      v.status = { ...v.status, disruptionsAllowed: 2, currentHealthy: 3 };
      await update(key, v, current.revision);
    }
    return update(key, value, expected);
  };
  try {
    const r = await evict('race-1', eviction('race-1'));
    assert.equal(r.status, 201, r.text);
  } finally {
    store.update = update;
  }
  assert.equal(raced, 2, 'written twice: the conflict, then the retry');
  const b = await getBudget('race');
  assert.equal(b.status.currentHealthy, 3, "the controller's write is kept");
  assert.equal(b.status.disruptionsAllowed, 1, 'one taken from the new count');
  assert.deepEqual(Object.keys(b.status.disruptedPods ?? {}), ['race-1']);
});

test('an unhealthy pod that became Ready between the check and the delete is not deleted: 429, retry', async () => {
  await budget(
    'late',
    { minAvailable: 1, selector: { matchLabels: { app: 'late' } } },
    { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2 },
  );
  await running('late-1', { app: 'late' }, false);
  const store = s.store;
  const get = store.get.bind(store);
  let reads = 0;
  store.get = async (key) => {
    // The eviction reads the pod, checks the budget, then its delete reads the pod again: the
    // kubelet marks it Ready in between.
    if (key.endsWith('/pods/default/late-1') && ++reads === 2) {
      const current = (await get(key))!;
      const v = structuredClone(current.value) as { status: Record<string, unknown> };
      v.status.conditions = [{ type: 'Ready', status: 'True' }];
      await store.update(key, v, current.revision);
    }
    return get(key);
  };
  let r: Awaited<ReturnType<typeof evict>>;
  try {
    r = await evict('late-1', eviction('late-1'));
  } finally {
    store.get = get;
  }
  assert.equal(r.status, 429, r.text);
  assert.equal(
    (r.json() as { details: { causes: { message: string }[] } }).details.causes[0].message,
    'The disruption budget late is still being processed by the server.',
  );
  assert.equal(await going('late-1'), false);
});
