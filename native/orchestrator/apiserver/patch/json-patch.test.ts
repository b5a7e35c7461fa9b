import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from './json.ts';
import {
  applyJsonPatch,
  decodeJsonPatch,
  JsonPatchApplyError,
  JsonPatchDecodeError,
  type Operation,
} from './json-patch.ts';
import { formatPointer, parsePointer } from './json-pointer.ts';

const doc = {
  metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'x' } },
  data: { a: '1' },
  list: [1, 2, 3],
};

describe('JSON pointers', () => {
  for (const [pointer, tokens] of [
    ['', []],
    ['/a/b', ['a', 'b']],
    ['/metadata/labels/app.kubernetes.io~1name', ['metadata', 'labels', 'app.kubernetes.io/name']],
    ['/a~0b', ['a~b']],
    ['/~01', ['~1']],
    ['/', ['']],
  ] as [string, string[]][])
    test(`${JSON.stringify(pointer)} ↔ ${JSON.stringify(tokens)}`, () => {
      assert.deepEqual(parsePointer(pointer), tokens);
      assert.equal(formatPointer(tokens), pointer);
    });
  test('a pointer not starting with / is refused', () => assert.throws(() => parsePointer('a/b')));
});

describe('JSON patch: operations that apply', () => {
  const cases: { name: string; ops: Operation[]; want: Json }[] = [
    {
      name: 'add a member',
      ops: [{ op: 'add', path: '/data/b', value: '2' }],
      want: { ...doc, data: { a: '1', b: '2' } },
    },
    {
      name: 'add replaces an existing member',
      ops: [{ op: 'add', path: '/data/a', value: 'z' }],
      want: { ...doc, data: { a: 'z' } },
    },
    {
      name: 'add inserts into a list',
      ops: [{ op: 'add', path: '/list/1', value: 9 }],
      want: { ...doc, list: [1, 9, 2, 3] },
    },
    {
      name: 'add appends with -',
      ops: [{ op: 'add', path: '/list/-', value: 4 }],
      want: { ...doc, list: [1, 2, 3, 4] },
    },
    {
      name: 'add at the end index',
      ops: [{ op: 'add', path: '/list/3', value: 4 }],
      want: { ...doc, list: [1, 2, 3, 4] },
    },
    {
      name: 'remove through an escaped key',
      ops: [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }],
      want: { ...doc, metadata: { labels: { 'a~b': 'x' } } },
    },
    { name: 'remove from a list', ops: [{ op: 'remove', path: '/list/0' }], want: { ...doc, list: [2, 3] } },
    {
      name: 'replace',
      ops: [{ op: 'replace', path: '/metadata/labels/a~0b', value: 'y' }],
      want: { ...doc, metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'y' } } },
    },
    { name: 'replace the root', ops: [{ op: 'replace', path: '', value: { x: 1 } }], want: { x: 1 } },
    {
      name: 'move',
      ops: [{ op: 'move', from: '/data/a', path: '/data/b' }],
      want: { ...doc, data: { b: '1' } },
    },
    {
      name: 'copy',
      ops: [{ op: 'copy', from: '/list/0', path: '/list/-' }],
      want: { ...doc, list: [1, 2, 3, 1] },
    },
    { name: 'a passing test', ops: [{ op: 'test', path: '/data', value: { a: '1' } }], want: doc },
    {
      name: 'test of a missing member against null',
      ops: [{ op: 'test', path: '/data/zz', value: null }],
      want: doc,
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      assert.deepEqual(applyJsonPatch(doc, c.ops), c.want);
    });
  test('the input is left as it was', () => {
    const before = structuredClone(doc);
    applyJsonPatch(doc, [{ op: 'remove', path: '/data' }]);
    assert.deepEqual(doc, before);
  });
});

describe('JSON patch: operations that do not apply, in evanphx/json-patch’s words', () => {
  const cases: { ops: Operation[]; message: string }[] = [
    {
      ops: [{ op: 'test', path: '/data/a', value: '2' }],
      message: 'testing value /data/a failed: test failed',
    },
    {
      ops: [{ op: 'replace', path: '/data/zz', value: 1 }],
      message: 'replace operation does not apply: doc is missing key: /data/zz: missing value',
    },
    {
      ops: [{ op: 'replace', path: '/nope/zz', value: 1 }],
      message: 'replace operation does not apply: doc is missing path: /nope/zz: missing value',
    },
    {
      ops: [{ op: 'add', path: '/nope/zz', value: 1 }],
      message: 'add operation does not apply: doc is missing path: "/nope/zz": missing value',
    },
    {
      ops: [{ op: 'remove', path: '/data/zz' }],
      message: "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value",
    },
    {
      ops: [{ op: 'add', path: '/list/7', value: 1 }],
      message:
        "error in add for path: '/list/7': Unable to access invalid index: 7: invalid index referenced",
    },
    {
      ops: [{ op: 'move', from: '/nope', path: '/x' }],
      message: 'move operation does not apply: doc is missing from path: /nope: missing value',
    },
    { ops: [{ op: 'frobnicate', path: '/x' }], message: 'Unexpected kind: frobnicate' },
  ];
  for (const c of cases)
    test(c.message, () => {
      assert.throws(
        () => applyJsonPatch(doc, c.ops),
        (err: unknown) => err instanceof JsonPatchApplyError && err.message === c.message,
      );
    });
  test('a later failing op leaves nothing of the earlier ones', () => {
    assert.throws(() =>
      applyJsonPatch(doc, [
        { op: 'add', path: '/data/b', value: '2' },
        { op: 'test', path: '/data/a', value: 'no' },
      ]),
    );
    assert.deepEqual(doc.data, { a: '1' });
  });
});

describe('JSON patch: decoding', () => {
  test('an object is not a patch', () =>
    assert.throws(
      () => decodeJsonPatch({ op: 'add' }),
      (e: unknown) =>
        e instanceof JsonPatchDecodeError &&
        e.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    ));
  test('a list of operations is', () =>
    assert.equal(decodeJsonPatch([{ op: 'add', path: '/a', value: 1 }]).length, 1));
});
