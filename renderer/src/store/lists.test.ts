import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kept, selectionOf, toggled } from './lists.ts';

test('a selection: made from keys, toggled one key at a time, kept to what is still there', () => {
  const s = selectionOf(['a', 'b', 'a']);
  assert.deepEqual(s, { a: true, b: true });
  const t = toggled(toggled(s, 'b'), 'c');
  assert.deepEqual(t, { a: true, c: true });
  assert.deepEqual(s, { a: true, b: true }, 'the old selection is left as it was');
  const present = new Set(['c', 'd']);
  assert.deepEqual(
    kept(t, (k) => present.has(k)),
    { c: true },
  );
});
