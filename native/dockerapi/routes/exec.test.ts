import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importImage, type RouteHarness, routeHarness } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;

describe('exec routes by injection', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
    await importImage(h, 'berth-test/hello:1');
    const res = await h.call({
      method: 'POST',
      url: '/containers/create?name=idle',
      body: { Image: 'berth-test/hello:1', HostConfig: { NetworkMode: 'none' } },
    });
    assert.equal(res.status, 201, res.text());
  });
  after(() => h.close());

  test('an exec needs a config, a command and a running container', async () => {
    const empty = await h.call({ method: 'POST', url: '/containers/idle/exec' });
    assert.equal(empty.status, 400);
    assert.match(message(empty), /exec config cannot be empty/);
    const stopped = await h.call({ method: 'POST', url: '/containers/idle/exec', body: { Cmd: ['true'] } });
    assert.equal(stopped.status, 409);
    assert.match(message(stopped), /is not running/);
    const missing = await h.call({ method: 'POST', url: '/containers/nope/exec', body: { Cmd: ['true'] } });
    assert.equal(missing.status, 404);
  });

  test('an exec that does not exist: inspect, start and resize are 404s; a bad size is a 400', async () => {
    for (const [method, url] of [
      ['GET', '/exec/nope/json'],
      ['POST', '/exec/nope/start'],
      ['POST', '/exec/nope/resize?h=1&w=1'],
    ]) {
      const res = await h.call({ method, url, body: method === 'POST' ? { Detach: false } : undefined });
      assert.equal(res.status, 404, url);
      assert.match(message(res), /No such exec instance: nope/);
    }
    assert.equal((await h.call({ method: 'POST', url: '/exec/nope/resize?h=tall' })).status, 400);
    assert.equal((await h.call({ method: 'POST', url: '/exec/nope/start', body: '{' })).status, 400);
  });
});
