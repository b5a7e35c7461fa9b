import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryStore } from './memory.ts';
import { storeConformance } from './store.conformance.ts';

storeConformance('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

it('a watch abandoned mid-stream lets go of the store at abort, without being read again', async () => {
  const store = new MemoryStore();
  await store.create('/a/x', {});
  const abort = new AbortController();
  const w = store.watch('/a/', 0, abort.signal, { progressMs: 10 })[Symbol.asyncIterator]();
  assert.equal((await w.next()).value?.type, 'ADDED');
  assert.equal(store.watchers.count, 1);
  // The API server's loop stops reading when the client goes; it never calls next() again.
  abort.abort();
  assert.equal(store.watchers.count, 0, 'the listener (and its progress timer) are gone');
  await store.close();
});
