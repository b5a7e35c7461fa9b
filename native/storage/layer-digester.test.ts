import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LayerDigester } from './layer-digester.ts';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-digester-'));
after(() => fs.rm(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let n = 0;
const file = () => path.join(dir, `f${n++}`);

async function feed(d: LayerDigester, data: Buffer, chunk = 65536) {
  for (let o = 0; o < data.length; o += chunk) await d.write(new Uint8Array(data.subarray(o, o + chunk)));
}

test('digests, diffID and file of gzip and plain blobs, one after another', async () => {
  const tar = Buffer.alloc(3 << 20, 7);
  for (let i = 0; i < 5; i++) {
    const gzip = i % 2 === 0;
    const blob = gzip ? gzipSync(tar) : tar;
    const f = file();
    const d = new LayerDigester(f, gzip);
    await feed(d, blob);
    const r = await d.end();
    await r.synced;
    assert.equal(r.digest, sha(blob));
    assert.equal(r.diffId, sha(tar));
    assert.equal(sha(await fs.readFile(f)), sha(tar));
  }
});

test('a corrupt gzip stream fails, an aborted job stops, and the next job still works', async () => {
  const bad = new LayerDigester(file(), true);
  await feed(bad, Buffer.from('this is not gzip at all'));
  await assert.rejects(bad.end(), /header|gzip|incorrect/i);
  const stopped = new LayerDigester(file(), true);
  await feed(stopped, gzipSync(Buffer.alloc(1 << 20)).subarray(0, 1000));
  await stopped.abort();
  const tar = Buffer.from('after the failures');
  const f = file();
  const ok = new LayerDigester(f, false);
  await feed(ok, tar);
  const r = await ok.end();
  assert.equal(r.diffId, sha(tar));
  await r.synced;
  assert.equal(await fs.readFile(f, 'utf8'), 'after the failures');
});
