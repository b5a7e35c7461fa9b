import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router } from './router.ts';

test('routes match with and without the version prefix, and image names keep their slashes', () => {
  const r = new Router();
  const h = async () => {};
  r.add('GET', '/containers/{id}/json', h)
    .add('GET', '/images/{name*}/json', h)
    .add('HEAD', '/containers/{id}/archive', h)
    .add('GET', '/containers/{id}/archive', async () => {});
  const m1 = r.match('GET', '/v1.47/containers/abc/json');
  assert.ok(m1 && m1 !== 'method');
  assert.deepEqual(m1.params, { id: 'abc' });
  const m2 = r.match('GET', '/images/localhost:5000/a/b:tag/json');
  assert.ok(m2 && m2 !== 'method');
  assert.equal(m2.params.name, 'localhost:5000/a/b:tag');
  const head = r.match('HEAD', '/containers/x/archive');
  assert.ok(head && head !== 'method');
  assert.equal(head.handler, h);
  assert.equal(r.match('DELETE', '/containers/abc/json'), 'method');
  assert.equal(r.match('GET', '/nope'), undefined);
});
