import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { tarOf } from '../../test/fixtures/images.ts';
import { silentLogger } from '../core/log.ts';
import { hostSys } from '../core/sys.ts';
import { hexOf } from './content-store.ts';
import { chainIds, type ImageRecord, ImageStore } from './image-store.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let store: ImageStore;
let shared: Buffer;
let ownA: Buffer;
let ownB: Buffer;

beforeEach(async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-image-store-'));
  roots.push(root);
  store = new ImageStore(root, hostSys, silentLogger);
  await store.init();
  shared = await tarOf([{ name: 'base', data: 'base\n' }]);
  ownA = await tarOf([{ name: 'a', data: 'aaaa\n' }]);
  ownB = await tarOf([{ name: 'b', data: 'bb\n' }]);
});

/** Stores the layers and records an image of them, tagged `name:latest`. */
async function addImage(name: string, layers: Buffer[]): Promise<ImageRecord> {
  const diffIds = layers.map(sha);
  const chains = chainIds(diffIds);
  for (let i = 0; i < layers.length; i++) {
    if (!(await store.content.has(diffIds[i]))) await store.content.write(layers[i], diffIds[i]);
    await store.layers.ensure(store.content.path(diffIds[i]), diffIds[i], chains[i], chains[i - 1]);
  }
  const config = { os: 'linux', config: { Cmd: [name] }, rootfs: { type: 'layers', diff_ids: diffIds } };
  const rec = await store.putImage(Buffer.from(JSON.stringify(config)));
  await store.setTag(`${name}:latest`, rec.id);
  return rec;
}

const layerOnDisk = (chain: string) => existsSync(path.join(store.layers.dir, hexOf(chain)));
const blobOnDisk = (digest: string) => existsSync(store.content.path(digest));

test('deleting an image is done at once in memory; the layers only it used follow on disk', async () => {
  const a = await addImage('a', [shared, ownA]);
  const b = await addImage('b', [shared, ownB]);
  const unlinked = store.unlinkImage(a.id);
  // Before any await: the record, its tag and its own layer are gone for every reader.
  assert.deepEqual(unlinked?.layers, [a.chainIds[1]]);
  assert.equal(store.get(a.id), undefined);
  assert.equal(store.lookup('a'), undefined);
  assert.equal(store.configOf(a.id), undefined);
  assert.equal(store.layers.known(a.chainIds[1]), undefined);
  assert.equal(await store.layers.has(a.chainIds[1]), false);
  assert.equal(await store.content.has(a.id), false);
  await unlinked?.done;
  assert.equal(layerOnDisk(a.chainIds[1]), false);
  assert.equal(blobOnDisk(a.diffIds[1]), false);
  assert.equal(blobOnDisk(a.id), false);
  // What b still uses stays.
  assert.equal(layerOnDisk(b.chainIds[0]), true);
  assert.equal(blobOnDisk(b.diffIds[0]), true);
  assert.deepEqual(await store.deleteImage(b.id), [b.chainIds[1], b.chainIds[0]], 'top layer first');
  assert.deepEqual(await fs.readdir(store.layers.dir), []);
  assert.deepEqual(await fs.readdir(store.content.dir), []);
});

test('deleting an image that is already gone is not an error', async () => {
  const a = await addImage('a', [ownA]);
  await store.unlinkImage(a.id)?.done;
  assert.equal(store.unlinkImage(a.id), undefined);
  assert.deepEqual(await store.deleteImage(a.id), []);
});

test('a lease keeps what it reads through a deletion; releasing it collects what no image uses', async () => {
  const a = await addImage('a', [shared, ownA]);
  const lease = store.lease();
  assert.equal(lease.read(a.id), true);
  assert.equal(store.pinned(a.id), false, 'a reader does not pin');
  assert.deepEqual(await store.deleteImage(a.id), [], 'nothing deleted while kept');
  assert.equal(layerOnDisk(a.chainIds[1]), true);
  assert.equal(blobOnDisk(a.diffIds[1]), true);
  // A new image made of the same layers meanwhile takes them over.
  const again = await addImage('again', [shared]);
  lease.release();
  lease.release();
  await waitFor(() => !layerOnDisk(a.chainIds[1]) && !blobOnDisk(a.diffIds[1]) && !blobOnDisk(a.id));
  assert.equal(layerOnDisk(again.chainIds[0]), true);
  assert.equal(blobOnDisk(again.diffIds[0]), true);
  assert.throws(() => lease.read(again.id), /lease used after its release/);
});

test('a pin lasts as long as its lease; reserving pins an image not written yet', async () => {
  const a = await addImage('a', [ownA]);
  const one = store.lease();
  const two = store.lease();
  assert.equal(one.use(a.id), true);
  assert.equal(two.use(a.id), true);
  one.release();
  assert.equal(store.pinned(a.id), true);
  two.release();
  assert.equal(store.pinned(a.id), false);
  assert.equal(store.lease().use(`sha256:${'0'.repeat(64)}`), false);
  const future = `sha256:${'1'.repeat(64)}`;
  const writer = store.lease();
  writer.reserve(future, [], []);
  assert.equal(store.pinned(future), true);
  writer.release();
});

test('a layer and a blob written again while their deletion runs are there once both are done', async () => {
  const a = await addImage('a', [ownA]);
  const diffId = a.diffIds[0];
  const tar = store.newTempPath('layer');
  await fs.writeFile(tar, ownA);
  const unlinked = store.unlinkImage(a.id);
  const [, written, meta] = await Promise.all([
    unlinked?.done,
    store.content.write(ownA, diffId),
    store.layers.ensure(tar, diffId, diffId, undefined),
  ]);
  assert.equal(written, diffId);
  assert.equal(meta.chainId, diffId);
  assert.equal(blobOnDisk(diffId), true);
  assert.equal(layerOnDisk(diffId), true);
  assert.equal(await fs.readFile(path.join(store.layers.diffDir(diffId), 'a'), 'utf8'), 'aaaa\n');
});

test('tag writes land in the order they were made, whatever order the disk finishes them in', async () => {
  const a = await addImage('a', [ownA]);
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    writes.push(store.setTag(`t${i}:latest`, a.id));
    if (i % 3 === 0) writes.push(store.deleteTag(`t${i}:latest`));
  }
  await Promise.all(writes);
  const onDisk = JSON.parse(await fs.readFile(path.join(store.root, 'repositories.json'), 'utf8'));
  const inMemory = Object.fromEntries(store.tagsOf(a.id).map((t) => [t, a.id]));
  assert.deepEqual(onDisk, inMemory);
  assert.equal(Object.keys(onDisk).length, 1 + 13);
  await assert.rejects(store.setTag('x:1', `sha256:${'2'.repeat(64)}`), /No such image/);
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}
