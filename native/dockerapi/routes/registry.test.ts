import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RouteHarness, routeHarness, tarOf } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;

describe('registry routes by injection (no registry needed: these are refused before one is asked)', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
  });
  after(() => h.close());

  test('pull needs an image name and readable credentials', async () => {
    const noName = await h.call({ method: 'POST', url: '/images/create' });
    assert.equal(noName.status, 400);
    assert.match(message(noName), /fromImage/);
    const garbage = await h.call({
      method: 'POST',
      url: '/images/create?fromImage=busybox&tag=1',
      headers: { 'X-Registry-Auth': '!!not base64 json!!' },
    });
    assert.equal(garbage.status, 400);
    assert.match(message(garbage), /invalid X-Registry-Auth header/);
    const push = await h.call({
      method: 'POST',
      url: '/images/busybox/push',
      headers: { 'X-Registry-Auth': Buffer.from('[1]').toString('base64') },
    });
    assert.equal(push.status, 400);
    assert.match(message(push), /not a JSON object/);
  });

  test('import: a URL source and bad changes are plain errors; a tar on stdin gives an image id', async () => {
    assert.equal(
      (await h.call({ method: 'POST', url: '/images/create?fromSrc=http://x/y.tar' })).status,
      400,
    );
    const change = await h.call({ method: 'POST', url: '/images/create?fromSrc=-&changes=FLY%20away' });
    assert.equal(change.status, 400);
    const ok = await h.call({
      method: 'POST',
      url: '/images/create?fromSrc=-&repo=imported&tag=v1',
      body: await tarOf({ a: 'a' }),
    });
    assert.equal(ok.status, 200);
    const status = ok.json<{ status: string }>().status;
    assert.match(status, /^sha256:[0-9a-f]{64}$/);
    assert.equal(h.engine.images.store.resolve('imported:v1')?.id, status);
  });

  test('search needs a term; login refuses a body it cannot read as credentials', async () => {
    assert.equal((await h.call('/images/search')).status, 400);
    assert.equal((await h.call('/images/search?term=x&limit=many')).status, 400);
    assert.equal((await h.call({ method: 'POST', url: '/auth', body: '{"username":' })).status, 400);
  });
});
