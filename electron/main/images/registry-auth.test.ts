// Registry names as the docker CLI keys its credentials.
// (The X-Registry-Auth header next to the docker CLI's, and login against an htpasswd registry:
// test/integration/app/registry-auth.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registryDomain, registryOfRepository } from './registry-auth.ts';

test('registry names: Docker Hub under its aliases, other hosts as written (lowercase)', () => {
  assert.equal(registryDomain('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryDomain('docker.io'), 'docker.io');
  assert.equal(registryDomain('http://Reg.Example:5000/v2/'), 'reg.example:5000');
  assert.equal(registryOfRepository('busybox'), 'docker.io');
  assert.equal(registryOfRepository('library/busybox'), 'docker.io');
  assert.equal(registryOfRepository('127.0.0.1:5000/x/y'), '127.0.0.1:5000');
  assert.equal(registryOfRepository('localhost/x'), 'localhost');
});
