// Paths inside a volume. (The volume and volume-file handlers against a real berthd and dockerd:
// test/integration/app/volumes.test.ts and volume-files.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeVolumePath } from './volume-files.ts';

test('normalizeVolumePath makes one absolute path without empty or dot parts', () => {
  assert.equal(normalizeVolumePath(''), '/');
  assert.equal(normalizeVolumePath('sub//dir/./x/'), '/sub/dir/x');
  assert.equal(normalizeVolumePath('/'), '/');
});
