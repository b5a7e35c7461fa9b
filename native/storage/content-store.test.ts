import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { isEngineError } from '../core/errors.ts';
import { ContentStore, tempMark } from './content-store.ts';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-content-'));
after(() => fs.rm(root, { recursive: true, force: true }));
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('a blob streams in under its sha256 and reads back', async () => {
  const cs = new ContentStore(root);
  await cs.init();
  const data = Buffer.from('hello blobs\n');
  const d = await cs.write(Readable.from([data.subarray(0, 3), data.subarray(3)]), digestOf(data));
  assert.equal(d, digestOf(data));
  assert.equal(cs.path(d), path.join(root, 'blobs', 'sha256', d.slice(7)));
  assert.deepEqual(await cs.read(d), data);
  assert.equal(await cs.has(d), true);
  assert.deepEqual(await fs.readdir(cs.dir), [d.slice(7)]);
});

test('a blob whose digest does not match is refused and nothing is committed', async () => {
  const cs = new ContentStore(root);
  await cs.init();
  const before = await fs.readdir(cs.dir);
  const claimed = digestOf(Buffer.from('something else'));
  await assert.rejects(
    cs.write(Readable.from([Buffer.from('tampered')]), claimed),
    (err) => isEngineError(err, 'invalid') && /digest mismatch/.test(err.message),
  );
  assert.equal(await cs.has(claimed), false);
  assert.equal(await cs.has(digestOf(Buffer.from('tampered'))), false);
  assert.deepEqual(await fs.readdir(cs.dir), before, 'no temp file and no blob left');
});

test('malformed digests are refused before touching the disk', async () => {
  const cs = new ContentStore(root);
  assert.throws(() => cs.path('sha256:../../etc/passwd'), /invalid digest/);
  await assert.rejects(cs.write(Buffer.from('x'), 'md5:abc'), /invalid digest/);
});

test('init removes temp files that a crash left', async () => {
  const cs = new ContentStore(root);
  await cs.init();
  const stale = path.join(cs.dir, `${tempMark}deadbeef`);
  await fs.writeFile(stale, 'partial');
  const kept = await cs.write(Buffer.from('kept'));
  await new ContentStore(root).init();
  assert.equal(
    await fs.stat(stale).then(
      () => true,
      () => false,
    ),
    false,
  );
  assert.equal(await cs.has(kept), true);
});
