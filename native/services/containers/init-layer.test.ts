import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../core/test-dir.ts';
import { containerLayers, existingInitLayer, initLayerDir } from './init-layer.ts';

const root = testDir('berth-init-layer-');

/** An image of two layers as the layer store keeps them (`layers/<chain>/diff`), the lower with /etc. */
function image(name: string): string[] {
  const lower = path.join(root, name, 'layers', 'a', 'diff');
  const upper = path.join(root, name, 'layers', 'b', 'diff');
  mkdirSync(path.join(lower, 'etc'), { recursive: true, mode: 0o750 });
  mkdirSync(path.join(lower, 'proc'), { recursive: true });
  mkdirSync(upper, { recursive: true });
  return [lower, upper];
}

const container = (name: string) => {
  const dir = path.join(root, name, 'containers', String(Math.random()).slice(2));
  mkdirSync(dir, { recursive: true });
  return dir;
};

test('containers of one image share its init layer, made once beside its top layer, none in their folders', async () => {
  const layers = image('shared');
  const dirs = Array.from({ length: 5 }, () => container('shared'));
  assert.equal(existingInitLayer(dirs[0]!, layers), undefined);
  const all = await Promise.all(dirs.map((d) => containerLayers(d, layers)));
  const init = path.join(path.dirname(layers[1]!), 'init');
  for (const lowers of all) assert.deepEqual(lowers, [...layers, init]);
  for (const d of dirs) {
    assert.equal(existsSync(initLayerDir(d)), false);
    assert.equal(existingInitLayer(d, layers), init);
  }
  // No temp folder left beside it, and Docker's files: the mount points, /.dockerenv, /etc/mtab, and
  // the folders the image lacks (it has /proc), /etc as the image has it.
  assert.deepEqual(readdirSync(path.dirname(init)).sort(), ['diff', 'init']);
  assert.deepEqual(readdirSync(init).sort(), ['.dockerenv', 'dev', 'etc', 'sys']);
  assert.deepEqual(readdirSync(path.join(init, 'etc')).sort(), ['hostname', 'hosts', 'mtab', 'resolv.conf']);
  assert.deepEqual(readdirSync(path.join(init, 'dev')).sort(), ['console', 'pts', 'shm']);
  assert.equal(readlinkSync(path.join(init, 'etc', 'mtab')), '/proc/mounts');
  assert.equal(statSync(path.join(init, 'etc')).mode & 0o7777, 0o750);
  assert.equal(statSync(path.join(init, 'etc', 'hosts')).size, 0);
});

test('a container made before the layer was shared keeps its own; an image with no layers gets one of its own', async () => {
  const layers = image('old');
  const old = container('old');
  const own = initLayerDir(old);
  mkdirSync(path.join(own, 'etc'), { recursive: true });
  assert.deepEqual(await containerLayers(old, layers), [...layers, own]);
  assert.equal(existingInitLayer(old, layers), own);
  assert.equal(existsSync(path.join(path.dirname(layers[1]!), 'init')), false);

  const bare = container('old');
  const lowers = await containerLayers(bare, []);
  assert.deepEqual(lowers, [initLayerDir(bare)]);
  assert.ok(lstatSync(path.join(initLayerDir(bare), 'proc')).isDirectory());
});

test('a temp folder a crash left is replaced', async () => {
  const layers = image('crash');
  const init = path.join(path.dirname(layers[1]!), 'init');
  mkdirSync(path.join(`${init}.tmp`, 'junk'), { recursive: true });
  await containerLayers(container('crash'), layers);
  assert.equal(existsSync(path.join(init, 'junk')), false);
  assert.equal(existsSync(`${init}.tmp`), false);
});
