import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolumeFileEntry } from '../../../../electron/contract/index.ts';
import { base64ToBytes, childPath, crumbs, parentPath, sortEntries } from './paths.ts';
import { parseLabels } from './volume-request.ts';

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

test('base64ToBytes decodes what volumes.download sends', () => {
  assert.deepEqual(
    [...base64ToBytes(Buffer.from('hi\n\u00ff').toString('base64'))],
    [...Buffer.from('hi\n\u00ff')],
  );
});

test('parseLabels reads KEY=value lines and refuses a line without a key', () => {
  assert.deepEqual(parseLabels('team=ui\n  env = dev \n\nflag'), { team: 'ui', env: 'dev', flag: '' });
  assert.deepEqual(parseLabels('hosts=a,b\nq=x=y'), { hosts: 'a,b', q: 'x=y' });
  assert.deepEqual(parseLabels(''), {});
  assert.throws(() => parseLabels('=x'), /invalid label "=x"/);
  assert.throws(() => parseLabels('a b=x'), /invalid label/);
});
