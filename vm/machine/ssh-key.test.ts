import assert from 'node:assert/strict';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { readableKey, sshKeyPair } from './ssh-key.ts';

test('every key pair made is one ssh2 reads back (its generator alone fails about one in three hundred)', () => {
  for (let i = 0; i < 2000; i++) {
    const pair = sshKeyPair('berth-host');
    assert.ok(readableKey(pair.private), pair.private);
    assert.match(pair.public, /^ssh-ed25519 \S+ berth-host$/);
  }
  assert.equal(
    readableKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'),
    false,
  );
  assert.equal(typeof ssh2.utils.parseKey, 'function');
});
