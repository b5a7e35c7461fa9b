import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolumeFileEntry } from '../../../electron/contract/index.ts';
import { childPath, crumbs, parentPath, sortEntries } from './file-paths.ts';

test('paths inside a volume: child, parent and breadcrumbs', () => {
  assert.equal(childPath('/', 'a'), '/a');
  assert.equal(childPath('/a', 'b c'), '/a/b c');
  assert.equal(parentPath('/a/b'), '/a');
  assert.equal(parentPath('/a'), '/');
  assert.equal(parentPath('/'), '/');
  assert.deepEqual(crumbs('/'), [{ label: '/', path: '/' }]);
  assert.deepEqual(crumbs('/a/b'), [
    { label: '/', path: '/' },
    { label: 'a', path: '/a' },
    { label: 'b', path: '/a/b' },
  ]);
});

test('sortEntries puts folders first, then names in order', () => {
  const e = (name: string, type: VolumeFileEntry['type']): VolumeFileEntry => ({
    name,
    type,
    size: 0,
    mode: 0o644,
    mtime: '',
  });
  assert.deepEqual(
    sortEntries([
      e('b.txt', 'file'),
      e('z', 'dir'),
      e('a.txt', 'file'),
      e('c', 'dir'),
      e('l', 'symlink'),
    ]).map((x) => x.name),
    ['c', 'z', 'a.txt', 'b.txt', 'l'],
  );
});
