import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageSummary } from '../../../../electron/contract/index.ts';
import { defaultView, toggleSort, visibleImages } from './image-list.ts';

const img = (
  id: string,
  tags: string[],
  size: number,
  created: number,
  users: string[] = [],
): ImageSummary => ({
  id: `sha256:${id}`,
  tags,
  size,
  created,
  usedBy: users.map((name) => ({ id: `${name}-id`, name, running: false })),
});

const images = [
  img('aaa1', ['web:1', 'web:latest'], 300, 10, ['shop']),
  img('bbb2', [], 50, 30),
  img('ccc3', ['alpine:3'], 100, 20),
  img('ddd4', ['busybox:latest'], 200, 5, ['cron', 'batch']),
];
const ids = (list: ImageSummary[]) => list.map((i) => i.id.slice(7));

test('newest first by default; the filters: in use, unused, dangling', () => {
  assert.deepEqual(ids(visibleImages(images, defaultView)), ['bbb2', 'ccc3', 'aaa1', 'ddd4']);
  assert.deepEqual(ids(visibleImages(images, { ...defaultView, filter: 'in-use' })), ['aaa1', 'ddd4']);
  assert.deepEqual(ids(visibleImages(images, { ...defaultView, filter: 'unused' })), ['bbb2', 'ccc3']);
  assert.deepEqual(ids(visibleImages(images, { ...defaultView, filter: 'dangling' })), ['bbb2']);
});

test('search: any tag, an ID prefix (with or without sha256:), a container using it', () => {
  const find = (search: string) => ids(visibleImages(images, { ...defaultView, search }));
  assert.deepEqual(find('LATEST'), ['aaa1', 'ddd4']);
  assert.deepEqual(find('ccc'), ['ccc3']);
  assert.deepEqual(find('sha256:bbb'), ['bbb2']);
  assert.deepEqual(find('cron'), ['ddd4']);
  assert.deepEqual(find('nothing'), []);
});

test('sort by name (untagged last either way), size and created; a second click reverses', () => {
  const byName = toggleSort(defaultView, 'name');
  assert.deepEqual([byName.sort, byName.descending], ['name', false]);
  assert.deepEqual(ids(visibleImages(images, byName)), ['ccc3', 'ddd4', 'aaa1', 'bbb2']);
  assert.deepEqual(ids(visibleImages(images, toggleSort(byName, 'name'))), ['aaa1', 'ddd4', 'ccc3', 'bbb2']);
  const bySize = toggleSort(defaultView, 'size');
  assert.deepEqual(ids(visibleImages(images, bySize)), ['aaa1', 'ddd4', 'ccc3', 'bbb2']);
  assert.deepEqual(ids(visibleImages(images, toggleSort(bySize, 'size'))), ['bbb2', 'ccc3', 'ddd4', 'aaa1']);
  assert.deepEqual(ids(visibleImages(images, toggleSort(defaultView, 'created'))), [
    'ddd4',
    'aaa1',
    'ccc3',
    'bbb2',
  ]);
});
