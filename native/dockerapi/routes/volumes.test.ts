import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RouteHarness, routeHarness, tarOf } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;

describe('volume routes by injection', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
  });
  after(() => h.close());

  test('create, inspect, list; labels that are not strings are refused as dockerd words it', async () => {
    const made = await h.call({
      method: 'POST',
      url: '/volumes/create',
      body: { Name: 'data', Labels: { a: 'b' } },
    });
    assert.equal(made.status, 201);
    assert.equal(made.json<{ Name: string }>().Name, 'data');
    const bad = await h.call({
      method: 'POST',
      url: '/volumes/create',
      body: { Name: 'x', Labels: { a: 1 } },
    });
    assert.equal(bad.status, 400);
    assert.match(message(bad), /cannot unmarshal object into Go struct field CreateOptions.Labels/);
    assert.equal((await h.call({ method: 'POST', url: '/volumes/create', body: { Name: 7 } })).status, 400);
    const v = (await h.call('/volumes/data')).json<{ Labels: Record<string, string> }>();
    assert.deepEqual(v.Labels, { a: 'b' });
    const list = (await h.call('/volumes')).json<{ Volumes: Array<{ Name: string }> }>();
    assert.deepEqual(
      list.Volumes.map((x) => x.Name),
      ['data'],
    );
    assert.equal((await h.call('/volumes/nope')).status, 404);
  });

  test('files in a volume: a tar goes in, entries and bytes come out; a missing path is a 400', async () => {
    const put = await h.call({
      method: 'PUT',
      url: '/volumes/data/archive?path=/',
      body: await tarOf({ 'greeting.txt': 'hello\n' }),
    });
    assert.equal(put.status, 200, put.text());
    const files = (await h.call('/volumes/data/files?path=/')).json<Array<{ name: string }>>();
    assert.deepEqual(
      files.map((f) => f.name),
      ['greeting.txt'],
    );
    const file = await h.call('/volumes/data/file?path=/greeting.txt');
    assert.equal(file.status, 200);
    assert.equal(file.text(), 'hello\n');
    assert.equal((await h.call('/volumes/data/file')).status, 400);
    assert.equal((await h.call({ method: 'DELETE', url: '/volumes/data/files' })).status, 400);
  });

  test('prune before API 1.42 has no `all` filter; remove', async () => {
    const old = await h.call({
      method: 'POST',
      url: `/v1.41/volumes/prune?filters=${encodeURIComponent('{"all":["1"]}')}`,
    });
    assert.equal(old.status, 400);
    assert.equal(message(old), "Invalid filter 'all'");
    assert.equal((await h.call({ method: 'DELETE', url: '/volumes/data' })).status, 204);
    assert.equal((await h.call({ method: 'DELETE', url: '/volumes/data' })).status, 404);
  });
});
