import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { tarOf } from '../../test/fixtures/images.ts';
import { silentLogger } from '../core/log.ts';
import { hostSys } from '../core/sys.ts';
import { tempMark } from './content-store.ts';
import { chainIds, LayerStore } from './layer-store.ts';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-layers-'));
after(() => fs.rm(root, { recursive: true, force: true }));
const sha = (s: string | Buffer) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

test('chain IDs follow the OCI image spec', () => {
  const a = `sha256:${'a'.repeat(64)}`;
  const b = `sha256:${'b'.repeat(64)}`;
  const c = `sha256:${'c'.repeat(64)}`;
  const ab = sha(`${a} ${b}`);
  assert.deepEqual(chainIds([]), []);
  assert.deepEqual(chainIds([a]), [a]);
  assert.deepEqual(chainIds([a, b, c]), [a, ab, sha(`${ab} ${c}`)]);
});

test('a layer is extracted once per chain ID with its metadata', async () => {
  const store = new LayerStore(root, hostSys, silentLogger);
  await store.init();
  const tar = await tarOf([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/motd', data: 'hello\n' },
    { name: 'bin/x', data: 'abc' },
  ]);
  const file = path.join(root, 'layer.tar');
  await fs.writeFile(file, tar);
  const diffId = sha(tar);
  const parent = `sha256:${'1'.repeat(64)}`;
  const chain = chainIds([parent, diffId])[1];
  const meta = await store.ensure(file, diffId, chain, parent);
  assert.deepEqual(meta, { diffId, chainId: chain, parent, size: 9 });
  const dir = store.diffDir(chain);
  assert.equal(dir, path.join(root, 'layers', chain.slice(7), 'diff'));
  assert.equal(await fs.readFile(path.join(dir, 'etc/motd'), 'utf8'), 'hello\n');
  await fs.writeFile(path.join(dir, 'marker'), '');
  await store.ensure(file, diffId, chain, parent);
  assert.ok(await fs.stat(path.join(dir, 'marker')), 'second ensure reuses the extracted layer');
  const reread = new LayerStore(root, hostSys, silentLogger);
  assert.deepEqual(await reread.meta(chain), meta);
  await reread.delete(chain);
  assert.equal(await new LayerStore(root, hostSys, silentLogger).has(chain), false);
});

test('a failed extraction leaves nothing visible, and init clears crash leftovers', async () => {
  const store = new LayerStore(root, hostSys, silentLogger);
  await store.init();
  const file = path.join(root, 'garbage.tar');
  await fs.writeFile(file, Buffer.alloc(1024, 7));
  const chain = `sha256:${'2'.repeat(64)}`;
  await assert.rejects(store.ensure(file, chain, chain, undefined));
  assert.equal(await store.has(chain), false);
  assert.deepEqual(
    (await fs.readdir(store.dir)).filter((n) => n.startsWith(tempMark)),
    [],
  );
  await fs.mkdir(path.join(store.dir, `${tempMark}half`, 'diff'), { recursive: true });
  await new LayerStore(root, hostSys, silentLogger).init();
  assert.deepEqual(
    (await fs.readdir(store.dir)).filter((n) => n.startsWith(tempMark)),
    [],
  );
});
