import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importImage, type RouteHarness, routeHarness } from './test-engine.ts';

describe('image routes by injection', () => {
  let h: RouteHarness;
  let id: string;
  before(async () => {
    h = await routeHarness();
    id = await importImage(h, 'berth-test/hello:1');
  });
  after(() => h.close());

  test('list and inspect the imported image; a missing one is a 404 naming it', async () => {
    const list = (await h.call('/images/json')).json<Array<{ Id: string; RepoTags: string[] }>>();
    assert.deepEqual(
      list.map((i) => [i.Id, i.RepoTags]),
      [[id, ['berth-test/hello:1']]],
    );
    const img = (await h.call('/images/berth-test/hello:1/json')).json<{
      Id: string;
      Config: { Cmd: string[] };
    }>();
    assert.equal(img.Id, id);
    assert.deepEqual(img.Config.Cmd, ['/hello']);
    const missing = await h.call('/images/berth-test/nope:1/json');
    assert.equal(missing.status, 404);
    assert.match(missing.json<{ message: string }>().message, /berth-test\/nope:1/);
  });

  test('history: the import is one entry whose size is its layer', async () => {
    const res = await h.call('/images/berth-test/hello:1/history');
    assert.equal(res.status, 200);
    const entries = res.json<Array<{ Id: string; Size: number; Tags: string[] | null }>>();
    assert.equal(entries.length, 1);
    assert.equal(entries[0].Id, id);
    assert.deepEqual(entries[0].Tags, ['berth-test/hello:1']);
    const layer = await h.engine.images.store.layers.size(h.engine.images.store.get(id)!.chainIds[0]);
    assert.ok(layer > 0);
    assert.equal(entries[0].Size, layer);
    assert.equal((await h.call('/images/nope/history')).status, 404);
  });

  test('tag, save without names (400), remove', async () => {
    assert.equal(
      (await h.call({ method: 'POST', url: '/images/berth-test/hello:1/tag?repo=other&tag=2' })).status,
      201,
    );
    assert.equal((await h.call({ method: 'POST', url: '/images/berth-test/hello:1/tag' })).status, 400);
    assert.equal((await h.call('/images/get')).status, 400);
    const saved = await h.call('/images/get?names=other:2');
    assert.equal(saved.status, 200);
    assert.equal(saved.headers['content-type'], 'application/x-tar');
    assert.ok(saved.body.length > 1024);
    const del = await h.call({ method: 'DELETE', url: '/images/other:2' });
    assert.equal(del.status, 200);
    assert.deepEqual(del.json(), [{ Untagged: 'other:2' }]);
    assert.equal((await h.call({ method: 'DELETE', url: '/images/other:2' })).status, 404);
  });
});
