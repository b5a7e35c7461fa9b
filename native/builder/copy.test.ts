import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expandSource, hashSources } from './copy.ts';

describe('COPY sources', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-copy-'));
    for (const f of ['a.cfg', 'b.cfg', 'c.txt', 'sub/x.cfg', 'sub/y.txt'])
      await fs
        .mkdir(path.dirname(path.join(root, f)), { recursive: true })
        .then(() => fs.writeFile(path.join(root, f), f));
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  test('globs match within one path segment; plain names must exist', async () => {
    assert.deepEqual(await expandSource(root, '*.cfg'), ['a.cfg', 'b.cfg']);
    assert.deepEqual(await expandSource(root, '*/?.cfg'), ['sub/x.cfg']);
    assert.deepEqual(await expandSource(root, '[ab].*'), ['a.cfg', 'b.cfg']);
    assert.deepEqual(await expandSource(root, 'sub'), ['sub']);
    assert.deepEqual(await expandSource(root, 'missing'), []);
    assert.deepEqual(await expandSource(root, '.'), ['.']);
  });

  test('paths cannot leave the context', async () => {
    assert.deepEqual(await expandSource(root, '../../etc/passwd'), []);
    assert.deepEqual(await expandSource(root, 'sub/../a.cfg'), ['a.cfg']);
  });

  test('the source digest follows content, not times', async () => {
    const h1 = await hashSources(root, ['sub']);
    const t = new Date('2001-01-01T00:00:00Z');
    await fs.utimes(path.join(root, 'sub/x.cfg'), t, t);
    assert.equal(await hashSources(root, ['sub']), h1);
    await fs.writeFile(path.join(root, 'sub/x.cfg'), 'changed');
    assert.notEqual(await hashSources(root, ['sub']), h1);
  });
});
