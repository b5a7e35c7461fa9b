import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

let s: TestServer;
before(async () => {
  s = await startTestServer({ bookmarkIntervalMs: 50 });
});
after(() => s.close());

const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = { a: '1' },
) => ({
  metadata: { name, labels },
  data,
});
const rv = (o: Record<string, unknown>) => (o.metadata as { resourceVersion: string }).resourceVersion;

test('a watch from a list’s resourceVersion sees later changes only, in order', async () => {
  await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('before'));
  const list = (await s.request('GET', '/api/v1/namespaces/default/configmaps')).json();
  const w = await s.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv(list)}`);
  assert.equal(w.status, 200);
  const created = (await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('w1'))).json();
  await s.request('PUT', '/api/v1/namespaces/default/configmaps/w1', { ...cm('w1', {}, { a: '2' }) });
  await s.request('DELETE', '/api/v1/namespaces/default/configmaps/w1');
  await w.waitFor(3);
  w.close();
  assert.deepEqual(
    w.events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
  assert.equal(rv(w.events[0].object), rv(created));
  const versions = w.events.map((e) => Number(rv(e.object)));
  assert.deepEqual(
    versions,
    [...versions].sort((a, b) => a - b),
  );
  assert.ok(new Set(versions).size === 3, 'every event has its own, increasing resourceVersion');
});

test('a watch without a resourceVersion starts with the current objects as ADDED', async () => {
  const w = await s.watch('/api/v1/namespaces/default/configmaps?watch=1');
  await w.waitFor(1);
  w.close();
  assert.ok(
    w.events.some((e) => e.type === 'ADDED' && (e.object.metadata as { name: string }).name === 'before'),
  );
});

test('a compacted resourceVersion is 410 Gone', async () => {
  const r1 = await s.store.revision();
  await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('compact-me'));
  await s.store.compact(await s.store.revision());
  const w = await s.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${r1}`);
  await w.ended;
  assert.equal(w.status, 410);
  const list = await s.request(
    'GET',
    `/api/v1/namespaces/default/configmaps?resourceVersion=${r1}&resourceVersionMatch=Exact`,
  );
  assert.equal(list.status, 410);
  assert.equal(list.json().reason, 'Expired');
});

test('a resourceVersion the store has not reached is 504 Too large resource version', async () => {
  const now = await s.store.revision();
  const w = await s.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${now + 1000}`);
  await w.ended;
  assert.equal(w.status, 504);
  const list = await s.request(
    'GET',
    `/api/v1/namespaces/default/configmaps?resourceVersion=${now + 1000}&resourceVersionMatch=Exact`,
  );
  assert.equal(list.status, 504);
  assert.equal(list.json().reason, 'Timeout');
  assert.match(
    list.json().message as string,
    new RegExp(`Too large resource version: ${now + 1000}, current: ${now}`),
  );
});

test('BOOKMARK events come when asked, with the newest resourceVersion', async () => {
  const now = await s.store.revision();
  const w = await s.watch(
    `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${now}`,
  );
  await w.waitFor(1);
  w.close();
  assert.equal(w.events[0].type, 'BOOKMARK');
  assert.equal(rv(w.events[0].object), String(now));
  assert.equal(w.events[0].object.kind, 'ConfigMap');
});

test('WatchList: the initial objects, then the k8s.io/initial-events-end bookmark, then changes', async () => {
  const w = await s.watch(
    '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=',
  );
  const count = ((await s.request('GET', '/api/v1/namespaces/default/configmaps')).json().items as unknown[])
    .length;
  await w.waitFor(count + 1);
  const end = w.events[count];
  assert.ok(w.events.slice(0, count).every((e) => e.type === 'ADDED'));
  assert.equal(end.type, 'BOOKMARK');
  assert.deepEqual((end.object.metadata as { annotations: Record<string, string> }).annotations, {
    'k8s.io/initial-events-end': 'true',
  });
  await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('after-initial'));
  await w.waitFor(count + 2);
  w.close();
  const added = w.events.slice(count + 1).find((e) => e.type === 'ADDED');
  assert.ok(added);
  assert.equal((added.object.metadata as { name: string }).name, 'after-initial');
});

test('with a selector, objects entering it are ADDED and leaving it DELETED', async () => {
  const from = await s.store.revision();
  const w = await s.watch(
    `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=team%3Dblue&resourceVersion=${from}`,
  );
  await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('sel', { team: 'red' }));
  await s.request('PUT', '/api/v1/namespaces/default/configmaps/sel', cm('sel', { team: 'blue' }));
  await s.request(
    'PUT',
    '/api/v1/namespaces/default/configmaps/sel',
    cm('sel', { team: 'blue' }, { a: 'changed' }),
  );
  await s.request('PUT', '/api/v1/namespaces/default/configmaps/sel', cm('sel', { team: 'red' }));
  await w.waitFor(3);
  w.close();
  assert.deepEqual(
    w.events.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
});

test('a watch asked as Table sends Table rows', async () => {
  const from = await s.store.revision();
  const table = await new Promise<{ type: string; object: Record<string, unknown> }>((resolve, reject) => {
    const req = fetch(`${s.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}`, {
      headers: { authorization: 'Bearer test-token', accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
    });
    req
      .then(async (res) => {
        const reader = res.body!.getReader();
        void s.request('POST', '/api/v1/namespaces/default/configmaps', cm('tabled'));
        const { value } = await reader.read();
        await reader.cancel();
        resolve(JSON.parse(Buffer.from(value!).toString().split('\n')[0]));
      })
      .catch(reject);
  });
  assert.equal(table.type, 'ADDED');
  assert.equal(table.object.kind, 'Table');
  assert.deepEqual((table.object.rows as { cells: unknown[] }[])[0].cells, ['tabled', 1, '0s']);
});
