import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { importImage, type RouteHarness, routeHarness } from './test-engine.ts';

const message = (res: { json<T>(): T }) => res.json<{ message: string }>().message;

describe('container routes by injection (a created container; nothing runs)', () => {
  let h: RouteHarness;
  let id: string;
  before(async () => {
    h = await routeHarness();
    await importImage(h, 'berth-test/hello:1');
    const res = await h.call({
      method: 'POST',
      url: '/containers/create?name=web',
      body: { Image: 'berth-test/hello:1', Tty: true, HostConfig: { NetworkMode: 'none' } },
    });
    assert.equal(res.status, 201, res.text());
    id = res.json<{ Id: string }>().Id;
  });
  after(() => h.close());

  test('create refuses an empty config (400) and an image it does not have (404)', async () => {
    const empty = await h.call({ method: 'POST', url: '/containers/create' });
    assert.equal(empty.status, 400);
    assert.match(message(empty), /config cannot be empty/);
    const missing = await h.call({ method: 'POST', url: '/containers/create', body: { Image: 'nope:1' } });
    assert.equal(missing.status, 404);
    assert.match(message(missing), /No such image: nope:1/);
  });

  test('list and inspect by name; all=1 shows the created container', async () => {
    assert.deepEqual((await h.call('/containers/json')).json(), []);
    const all = (await h.call('/containers/json?all=1')).json<
      Array<{ Id: string; Names: string[]; State: string }>
    >();
    assert.deepEqual(
      all.map((c) => [c.Id, c.Names, c.State]),
      [[id, ['/web'], 'created']],
    );
    const c = (await h.call('/containers/web/json')).json<{ Id: string; Config: { Tty: boolean } }>();
    assert.equal(c.Id, id);
    assert.equal(c.Config.Tty, true);
    assert.equal((await h.call('/containers/nope/json')).status, 404);
    assert.equal((await h.call('/containers/json?limit=x')).status, 400);
  });

  test('a container that does not run: no resize, one empty stats sample, logs need a stream', async () => {
    const resize = await h.call({ method: 'POST', url: '/containers/web/resize?h=10&w=20' });
    assert.equal(resize.status, 400);
    assert.match(message(resize), /cannot resize a stopped container/);
    assert.equal((await h.call({ method: 'POST', url: '/containers/web/resize?h=ten' })).status, 400);
    assert.equal((await h.call({ method: 'POST', url: '/containers/nope/resize?h=1&w=1' })).status, 404);
    const stats = await h.call('/containers/web/stats?stream=0');
    assert.equal(stats.status, 200);
    const sample = stats.json<{ id: string; read: string; name: string }>();
    assert.equal(sample.id, id);
    assert.equal(sample.read, '0001-01-01T00:00:00Z');
    assert.equal((await h.call('/containers/nope/stats?stream=0')).status, 404);
    const logs = await h.call('/containers/web/logs');
    assert.equal(logs.status, 400);
    assert.match(message(logs), /choose at least one stream/);
    assert.equal((await h.call('/containers/web/logs?stdout=1&tail=some')).status, 400);
  });

  test('logs of a stopped container: its log file, tail and timestamps; follow ends at once', async () => {
    const rec = h.engine.containers.store.get('web');
    await writeFile(
      rec.LogPath,
      [
        '2026-01-01T00:00:01.000000001Z stdout F one',
        '2026-01-01T00:00:02.000000002Z stderr F two',
        '2026-01-01T00:00:03.000000003Z stdout P thr',
        '2026-01-01T00:00:03.100000000Z stdout F ee',
        '',
      ].join('\n'),
    );
    // A TTY container's log is one raw stream.
    const all = await h.call('/containers/web/logs?stdout=1&stderr=1');
    assert.equal(all.status, 200);
    assert.equal(all.headers['content-type'], 'application/vnd.docker.raw-stream');
    assert.equal(all.text(), 'one\ntwo\nthree\n');
    assert.equal((await h.call('/containers/web/logs?stdout=1')).text(), 'one\nthree\n');
    assert.equal((await h.call('/containers/web/logs?stdout=1&stderr=1&tail=1')).text(), 'three\n');
    assert.equal(
      (await h.call('/containers/web/logs?stderr=1&timestamps=1')).text(),
      '2026-01-01T00:00:02.000000002Z two\n',
    );
    const follow = await h.call('/containers/web/logs?stdout=1&follow=1');
    assert.equal(follow.text(), 'one\nthree\n', 'a container that does not run is not followed');
    await writeFile(rec.LogPath, '');
  });

  test('attach: refusals come as plain errors, before the connection is taken over', async () => {
    const keys = await h.call({ method: 'POST', url: '/containers/web/attach?stream=1&detachKeys=ctrl-' });
    assert.equal(keys.status, 400);
    assert.match(message(keys), /Invalid detach keys/);
    assert.equal((await h.call({ method: 'POST', url: '/containers/nope/attach?stream=1' })).status, 404);
    // Without stream=1 there is nothing to wait for: the (TTY, so raw) stream ends at once.
    const res = await h.call({ method: 'POST', url: '/containers/web/attach?stdout=1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.docker.raw-stream');
    assert.equal(res.body.length, 0);
  });

  test('rename, stop with a bad timeout, remove', async () => {
    assert.equal((await h.call({ method: 'POST', url: '/containers/web/rename?name=api' })).status, 204);
    assert.equal((await h.call('/containers/api/json')).status, 200);
    assert.equal((await h.call({ method: 'POST', url: '/containers/api/stop?t=soon' })).status, 400);
    assert.equal((await h.call({ method: 'DELETE', url: '/containers/api' })).status, 204);
    const gone = await h.call({ method: 'DELETE', url: '/containers/api' });
    assert.equal(gone.status, 404);
    assert.match(message(gone), /No such container: api/);
  });
});
