import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Json } from './json.ts';
import { mergePatch } from './merge-patch.ts';

// RFC 7386's own examples (appendix A), and what Kubernetes objects need of it.
const cases: [Json, Json, Json][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  // A label removed, one added; lists (containers) are replaced whole.
  [
    {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    },
    { metadata: { labels: { tier: null, team: 'blue' } }, spec: { containers: [{ name: 'b' }] } },
    { metadata: { labels: { app: 'web', team: 'blue' } }, spec: { containers: [{ name: 'b' }] } },
  ],
];

for (const [target, patch, want] of cases)
  test(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
    const before = structuredClone(target);
    assert.deepEqual(mergePatch(target, patch), want);
    assert.deepEqual(target, before, 'the target is not changed');
  });
