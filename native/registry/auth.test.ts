import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicHeader, decodeRegistryAuth, parseWwwAuthenticate } from './auth.ts';

test('WWW-Authenticate: a Bearer challenge with quoted parameters', () => {
  const [c] = parseWwwAuthenticate(
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"',
  );
  assert.equal(c.scheme, 'bearer');
  assert.deepEqual(c.params, {
    realm: 'https://auth.docker.io/token',
    service: 'registry.docker.io',
    scope: 'repository:library/busybox:pull,push',
  });
});

test('WWW-Authenticate: Basic, escapes, token values, spaces and several challenges', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic realm="basic-realm"'), [
    { scheme: 'basic', params: { realm: 'basic-realm' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic realm = "a \\"b\\", c"'), [
    { scheme: 'basic', params: { realm: 'a "b", c' } },
  ]);
  const two = parseWwwAuthenticate('Basic realm="r", Bearer realm="http://127.0.0.1:1/t", service=reg');
  assert.deepEqual(
    two.map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.equal(two[1].params.service, 'reg');
  assert.deepEqual(parseWwwAuthenticate(''), []);
});

test('X-Registry-Auth: base64url JSON, legacy auth field, anonymous and garbage', () => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  assert.deepEqual(
    decodeRegistryAuth(enc({ username: 'u', password: 'p?>>', serveraddress: 'localhost:5000' })),
    {
      username: 'u',
      password: 'p?>>',
      serveraddress: 'localhost:5000',
    },
  );
  // Standard base64 with padding decodes the same.
  assert.equal(
    decodeRegistryAuth(Buffer.from(JSON.stringify({ username: 'ü~~' })).toString('base64')).username,
    'ü~~',
  );
  assert.deepEqual(decodeRegistryAuth(enc({ auth: Buffer.from('bob:pw:x').toString('base64') })), {
    username: 'bob',
    password: 'pw:x',
  });
  assert.deepEqual(decodeRegistryAuth(enc({ identitytoken: 'tok', username: '' })), { identitytoken: 'tok' });
  assert.deepEqual(decodeRegistryAuth(undefined), {});
  assert.deepEqual(decodeRegistryAuth(enc({})), {});
  assert.throws(() => decodeRegistryAuth('!!notjson'), /X-Registry-Auth/);
  assert.throws(() => decodeRegistryAuth(enc([1])), /not a JSON object/);
});

test('basic header only with a user', () => {
  assert.equal(
    basicHeader({ username: 'a', password: 'b' }),
    `Basic ${Buffer.from('a:b').toString('base64')}`,
  );
  assert.equal(basicHeader({}), undefined);
});
