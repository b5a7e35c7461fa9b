import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RouteHarness, routeHarness } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;
const q = (filters: object) => encodeURIComponent(JSON.stringify(filters));

describe('network routes by injection (no default bridge)', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
  });
  after(() => h.close());

  test('the predefined networks are listed and filtered by type', async () => {
    const all = (await h.call('/networks')).json<Array<{ Name: string }>>();
    assert.deepEqual(
      all.map((n) => n.Name),
      ['host', 'none'],
    );
    const custom = (await h.call(`/networks?filters=${q({ type: ['custom'] })}`)).json<unknown[]>();
    assert.deepEqual(custom, []);
    const none = (await h.call('/networks/none')).json<{ Name: string; Driver: string }>();
    assert.deepEqual([none.Name, none.Driver], ['none', 'null']);
  });

  test('malformed filters and bodies are 400s with dockerd wording; a missing network a 404', async () => {
    const unknown = await h.call(`/networks?filters=${q({ colour: ['red'] })}`);
    assert.equal(unknown.status, 400);
    assert.equal(message(unknown), "Invalid filter 'colour'");
    const type = await h.call(`/networks?filters=${q({ type: ['odd'] })}`);
    assert.equal(type.status, 400);
    assert.equal(message(type), "invalid filter: 'type'='odd'");
    assert.equal((await h.call(`/networks?filters=${q({ dangling: ['maybe'] })}`)).status, 400);
    assert.equal((await h.call('/networks?filters=notjson')).status, 400);
    assert.equal((await h.call({ method: 'POST', url: '/networks/create', body: [1] })).status, 400);
    assert.equal(
      (await h.call({ method: 'POST', url: `/networks/prune?filters=${q({ driver: ['x'] })}` })).status,
      400,
    );
    const missing = await h.call('/networks/nope');
    assert.equal(missing.status, 404);
    assert.match(message(missing), /nope/);
    assert.equal((await h.call({ method: 'DELETE', url: '/networks/nope' })).status, 404);
  });

  test('prune with nothing to prune deletes nothing', async () => {
    const res = await h.call({ method: 'POST', url: '/networks/prune' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { NetworksDeleted: [] });
  });
});
