import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, invalid } from '../core/errors.ts';
import { inject } from './inject.ts';
import { Router } from './router.ts';

function router(): Router {
  return new Router()
    .add('GET', '/things/{id}', async (req) => {
      if (req.params.id === 'missing') throw new EngineError('not-found', 'No such thing: missing');
      req.send(200, { id: req.params.id, n: req.int('n') ?? null, all: req.bool('all') });
    })
    .add('POST', '/things', async (req) => {
      const body = await req.json<{ name?: string }>();
      if (!body?.name) throw invalid('a thing needs a name');
      req.send(201, { Id: body.name });
    })
    .add('POST', '/things/{id}/stream', async (req) => {
      const out = req.stream('application/json');
      for (let i = 0; i < 3; i++) out.write(`${JSON.stringify({ i })}\n`);
      out.end();
    })
    .add('POST', '/things/{id}/nothing', async () => {});
}

test('a route answers an injected request: params, query, versioned path, JSON body', async () => {
  const r = router();
  const res = await inject(r, { url: '/v1.47/things/a%2Fb?n=3&all=1' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.headers['api-version'], '1.47');
  assert.deepEqual(res.json(), { id: 'a/b', n: 3, all: true });
  const created = await inject(r, { method: 'POST', url: '/things', body: { name: 'x' } });
  assert.equal(created.status, 201);
  assert.deepEqual(created.json(), { Id: 'x' });
});

test('errors are Docker error bodies with the status of their kind', async () => {
  const r = router();
  const cases: Array<[Parameters<typeof inject>[1], number, RegExp]> = [
    [{ url: '/things/missing' }, 404, /No such thing/],
    [{ url: '/things/a?n=1.5' }, 400, /invalid value for n: 1.5/],
    [{ method: 'POST', url: '/things', body: '{"name":' }, 400, /invalid JSON/],
    [{ method: 'POST', url: '/things', body: {} }, 400, /needs a name/],
    [{ url: '/nowhere' }, 404, /page not found/],
    [{ method: 'DELETE', url: '/things/a' }, 405, /method not allowed/],
  ];
  for (const [req, status, message] of cases) {
    const res = await inject(r, req);
    assert.equal(res.status, status, `${req.method ?? 'GET'} ${req.url}`);
    assert.match(res.json<{ message: string }>().message, message);
  }
});

test('streams come whole; a route that answers nothing answers 204', async () => {
  const r = router();
  const res = await inject(r, { method: 'POST', url: '/things/a/stream' });
  assert.equal(res.status, 200);
  assert.deepEqual(
    res
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [{ i: 0 }, { i: 1 }, { i: 2 }],
  );
  const none = await inject(r, { method: 'POST', url: '/things/a/nothing' });
  assert.equal(none.status, 204);
  assert.equal(none.body.length, 0);
});
