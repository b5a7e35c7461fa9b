import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { secureJoin } from './securejoin.ts';
import { testDir } from './test-dir.ts';

test('secureJoin keeps .. and symlinks inside the root', async () => {
  const root = testDir('berth-sj-');
  mkdirSync(path.join(root, 'a/b'), { recursive: true });
  symlinkSync('/etc', path.join(root, 'a/abs'));
  symlinkSync('../../../../..', path.join(root, 'a/up'));
  symlinkSync('b', path.join(root, 'a/rel'));
  assert.equal(await secureJoin(root, '/../../etc/passwd'), path.join(root, 'etc/passwd'));
  assert.equal(await secureJoin(root, '/a/abs/passwd'), path.join(root, 'etc/passwd'));
  assert.equal(await secureJoin(root, '/a/up/x'), path.join(root, 'x'));
  assert.equal(await secureJoin(root, '/a/rel/f'), path.join(root, 'a/b/f'));
  assert.equal(await secureJoin(root, '/a/abs', false), path.join(root, 'a/abs'));
});
