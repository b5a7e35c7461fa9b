import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importImage, type RouteHarness, routeHarness, tarOf } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;

describe('build and commit routes by injection', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
    await importImage(h, 'berth-test/hello:1');
  });
  after(() => h.close());

  test('a remote context, a bad tag and parameters that are not JSON are refused before building', async () => {
    const context = await tarOf({ Dockerfile: 'FROM berth-test/hello:1\n' });
    const remote = await h.call({
      method: 'POST',
      url: '/build?remote=https://example.com/x.git',
      body: context,
    });
    assert.equal(remote.status, 400);
    assert.match(message(remote), /remote build contexts/);
    const tag = await h.call({ method: 'POST', url: '/build?t=Not%20A%20Tag', body: context });
    assert.equal(tag.status, 400);
    assert.match(message(tag), /invalid tag "Not A Tag"/);
    const args = await h.call({ method: 'POST', url: '/build?buildargs=%7Bnope', body: context });
    assert.equal(args.status, 400);
    assert.match(message(args), /invalid buildargs parameter/);
  });

  test('a FROM-only build tags the base image: the stream ends with its ID', async () => {
    const context = await tarOf({ Dockerfile: 'FROM berth-test/hello:1\n' });
    const res = await h.call({ method: 'POST', url: '/build?t=built:1', body: context });
    assert.equal(res.status, 200, res.text());
    const lines = res
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { aux?: { ID: string }; error?: string });
    assert.equal(
      lines.find((l) => l.error),
      undefined,
    );
    const id = lines.find((l) => l.aux)?.aux?.ID;
    assert.equal(id, h.engine.images.store.resolve('berth-test/hello:1')?.id);
    assert.equal(h.engine.images.store.resolve('built:1')?.id, id);
  });

  test('a Dockerfile that does not parse is a plain 400; commit of a missing container a 404', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/build',
      body: await tarOf({ Dockerfile: 'FLY away\n' }),
    });
    assert.equal(res.status, 400, res.text());
    assert.equal((await h.call({ method: 'POST', url: '/commit?container=nope' })).status, 404);
    const prune = await h.call({ method: 'POST', url: '/build/prune' });
    assert.deepEqual(prune.json(), { CachesDeleted: null, SpaceReclaimed: 0 });
  });
});
