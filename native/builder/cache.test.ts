import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { busyboxImageTar } from '../../test/fixtures/images.ts';
import { fixturesDir, loadFile, newService } from '../services/images/test-helpers.ts';
import { BuildCache } from './cache.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

test('builds writing the cache side by side keep every entry; entries of deleted images are ignored', async () => {
  const { svc, root } = await newService();
  roots.push(root);
  await loadFile(svc, await busyboxImageTar(fixturesDir));
  const id = (await svc.resolve('busybox'))?.id as string;
  const cacheFile = path.join(root, 'build-cache.json');
  const exists = (imageId: string) => svc.store.get(imageId) !== undefined;
  const builds = await Promise.all([0, 1, 2, 3].map(() => BuildCache.open(cacheFile, exists)));
  await Promise.all(builds.flatMap((c, i) => [0, 1, 2].map((j) => c.put(`step ${i}.${j}`, id))));
  const reopened = await BuildCache.open(cacheFile, exists);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) assert.equal(reopened.get(`step ${i}.${j}`), id);
  await svc.remove(id, { force: true });
  assert.equal(reopened.get('step 0.0'), undefined);
});
