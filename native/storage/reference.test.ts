import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familiarName, parseReference, tagKey, withTag } from './reference.ts';

test('references normalise like the docker CLI', () => {
  assert.deepEqual(parseReference('busybox'), {
    domain: 'docker.io',
    path: 'library/busybox',
    tag: undefined,
    digest: undefined,
  });
  assert.equal(tagKey('busybox'), 'busybox:latest');
  assert.equal(tagKey('docker.io/library/busybox:1.36'), 'busybox:1.36');
  assert.equal(tagKey('localhost:5000/a/b:t'), 'localhost:5000/a/b:t');
  assert.equal(familiarName(parseReference('me/app:1')), 'me/app');
  assert.equal(withTag('mine/box', 'v1'), 'mine/box:v1');
  const d = `busybox@sha256:${'a'.repeat(64)}`;
  assert.equal(tagKey(d), d);
});

test("bad references get Docker's messages", () => {
  assert.throws(() => parseReference('Busybox'), /repository name \(library\/Busybox\) must be lowercase/);
  assert.throws(() => parseReference('a b'), /invalid reference format/);
  assert.throws(() => parseReference('x:'), /invalid reference format/);
  assert.throws(() => withTag('x', 'bad tag'), /invalid tag format/);
});
