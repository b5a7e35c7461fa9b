// toContractError on errors that need no engine: a socket that is not there, the app's own errors, and
// dockerode's wording of an HTTP status. (dockerode's errors from a real berthd:
// test/integration/app/errors.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HandlerError, toContractError } from './errors.ts';

test('an engine that is not there, and the app’s own errors, keep their words', () => {
  const refused = toContractError(Object.assign(new Error('connect ENOENT /x.sock'), { code: 'ENOENT' }));
  assert.equal(refused.kind, 'unreachable');
  assert.equal(refused.code, 'engine.enoent');
  const own = toContractError(new HandlerError('invalid_argument', 'x.bad', 'bad (HTTP code 400) - kept'));
  assert.equal(own.message, 'bad (HTTP code 400) - kept');
  const text = toContractError(
    Object.assign(new Error('(HTTP code 503) unexpected - engine is shutting down '), { statusCode: 503 }),
  );
  assert.deepEqual(text, { kind: 'internal', code: 'http.503', message: 'engine is shutting down' });
});
