import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import { ManualClock } from '../../core/manual-clock.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { testApi } from '../testing.ts';
import { Kinds, type KubeClient } from './client.ts';
import { Informers, keyOf } from './informer.ts';
import { WorkQueue } from './queue.ts';

async function cluster() {
  const t = await testApi();
  return { ctx: t.ctx, store: t.store, clock: t.clock, client: t.client };
}

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', labels: { app: name } },
  data,
});

const eventually = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never: ${what}`);
};

test('the client writes through the API server: defaults, validation, resourceVersion checks', async () => {
  const { client, store } = await cluster();
  const made = await client.create(Kinds.ConfigMap, cm('a', { k: 'v' }));
  assert.equal(made.kind, 'ConfigMap');
  assert.ok(made.metadata?.uid);
  assert.ok(made.metadata?.creationTimestamp);
  assert.deepEqual((await client.get(Kinds.ConfigMap, 'default', 'a'))?.data, { k: 'v' });
  assert.equal(await client.get(Kinds.ConfigMap, 'default', 'missing'), undefined);

  await assert.rejects(
    client.create(Kinds.ConfigMap, { metadata: { name: 'Bad_Name', namespace: 'default' } }),
    (err) => err instanceof ApiError && err.code === 422,
  );
  await assert.rejects(
    client.create(Kinds.ConfigMap, cm('a')),
    (err) => err instanceof ApiError && err.reason === 'AlreadyExists',
  );

  const stale = structuredClone(made);
  await client.update(Kinds.ConfigMap, { ...made, data: { k: 'w' } });
  await assert.rejects(
    client.update(Kinds.ConfigMap, { ...stale, data: { k: 'x' } }),
    (err) => err instanceof ApiError && err.reason === 'Conflict',
  );

  await client.create(Kinds.ConfigMap, cm('b'));
  const list = await client.list(Kinds.ConfigMap, { namespace: 'default', labelSelector: 'app=b' });
  assert.deepEqual(
    list.items.map((o) => o.metadata?.name),
    ['b'],
  );
  assert.equal(list.resourceVersion, String(await store.revision()));

  await client.delete(Kinds.ConfigMap, 'default', 'b');
  await client.delete(Kinds.ConfigMap, 'default', 'b'); // already gone: fine
  assert.equal(await client.get(Kinds.ConfigMap, 'default', 'b'), undefined);
});

test('a pod status update changes only its status', async () => {
  const { client } = await cluster();
  const pod = await client.create(Kinds.Pod, {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  const updated = await client.updateStatus(Kinds.Pod, {
    ...pod,
    spec: { ...pod.spec, nodeName: 'sneaky' },
    status: { phase: 'Running' },
  });
  assert.equal(updated.status?.phase, 'Running');
  assert.equal(updated.spec?.nodeName, undefined);
});

test('an informer lists, then follows every change', async () => {
  const { client } = await cluster();
  await client.create(Kinds.ConfigMap, cm('first'));
  const informers = new Informers(client, silentLogger, 5);
  const inf = informers.for(Kinds.ConfigMap);
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${keyOf(o)}`),
    update: (o) => seen.push(`update ${keyOf(o)} ${JSON.stringify(o.data)}`),
    delete: (o) => seen.push(`delete ${keyOf(o)}`),
  });
  await informers.synced();
  assert.deepEqual(seen, ['add default/first']);

  const second = await client.create(Kinds.ConfigMap, cm('second'));
  await client.update(Kinds.ConfigMap, { ...second, data: { x: '1' } });
  await client.delete(Kinds.ConfigMap, 'default', 'first');
  await eventually(() => seen.length === 4, `four events, got ${seen.join('; ')}`);
  assert.deepEqual(seen.slice(1), [
    'add default/second',
    'update default/second {"x":"1"}',
    'delete default/first',
  ]);
  assert.equal(inf.get('default', 'first'), undefined);
  assert.deepEqual(inf.list('default').map(keyOf), ['default/second']);
  informers.stop();

  // A handler added late gets what is cached as adds.
  const late: string[] = [];
  inf.on({ add: (o) => late.push(keyOf(o)) });
  assert.deepEqual(late, ['default/second']);
});

test('a watch from a compacted version: the informer lists again and tells only the differences', async () => {
  const { client } = await cluster();
  await client.create(Kinds.ConfigMap, cm('kept'));
  await client.create(Kinds.ConfigMap, cm('goes'));
  // The first watch fails as a compacted one does; meanwhile one object goes and one comes.
  let watches = 0;
  const flaky: KubeClient = {
    ...client,
    get: client.get.bind(client),
    list: client.list.bind(client),
    watch(kind, rv, signal, opts) {
      if (watches++ === 0)
        return {
          async *[Symbol.asyncIterator]() {
            await client.delete(Kinds.ConfigMap, 'default', 'goes');
            const made = await client.create(Kinds.ConfigMap, cm('new'));
            // A bookmark, as the store sends, before the failure: the informer must not keep it.
            yield { type: 'BOOKMARK' as const, resourceVersion: made.metadata!.resourceVersion! };
            throw new ApiError(410, 'Expired', 'too old resource version');
          },
        };
      return client.watch(kind, rv, signal, opts);
    },
  } as KubeClient;
  const informers = new Informers(flaky, silentLogger, 5);
  const inf = informers.for(Kinds.ConfigMap);
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${keyOf(o)}`),
    update: (o) => seen.push(`update ${keyOf(o)}`),
    delete: (o) => seen.push(`delete ${keyOf(o)}`),
  });
  await eventually(() => watches === 2 && seen.length === 4, `relisted, got ${seen.join('; ')}`);
  assert.deepEqual(seen, ['add default/goes', 'add default/kept', 'add default/new', 'delete default/goes']);
  await client.create(Kinds.ConfigMap, cm('after'));
  await eventually(() => seen.includes('add default/after'), 'the watch after the relist');
  informers.stop();
});

test('the work queue runs a key once at a time, again when re-added meanwhile, and backs off on failure', async () => {
  const clock = new ManualClock(0);
  const runs: string[] = [];
  let failNext = 2;
  let release: () => void = () => {};
  const queue = new WorkQueue(
    'test',
    async (key) => {
      runs.push(key);
      if (key === 'slow') await new Promise<void>((r) => (release = r));
      if (key === 'flaky' && failNext-- > 0) throw new Error('not yet');
    },
    { clock, log: silentLogger, baseDelayMs: 100 },
  );
  queue.add('slow');
  queue.add('slow'); // queued while queued: once
  await new Promise((r) => setImmediate(r));
  queue.add('slow'); // while running: once more after
  release();
  await new Promise((r) => setImmediate(r));
  release();
  await queue.idle();
  assert.deepEqual(runs, ['slow', 'slow']);

  runs.length = 0;
  queue.add('flaky');
  await queue.idle();
  assert.deepEqual(runs, ['flaky']);
  assert.deepEqual(clock.pending(), [100]);
  await clock.advance(100);
  await queue.idle();
  assert.deepEqual(clock.pending(), [200], 'the second failure waits twice as long');
  await clock.advance(200);
  await queue.idle();
  assert.deepEqual(runs, ['flaky', 'flaky', 'flaky']);
  assert.deepEqual(clock.pending(), []);

  queue.addAfter('later', 1000);
  queue.addAfter('later', 50);
  await clock.advance(50);
  await queue.idle();
  assert.deepEqual(runs.at(-1), 'later');
  queue.stop();
});
