import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, copyJson, sameJson } from './registry.ts';

test('sameJson says what comparing canonical forms says, whatever the order of keys', () => {
  const pairs: [unknown, unknown][] = [
    [
      { a: 1, b: { c: [1, 2], d: 'x' } },
      { b: { d: 'x', c: [1, 2] }, a: 1 },
    ],
    [
      { a: 1, b: { c: [1, 2] } },
      { a: 1, b: { c: [2, 1] } },
    ],
    [{ a: 1 }, { a: 1, b: 2 }],
    [{ a: 1, b: 2 }, { a: 1 }],
    [{ a: 1, b: undefined }, { a: 1 }],
    [{ a: 1 }, { a: 1, b: undefined }],
    [{ a: undefined }, { b: undefined }],
    [
      [1, undefined],
      [1, null],
    ],
    [
      [1, 2],
      [1, 2, 3],
    ],
    [[], {}],
    [{}, []],
    [{ a: null }, { a: {} }],
    [{ a: 0 }, { a: '0' }],
    [{ a: Number.NaN }, { a: null }],
    [{ t: new Date(0) }, { t: '1970-01-01T00:00:00.000Z' }],
    [{ t: new Date(0) }, { t: new Date(1) }],
    ['x', 'x'],
    [1, 2],
    [null, undefined],
  ];
  for (const [a, b] of pairs)
    assert.equal(sameJson(a, b), canonical(a) === canonical(b), `${canonical(a)} vs ${canonical(b)}`);
});

test('copyJson gives what a JSON round trip gives', () => {
  const values: unknown[] = [
    { a: 1, b: undefined, c: [1, undefined, Number.NaN, () => 1], d: { e: null, f: 'x', g: () => 1 } },
    { t: new Date(0), n: Number.POSITIVE_INFINITY, s: [{}, []], nested: { deeper: { list: ['a'] } } },
    [undefined, null, 0, '', false],
    'text',
    7,
    null,
  ];
  for (const v of values) assert.deepEqual(copyJson(v), JSON.parse(JSON.stringify(v)));
});

test('copyJson copies deeply and drops what JSON has not', () => {
  const o = { a: { b: [1, { c: 2 }] }, u: undefined };
  const c = copyJson(o);
  assert.deepEqual(c, { a: { b: [1, { c: 2 }] } });
  (c.a.b[1] as { c: number }).c = 3;
  assert.equal((o.a.b[1] as { c: number }).c, 2);
  assert.equal(copyJson(undefined), undefined);
});
