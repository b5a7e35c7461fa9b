import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  configFor,
  type Entry,
  image,
  multiLayerImageTar,
  ociLayoutTar,
  tarOf,
} from '../../../test/fixtures/images.ts';
import { isEngineError } from '../../core/errors.ts';
import { fixturesDir, loadBuffer, loadFile, newService } from './test-helpers.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});
const fresh = async () => {
  const t = await newService();
  roots.push(t.root);
  return t;
};
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A docker-save tar in the newer `blobs/sha256` layout, with layers stored as given. */
async function blobsLayout(images: Array<{ config: Buffer; layers: Buffer[]; tags: string[] | null }>) {
  const entries: Entry[] = [];
  const manifest = images.map((img) => {
    for (const b of [img.config, ...img.layers]) entries.push({ name: `blobs/sha256/${hex(b)}`, data: b });
    return {
      Config: `blobs/sha256/${hex(img.config)}`,
      RepoTags: img.tags,
      Layers: img.layers.map((l) => `blobs/sha256/${hex(l)}`),
    };
  });
  entries.push({ name: 'manifest.json', data: JSON.stringify(manifest) });
  return tarOf(entries);
}

test('a multi-layer image keeps whiteouts and opaque dirs in its layers', async () => {
  const { svc } = await fresh();
  assert.deepEqual(await loadFile(svc, await multiLayerImageTar(fixturesDir)), [
    'Loaded image: berth-test/layers:latest\n',
  ]);
  const img = await svc.resolve('berth-test/layers');
  assert.ok(img);
  assert.equal(img.layerDirs.length, 4);
  assert.equal(new Set(img.layerDirs).size, 4);
  const wh = await fs.lstat(path.join(img.layerDirs[2], 'opt/app/deleted'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  const opq = execFileSync('getfattr', [
    '-n',
    'trusted.overlay.opaque',
    '--only-values',
    path.join(img.layerDirs[2], 'opt/data'),
  ]);
  assert.equal(opq.toString(), 'y');
  assert.equal(await fs.readFile(path.join(img.layerDirs[3], 'opt/app/new'), 'utf8'), 'new\n');
});

test('an OCI layout loads with its annotation tag', async () => {
  const { svc } = await fresh();
  assert.deepEqual(await loadFile(svc, await ociLayoutTar(fixturesDir)), [
    'Loaded image: berth-test/oci:1\n',
  ]);
  const img = await svc.resolve('berth-test/oci:1');
  assert.ok(img);
  assert.ok((await fs.stat(path.join(img.layerDirs[0], 'bin/busybox'))).isFile());
});

test('gzip and plain layers in the blobs layout load; several images per tar; untagged by ID', async () => {
  const { svc } = await fresh();
  const a = await image([[{ name: 'a', data: 'A' }]], ['a']);
  const b = await image([[{ name: 'a', data: 'A' }], [{ name: 'b', data: 'B' }]], ['a', 'b']);
  const tar = await blobsLayout([
    { config: a.config, layers: [gzipSync(a.layers[0])], tags: ['one:1', 'one:2'] },
    { config: b.config, layers: b.layers, tags: null },
  ]);
  const messages = await loadBuffer(svc, tar);
  assert.deepEqual(messages, [
    'Loaded image: one:1\n',
    'Loaded image: one:2\n',
    `Loaded image ID: sha256:${hex(b.config)}\n`,
  ]);
  const ib = await svc.resolve(`sha256:${hex(b.config)}`);
  assert.ok(ib);
  assert.equal(
    ib.layerDirs[0],
    (await svc.resolve('one:1'))?.layerDirs[0],
    'shared base layer extracted once',
  );
  assert.equal(await fs.readFile(path.join(ib.layerDirs[1], 'b'), 'utf8'), 'B');
});

test('loading a tag that names another image renames the old one to empty string', async () => {
  const { svc } = await fresh();
  const a = await image([[{ name: 'a', data: 'A' }]], ['first']);
  const b = await image([[{ name: 'b', data: 'B' }]], ['second']);
  await loadBuffer(svc, await blobsLayout([{ ...a, tags: ['box:latest'] }]));
  const msgs = await loadBuffer(svc, await blobsLayout([{ ...b, tags: ['box'] }]));
  assert.deepEqual(msgs, [
    `The image box:latest already exists, renaming the old one with ID sha256:${hex(a.config)} to empty string\n`,
    'Loaded image: box:latest\n',
  ]);
  const dangling = await svc.list({ filters: { dangling: ['true'] } });
  assert.deepEqual(
    dangling.map((i) => (i as { Id: string }).Id),
    [`sha256:${hex(a.config)}`],
  );
});

test('a corrupt layer is refused with a clear message and nothing is committed', async () => {
  const { svc, root } = await fresh();
  const good = await tarOf([{ name: 'ok', data: 'ok' }]);
  const bad = await tarOf([{ name: 'evil', data: 'not what the config says' }]);
  const config = configFor([`sha256:${hex(good)}`, `sha256:${hex(Buffer.from('other'))}`], ['x', 'y']);
  const claims = JSON.parse(config.toString()).rootfs.diff_ids as string[];
  const tar = await blobsLayout([{ config, layers: [good, bad], tags: ['corrupt:1'] }]);
  await assert.rejects(
    loadBuffer(svc, tar),
    (e) =>
      isEngineError(e, 'invalid') &&
      e.message === `invalid diffID for layer 1: expected "${claims[1]}", got "sha256:${hex(bad)}"`,
  );
  assert.deepEqual(await svc.list({}), []);
  assert.deepEqual(await fs.readdir(path.join(root, 'blobs/sha256')), []);
  assert.deepEqual(await fs.readdir(path.join(root, 'layers')), []);
  assert.deepEqual(await fs.readdir(path.join(root, 'tmp')), []);
});

test('archives without a manifest or with missing members are invalid', async () => {
  const { svc } = await fresh();
  await assert.rejects(
    loadBuffer(svc, await tarOf([{ name: 'x', data: 'y' }])),
    /no manifest.json or index.json/,
  );
  const missing = await tarOf([
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: null, Layers: [] }]) },
  ]);
  await assert.rejects(
    loadBuffer(svc, missing),
    (e) => isEngineError(e, 'invalid') && /c.json is missing/.test(e.message),
  );
  await assert.rejects(loadBuffer(svc, Buffer.from('not a tar at all, clearly')), (e) =>
    isEngineError(e, 'invalid'),
  );
});

test('a layer.tar that docker save stored as a symlink is followed inside the archive', async () => {
  const { svc } = await fresh();
  const layer = await tarOf([{ name: 'f', data: 'F' }]);
  const config = configFor([`sha256:${hex(layer)}`], ['x']);
  const tar = await tarOf([
    { name: 'one/layer.tar', data: layer },
    { name: 'two/layer.tar', type: 'symlink', linkname: '../one/layer.tar' },
    { name: 'c.json', data: config },
    {
      name: 'manifest.json',
      data: JSON.stringify([{ Config: 'c.json', RepoTags: ['s:1'], Layers: ['two/layer.tar'] }]),
    },
  ]);
  assert.deepEqual(await loadBuffer(svc, tar), ['Loaded image: s:1\n']);
});
