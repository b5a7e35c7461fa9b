import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RouteHarness, routeHarness } from './test-engine.ts';

describe('system routes by injection', () => {
  let h: RouteHarness;
  before(async () => {
    h = await routeHarness();
  });
  after(() => h.close());

  test('ping answers OK with the API headers, HEAD without a body', async () => {
    const res = await h.call('/_ping');
    assert.equal(res.status, 200);
    assert.equal(res.text(), 'OK');
    assert.equal(res.headers.ostype, 'linux');
    assert.equal(res.headers.swarm, 'inactive');
    const head = await h.call({ method: 'HEAD', url: '/v1.44/_ping' });
    assert.equal(head.status, 200);
    assert.equal(head.text(), '');
  });

  test('version and info describe this engine; info keeps its ID', async () => {
    const v = (await h.call('/version')).json<{
      ApiVersion: string;
      MinAPIVersion: string;
      Components: unknown[];
    }>();
    assert.ok(Number(v.ApiVersion.split('.')[1]) >= 44, v.ApiVersion);
    assert.equal(v.Components.length, 2);
    const a = (await h.call('/info')).json<Record<string, unknown>>();
    const b = (await h.call('/info')).json<Record<string, unknown>>();
    assert.equal(a.Containers, 0);
    assert.equal(a.DockerRootDir, h.engine.paths.dataRoot);
    assert.match(String(a.ID), /^[0-9a-f-]{36}$/);
    assert.equal(b.ID, a.ID);
    assert.equal(a.DefaultRuntime, h.engine.runtime.name);
  });

  test('events: since after until is a 400; a past window replays what happened in it', async () => {
    const bad = await h.call('/events?since=20&until=10');
    assert.equal(bad.status, 400);
    assert.match(bad.json<{ message: string }>().message, /cannot be after/);
    assert.equal((await h.call('/events?since=yesterday')).status, 400);
    const from = Date.now() / 1000 - 1;
    assert.equal(
      (await h.call({ method: 'POST', url: '/volumes/create', body: { Name: 'ev1' } })).status,
      201,
    );
    const res = await h.call(
      `/events?since=${from}&until=${Date.now() / 1000 + 0.001}&filters=${encodeURIComponent('{"type":["volume"]}')}`,
    );
    assert.equal(res.status, 200);
    const events = res
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string } });
    assert.deepEqual(
      events.map((e) => [e.Type, e.Action, e.Actor.ID]),
      [['volume', 'create', 'ev1']],
    );
  });

  test('system df counts what is stored', async () => {
    const df = (await h.call('/system/df')).json<{
      LayersSize: number;
      Images: unknown[];
      Volumes: Array<{ Name: string }>;
    }>();
    assert.equal(df.LayersSize, 0);
    assert.deepEqual(df.Images, []);
    assert.ok(df.Volumes.some((v) => v.Name === 'ev1'));
  });
});
