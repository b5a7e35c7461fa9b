// The conformance suite every Store backend passes (memory.test.ts, sqlite.test.ts, etcd.test.ts run
// it): what the API server relies on, written once. Each case works under a key prefix of its own, so
// one store (one etcd) serves the whole suite; compaction, which is store-wide, runs last.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Revision, type Store, StoreError, type StoreErrorKind, type WatchEvent } from './store.ts';

export interface Backend {
  store: Store;
  /** Closes the store and removes what the backend made. */
  cleanup(): Promise<void>;
}

async function rejectsWith(p: Promise<unknown>, kind: StoreErrorKind): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${err}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected a StoreError '${kind}'`);
}

/** Reads `n` events (PROGRESS too when `progress`), or fails after `ms`. */
async function take(
  it: AsyncIterator<WatchEvent>,
  n: number,
  opts: { progress?: boolean; ms?: number } = {},
): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const deadline = Date.now() + (opts.ms ?? 5000);
  while (out.length < n) {
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((res) => {
        timer = setTimeout(() => res('timeout'), Math.max(left, 0));
      }),
    ]);
    clearTimeout(timer);
    if (r === 'timeout') assert.fail(`got ${out.length} of ${n} events: ${JSON.stringify(out)}`);
    if (r.done) assert.fail(`the watch ended after ${out.length} of ${n} events`);
    if (r.value.type === 'PROGRESS' && !opts.progress) continue;
    out.push(r.value);
  }
  return out;
}

const summary = (e: WatchEvent) =>
  e.type === 'PROGRESS' ? `PROGRESS` : `${e.type} ${e.object.key} ${JSON.stringify(e.object.value)}`;

export function storeConformance(name: string, open: () => Promise<Backend>) {
  describe(`Store conformance: ${name}`, () => {
    let backend: Backend;
    let s: Store;
    before(async () => {
      backend = await open();
      s = backend.store;
    });
    after(async () => {
      await backend?.cleanup();
    });

    it('creates, gets, and refuses to create twice', async () => {
      const before = await s.revision();
      const made = await s.create('/c/create/a', { n: 1, nested: { list: [1, 'two'] } });
      assert.ok(made.revision > before, 'a write moves the revision on');
      assert.deepEqual(made, {
        key: '/c/create/a',
        value: { n: 1, nested: { list: [1, 'two'] } },
        revision: made.revision,
      });
      assert.deepEqual(await s.get('/c/create/a'), made);
      assert.equal(await s.revision(), made.revision);
      const err = await rejectsWith(s.create('/c/create/a', { n: 2 }), 'exists');
      assert.match(err.message, /\/c\/create\/a/);
      assert.deepEqual((await s.get('/c/create/a'))?.value, { n: 1, nested: { list: [1, 'two'] } });
      assert.equal(await s.get('/c/create/absent'), null);
    });

    it('hands out copies: changing a returned value changes nothing stored', async () => {
      const value = { spec: { replicas: 1 } };
      const made = await s.create('/c/copies/a', value);
      value.spec.replicas = 5;
      (made.value as typeof value).spec.replicas = 6;
      const got = await s.get('/c/copies/a');
      (got!.value as typeof value).spec.replicas = 7;
      assert.deepEqual((await s.get('/c/copies/a'))?.value, { spec: { replicas: 1 } });
    });

    it('updates with compare-and-swap on the revision', async () => {
      const a = await s.create('/c/cas/a', { v: 1 });
      const b = await s.update('/c/cas/a', { v: 2 }, a.revision);
      assert.ok(b.revision > a.revision);
      assert.deepEqual(await s.get('/c/cas/a'), { key: '/c/cas/a', value: { v: 2 }, revision: b.revision });
      // A writer that read the first version loses, and learns the current revision.
      const err = await rejectsWith(s.update('/c/cas/a', { v: 3 }, a.revision), 'conflict');
      assert.equal(err.current, b.revision);
      assert.deepEqual((await s.get('/c/cas/a'))?.value, { v: 2 });
      // Without a precondition the write goes through.
      const c = await s.update('/c/cas/a', { v: 4 });
      assert.ok(c.revision > b.revision);
      await rejectsWith(s.update('/c/cas/absent', { v: 1 }), 'not-found');
      await rejectsWith(s.update('/c/cas/absent', { v: 1 }, c.revision), 'not-found');
    });

    it('deletes with a precondition and returns the last value', async () => {
      const a = await s.create('/c/del/a', { v: 1 });
      const b = await s.update('/c/del/a', { v: 2 });
      const err = await rejectsWith(s.delete('/c/del/a', a.revision), 'conflict');
      assert.equal(err.current, b.revision);
      assert.ok(await s.get('/c/del/a'), 'a refused delete leaves the key');
      const gone = await s.delete('/c/del/a', b.revision);
      assert.deepEqual(gone.value, { v: 2 });
      assert.equal(gone.key, '/c/del/a');
      assert.ok(gone.revision > b.revision, 'the delete has a revision of its own');
      assert.equal(await s.revision(), gone.revision);
      assert.equal(await s.get('/c/del/a'), null);
      await rejectsWith(s.delete('/c/del/a'), 'not-found');
      await rejectsWith(s.update('/c/del/a', { v: 3 }), 'not-found');
      // The key can be made again, with a newer revision than any before.
      const again = await s.create('/c/del/a', { v: 5 });
      assert.ok(again.revision > gone.revision);
      const plain = await s.delete('/c/del/a');
      assert.deepEqual(plain.value, { v: 5 });
    });

    it('gives every write a revision greater than every one before, across keys', async () => {
      let last = await s.revision();
      for (let i = 0; i < 20; i++) {
        const key = `/c/mono/${i % 3}`;
        const w =
          i < 3
            ? await s.create(key, { i })
            : i % 7 === 0
              ? await s.delete(key)
              : await s.update(key, { i }).catch(() => s.create(key, { i }));
        assert.ok(w.revision > last, `write ${i} at ${w.revision} after ${last}`);
        last = w.revision;
      }
      assert.equal(await s.revision(), last);
    });

    it('lists a prefix in key order, and nothing outside it', async () => {
      for (const k of [
        '/c/list/p/b',
        '/c/list/p/a',
        '/c/list/p/c/deeper',
        '/c/list/pp/x',
        '/c/list/p0',
        '/c/list/o/z',
      ])
        await s.create(k, { k });
      const all = await s.list('/c/list/p/');
      assert.deepEqual(
        all.items.map((i) => i.key),
        ['/c/list/p/a', '/c/list/p/b', '/c/list/p/c/deeper'],
      );
      assert.deepEqual(all.items[0].value, { k: '/c/list/p/a' });
      assert.equal(all.revision, await s.revision());
      assert.equal(all.continue, undefined);
      assert.deepEqual((await s.list('/c/list/none/')).items, []);
      await s.delete('/c/list/p/b');
      assert.deepEqual(
        (await s.list('/c/list/p/')).items.map((i) => i.key),
        ['/c/list/p/a', '/c/list/p/c/deeper'],
      );
    });

    it('pages with limit and continue, every page of the revision of the first', async () => {
      const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `/c/page/${k}`);
      for (const k of keys) await s.create(k, { k, v: 1 });
      const p1 = await s.list('/c/page/', { limit: 2 });
      assert.deepEqual(
        p1.items.map((i) => i.key),
        keys.slice(0, 2),
      );
      assert.ok(p1.continue);
      assert.equal(p1.remaining, 3);
      // Changes after the first page are not seen by the later ones.
      await s.update('/c/page/c', { k: 'c', v: 2 });
      await s.delete('/c/page/d');
      await s.create('/c/page/f', { k: 'f', v: 1 });
      const p2 = await s.list('/c/page/', { limit: 2, continue: p1.continue });
      assert.equal(p2.revision, p1.revision);
      assert.deepEqual(
        p2.items.map((i) => [i.key, i.value]),
        [
          ['/c/page/c', { k: '/c/page/c', v: 1 }],
          ['/c/page/d', { k: '/c/page/d', v: 1 }],
        ],
      );
      assert.equal(p2.remaining, 1);
      const p3 = await s.list('/c/page/', { limit: 2, continue: p2.continue });
      assert.deepEqual(
        p3.items.map((i) => i.key),
        ['/c/page/e'],
      );
      assert.equal(p3.continue, undefined);
      // A new list sees the present.
      const now = await s.list('/c/page/', { limit: 10 });
      assert.deepEqual(
        now.items.map((i) => i.key),
        ['a', 'b', 'c', 'e', 'f'].map((k) => `/c/page/${k}`),
      );
      assert.deepEqual(now.items[2].value, { k: 'c', v: 2 });
      await rejectsWith(s.list('/c/page/', { continue: 'not a token' }), 'invalid');
      await rejectsWith(s.list('/c/other/', { continue: p1.continue }), 'invalid');
    });

    it('lists as of a past revision', async () => {
      await s.create('/c/past/a', { v: 1 });
      const b = await s.create('/c/past/b', { v: 1 });
      const at = b.revision;
      await s.update('/c/past/a', { v: 2 });
      await s.delete('/c/past/b');
      await s.create('/c/past/c', { v: 1 });
      const then = await s.list('/c/past/', { revision: at });
      assert.equal(then.revision, at);
      assert.deepEqual(
        then.items.map((i) => [i.key, i.value]),
        [
          ['/c/past/a', { v: 1 }],
          ['/c/past/b', { v: 1 }],
        ],
      );
      const paged = await s.list('/c/past/', { revision: at, limit: 1 });
      assert.deepEqual(
        paged.items.map((i) => i.key),
        ['/c/past/a'],
      );
      const rest = await s.list('/c/past/', { limit: 1, continue: paged.continue });
      assert.deepEqual(
        rest.items.map((i) => [i.key, i.value]),
        [['/c/past/b', { v: 1 }]],
      );
      await rejectsWith(s.list('/c/past/', { revision: (await s.revision()) + 1000 }), 'invalid');
    });

    it('watches from a revision: history then live changes, in order, deletes with their last value', async () => {
      const start = await s.revision();
      const a = await s.create('/c/watch/a', { v: 1 });
      await s.create('/c/watch-not/x', { v: 1 });
      const a2 = await s.update('/c/watch/a', { v: 2 });
      const gone = await s.delete('/c/watch/a');
      const abort = new AbortController();
      const w = s.watch('/c/watch/', start, abort.signal)[Symbol.asyncIterator]();
      const history = await take(w, 3);
      assert.deepEqual(history.map(summary), [
        'ADDED /c/watch/a {"v":1}',
        'MODIFIED /c/watch/a {"v":2}',
        'DELETED /c/watch/a {"v":2}',
      ]);
      assert.deepEqual(
        history.map((e) => (e.type === 'PROGRESS' ? 0 : e.object.revision)),
        [a.revision, a2.revision, gone.revision],
      );
      const b = await s.create('/c/watch/b', { v: 1 });
      await s.create('/c/watch-not/y', { v: 1 });
      const b2 = await s.update('/c/watch/b', { v: 2 }, b.revision);
      const live = await take(w, 2);
      assert.deepEqual(live.map(summary), ['ADDED /c/watch/b {"v":1}', 'MODIFIED /c/watch/b {"v":2}']);
      assert.equal(live[1].type !== 'PROGRESS' && live[1].object.revision, b2.revision);
      // A second watch from the middle sees only what came after.
      const w2 = s.watch('/c/watch/', a2.revision, abort.signal)[Symbol.asyncIterator]();
      assert.deepEqual((await take(w2, 3)).map(summary), [
        'DELETED /c/watch/a {"v":2}',
        'ADDED /c/watch/b {"v":1}',
        'MODIFIED /c/watch/b {"v":2}',
      ]);
      abort.abort();
      const end = await Promise.race([w.next(), new Promise((r) => setTimeout(() => r('still open'), 3000))]);
      assert.deepEqual(end, { done: true, value: undefined }, 'an aborted watch ends');
    });

    it('delivers every write of concurrent writers to a watch, in revision order', async () => {
      const start = await s.revision();
      const abort = new AbortController();
      const w = s.watch('/c/wconc/', start, abort.signal)[Symbol.asyncIterator]();
      const writes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => s.create(`/c/wconc/${String(i).padStart(2, '0')}`, { i })),
      );
      const events = await take(w, 40);
      abort.abort();
      const revisions = events.map((e) => (e.type === 'PROGRESS' ? 0 : e.object.revision));
      assert.deepEqual(
        revisions,
        [...revisions].sort((x, y) => x - y),
      );
      assert.deepEqual(new Set(revisions), new Set(writes.map((x) => x.revision)));
    });

    it('sends PROGRESS while nothing changes, never past what the watch has delivered', async () => {
      const made = await s.create('/c/progress/a', { v: 1 });
      const abort = new AbortController();
      const w = s
        .watch('/c/progress/', made.revision - 1, abort.signal, { progressMs: 100 })
        [Symbol.asyncIterator]();
      // Progress before the event (a remote store may not have sent it yet) is of an older revision.
      let added = false;
      for (;;) {
        const [e] = await take(w, 1, { progress: true, ms: 5000 });
        if (e.type !== 'PROGRESS') {
          assert.equal(summary(e), 'ADDED /c/progress/a {"v":1}');
          added = true;
          continue;
        }
        if (!added) {
          assert.ok(
            e.revision < made.revision,
            `progress at ${e.revision} before the event of ${made.revision}`,
          );
          continue;
        }
        assert.ok(
          e.revision >= made.revision && e.revision <= (await s.revision()),
          `progress at ${e.revision}`,
        );
        break;
      }
      abort.abort();
    });

    it('lets exactly one of many racing writers win a compare-and-swap', async () => {
      const base = await s.create('/c/race/a', { v: 0 });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.update('/c/race/a', { v: i + 1 }, base.revision)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results)
        if (r.status === 'rejected') assert.equal((r.reason as StoreError).kind, 'conflict');
      assert.deepEqual(
        (await s.get('/c/race/a'))?.value,
        (won[0] as PromiseFulfilledResult<{ value: unknown }>).value.value,
      );
      const creates = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.create('/c/race/b', { i })),
      );
      assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('loses no increment of many concurrent read-modify-write writers', async () => {
      await s.create('/c/counter/n', { n: 0 });
      const writers = 8;
      const each = 10;
      const revisions: Revision[] = [];
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < each; i++) {
            for (;;) {
              const cur = (await s.get('/c/counter/n'))!;
              try {
                const w = await s.update(
                  '/c/counter/n',
                  { n: (cur.value as { n: number }).n + 1 },
                  cur.revision,
                );
                revisions.push(w.revision);
                break;
              } catch (err) {
                if (!(err instanceof StoreError && err.kind === 'conflict')) throw err;
              }
            }
          }
        }),
      );
      assert.deepEqual((await s.get('/c/counter/n'))?.value, { n: writers * each });
      assert.equal(new Set(revisions).size, writers * each, 'every write has a revision of its own');
    });

    it('ends its watches when it closes', async () => {
      // A store of its own: this one closes.
      const other = await open();
      try {
        const abort = new AbortController();
        const w = other.store
          .watch('/c/close/', await other.store.revision(), abort.signal)
          [Symbol.asyncIterator]();
        const next = w.next();
        await other.store.create('/c/close/a', {});
        assert.equal(((await next).value as WatchEvent).type, 'ADDED');
        await other.store.close();
        const end = await Promise.race([
          w.next(),
          new Promise((r) => setTimeout(() => r('still open'), 3000)),
        ]);
        assert.equal((end as IteratorResult<WatchEvent>).done, true, 'the watch ended');
      } finally {
        await other.cleanup();
      }
    });

    it('compacts: older revisions are gone for lists, continues and watches; newer ones work', async () => {
      await s.create('/c/compact/a', { v: 1 });
      const old = await s.update('/c/compact/a', { v: 2 });
      await s.create('/c/compact/b', { v: 1 });
      const page = await s.list('/c/compact/', { limit: 1 });
      await s.update('/c/compact/a', { v: 3 });
      const gone = await s.delete('/c/compact/b');
      await s.create('/c/compact/c', { v: 1 });
      const at = gone.revision + 1;
      await s.compact(at);
      await rejectsWith(s.list('/c/compact/', { revision: old.revision }), 'gone');
      await rejectsWith(s.list('/c/compact/', { continue: page.continue }), 'gone');
      const abort = new AbortController();
      await rejectsWith(
        (async () => {
          for await (const _ of s.watch('/c/compact/', old.revision - 1, abort.signal)) break;
        })(),
        'gone',
      );
      // The compacted revision itself and everything after it stay readable.
      assert.deepEqual(
        (await s.list('/c/compact/', { revision: at })).items.map((i) => [i.key, i.value]),
        [
          ['/c/compact/a', { v: 3 }],
          ['/c/compact/c', { v: 1 }],
        ],
      );
      const d = await s.create('/c/compact/d', { v: 1 });
      const w = s.watch('/c/compact/', at, abort.signal)[Symbol.asyncIterator]();
      const [e] = await take(w, 1);
      assert.equal(e.type !== 'PROGRESS' && e.object.revision, d.revision);
      abort.abort();
      assert.deepEqual((await s.get('/c/compact/a'))?.value, { v: 3 });
      assert.equal(await s.get('/c/compact/b'), null);
      // Compacting again to the same or an older revision is nothing to do.
      await s.compact(at);
      await s.compact(old.revision);
    });
  });
}
