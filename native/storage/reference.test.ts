import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familiarName, fullName, parseReference, tagKey, withTag } from './reference.ts';

const digest = `sha256:${'a'.repeat(64)}`;

test('references normalise like the docker CLI', () => {
  assert.deepEqual(parseReference('busybox'), {
    domain: 'docker.io',
    path: 'library/busybox',
    tag: undefined,
    digest: undefined,
  });
  assert.equal(fullName(parseReference('busybox')), 'docker.io/library/busybox');
  assert.equal(tagKey('busybox'), 'busybox:latest');
  assert.equal(tagKey('docker.io/library/busybox:1.36'), 'busybox:1.36');
  assert.equal(tagKey('index.docker.io/library/busybox'), 'busybox:latest');
  assert.equal(tagKey('docker.io/me/app'), 'me/app:latest');
  assert.equal(tagKey('localhost:5000/a/b:t'), 'localhost:5000/a/b:t');
  assert.equal(tagKey('localhost/x'), 'localhost/x:latest');
  assert.equal(tagKey('quay.io/org/img:v1.2-rc_3'), 'quay.io/org/img:v1.2-rc_3');
  assert.equal(familiarName(parseReference('me/app:1')), 'me/app');
  assert.equal(tagKey(`busybox@${digest}`), `busybox@${digest}`);
  assert.equal(tagKey(`busybox:1@${digest}`), `busybox:1@${digest}`);
  assert.deepEqual(parseReference(`localhost:5000/a/b@${digest}`), {
    domain: 'localhost:5000',
    path: 'a/b',
    tag: undefined,
    digest,
  });
});

test('tags and names are validated by Docker rules', () => {
  assert.equal(tagKey(`a:${'x'.repeat(128)}`), `a:${'x'.repeat(128)}`);
  assert.throws(() => parseReference(`a:${'x'.repeat(129)}`), /^EngineError: invalid reference format$/);
  assert.equal(tagKey('a__b/c-d.e'), 'a__b/c-d.e:latest');
  for (const bad of [
    '',
    'a b',
    'x:',
    ':t',
    'a/',
    '/a',
    'a//b',
    'a:-t',
    '-a',
    'a..b',
    'a@sha256:abc',
    'a:t:u',
  ]) {
    assert.throws(() => parseReference(bad), /invalid reference format/, bad);
  }
  assert.throws(() => parseReference('a'.repeat(256)), /must not be more than 255 characters/);
});

test("bad references get Docker's messages", () => {
  assert.throws(
    () => parseReference('Busybox'),
    (e: Error) => e.message === 'invalid reference format: repository name must be lowercase',
  );
  assert.throws(() => parseReference('me/App:1'), /repository name must be lowercase/);
  assert.throws(() => parseReference('b'.repeat(64)), /cannot specify 64-byte hexadecimal strings/);
  assert.throws(() => withTag('x', 'bad tag'), /invalid tag format/);
  assert.throws(() => withTag(`x@${digest}`, undefined), /digest/);
  assert.throws(() => withTag('sha256', 'x'), /ambiguous tag/);
});

test('withTag builds the key for docker tag', () => {
  assert.equal(withTag('mine/box', 'v1'), 'mine/box:v1');
  assert.equal(withTag('mine/box:v2', undefined), 'mine/box:v2');
  assert.equal(withTag('docker.io/library/box', ''), 'box:latest');
});
