import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventNames } from './event-names.ts';

test('event names are <object>.<nanoseconds in hex>, increasing within a millisecond and across', () => {
  const names = new EventNames();
  const ms = 1_765_000_000_123;
  const first = names.next('web', ms);
  assert.equal(first, `web.${(BigInt(ms) * 1_000_000n).toString(16)}`);
  const second = names.next('web', ms);
  assert.equal(second, `web.${(BigInt(ms) * 1_000_000n + 1n).toString(16)}`);
  assert.equal(names.next('db', ms + 1), `db.${(BigInt(ms + 1) * 1_000_000n).toString(16)}`);
  // A clock that steps back still gives a later name.
  assert.equal(names.next('web', ms - 5), `web.${(BigInt(ms + 1) * 1_000_000n + 1n).toString(16)}`);
});
