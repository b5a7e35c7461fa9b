import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../core/log.ts';
import { MemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import { WatchCache } from './cache.ts';

const keys = (r: { items: { key: string }[] } | undefined) => r?.items.map((i) => i.key);

test('a list right after a write sees it (the cache catches up with the store first)', async () => {
  const store = new MemoryStore();
  await store.create('/registry/pods/default/a', { n: 1 });
  const cache = new WatchCache(store, silentLogger);
  await cache.start();
  try {
    assert.deepEqual(keys(await cache.list('/registry/pods/')), ['/registry/pods/default/a']);
    for (let i = 0; i < 20; i++) {
      await store.create(`/registry/pods/default/p${i}`, { n: i });
      const listed = await cache.list('/registry/pods/default/');
      assert.ok(keys(listed)?.includes(`/registry/pods/default/p${i}`), `p${i} listed at once`);
      assert.equal(listed?.revision, await store.revision());
    }
    await store.delete('/registry/pods/default/a');
    await store.update('/registry/pods/default/p0', { n: 'changed' });
    const after = await cache.list('/registry/pods/default/');
    assert.ok(!keys(after)?.includes('/registry/pods/default/a'));
    assert.deepEqual(after?.items.find((i) => i.key.endsWith('/p0'))?.value, { n: 'changed' });
    // Other prefixes, and the range end: /registry/pods/default/ does not take /registry/pods/defaultx/.
    await store.create('/registry/pods/defaultx/z', {});
    await store.create('/registry/configmaps/default/c', {});
    assert.equal((await cache.list('/registry/pods/default/'))?.items.length, 20);
    assert.deepEqual(keys(await cache.list('/registry/configmaps/')), ['/registry/configmaps/default/c']);
  } finally {
    cache.stop();
  }
});

test('pages: the cache serves the next page while nothing changed; after a change it hands the token to the store', async () => {
  const store = new MemoryStore();
  for (const n of ['a', 'b', 'c', 'd', 'e']) await store.create(`/registry/pods/ns/${n}`, { n });
  const cache = new WatchCache(store, silentLogger);
  await cache.start();
  try {
    const first = await cache.list('/registry/pods/', { limit: 2 });
    assert.deepEqual(keys(first), ['/registry/pods/ns/a', '/registry/pods/ns/b']);
    assert.equal(first?.remaining, 3);
    const second = await cache.list('/registry/pods/', { limit: 2, continue: first?.continue });
    assert.deepEqual(keys(second), ['/registry/pods/ns/c', '/registry/pods/ns/d']);
    await store.create('/registry/pods/ns/f', {});
    await new Promise((r) => setImmediate(r));
    assert.equal(
      await cache.list('/registry/pods/', { continue: second?.continue }),
      undefined,
      'the store answers',
    );
    // The store reads the cache's token, at the revision of the first page: f is not in it.
    const rest = await store.list('/registry/pods/', { continue: second?.continue });
    assert.deepEqual(keys(rest), ['/registry/pods/ns/e']);
  } finally {
    cache.stop();
  }
});

test('a cache that cannot catch up in time leaves the list to the store', async () => {
  const store = new MemoryStore();
  const cache = new WatchCache(store, silentLogger, 50);
  await cache.start();
  // A store whose revision runs ahead of anything its watch delivers.
  const ahead: Store = Object.create(store, {
    revision: { value: async () => (await store.revision()) + 5 },
  });
  const lagging = new WatchCache(ahead, silentLogger, 50);
  await lagging.start();
  try {
    assert.equal(await lagging.list('/registry/pods/'), undefined);
    assert.deepEqual(keys(await cache.list('/registry/pods/')), []);
    cache.stop();
    assert.equal(await cache.list('/registry/pods/'), undefined, 'a stopped cache answers nothing');
  } finally {
    cache.stop();
    lagging.stop();
  }
});
