import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copySourcesHash, expandSource } from './copy.ts';

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

  test('the source hash follows content, not times, and names its kind', async () => {
    const h1 = await copySourcesHash(root, ['sub']);
    assert.match(h1, /^dir:[0-9a-f]{64}$/);
    const t = new Date('2001-01-01T00:00:00Z');
    await fs.utimes(path.join(root, 'sub/x.cfg'), t, t);
    assert.equal(await copySourcesHash(root, ['sub']), h1);
    await fs.writeFile(path.join(root, 'sub/x.cfg'), 'changed');
    assert.notEqual(await copySourcesHash(root, ['sub']), h1);
    assert.match(await copySourcesHash(root, ['a.cfg']), /^file:[0-9a-f]{64}$/);
    assert.match(await copySourcesHash(root, ['a.cfg', 'sub']), /^multi:[0-9a-f]{64}$/);
  });

  test('a context file’s hash is the sum the client’s tar gave it', async () => {
    const sums = new Map([['a.cfg', 'f'.repeat(64)]]);
    assert.equal(await copySourcesHash(root, ['a.cfg'], sums), `file:${'f'.repeat(64)}`);
  });
});
