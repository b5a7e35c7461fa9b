import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasOwnFilesystem } from '../core/fsutil.ts';
import { hostSys } from '../core/sys.ts';
import { hostMemoryMounts } from '../orchestrator/kubelet/memory-volumes.ts';
import {
  isMounted,
  mountRootfs,
  overlayOptions,
  prepareRootfs,
  rootfsDirs,
  unmountRootfs,
} from './container-rootfs.ts';

const skip = process.getuid?.() !== 0 && 'needs root to mount';

describe('mount points', { skip }, () => {
  let dir = '';
  const mounted: string[] = [];
  const mount = (...args: string[]) => {
    execFileSync('mount', args);
    mounted.push(args[args.length - 1] as string);
  };
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'berth-mounts-'));
    for (const d of ['plain', 'tmp', 'bound', 'stacked']) mkdirSync(path.join(dir, d));
    mount('-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(dir, 'tmp'));
    mkdirSync(path.join(dir, 'tmp/inner'));
    mount('--bind', path.join(dir, 'plain'), path.join(dir, 'bound'));
    mount('-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(dir, 'stacked'));
    mount('--bind', path.join(dir, 'plain'), path.join(dir, 'stacked'));
  });
  after(() => {
    for (const p of mounted.reverse()) execFileSync('umount', [p]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a filesystem of its own on a folder is seen without the mount table', async () => {
    assert.equal(await hasOwnFilesystem(path.join(dir, 'tmp')), true);
    assert.equal(await hasOwnFilesystem(path.join(dir, 'plain')), false);
    assert.equal(await hasOwnFilesystem(path.join(dir, 'tmp/inner')), false, 'a folder inside a mount');
    assert.equal(await hasOwnFilesystem(path.join(dir, 'missing')), false);
    assert.equal(await hasOwnFilesystem(path.join(dir, 'tmp/missing/deeper')), false);
    assert.equal(await hasOwnFilesystem('/'), true);
    // A bind mount from the same filesystem is the mount table's to see.
    assert.equal(await hasOwnFilesystem(path.join(dir, 'bound')), false);
    assert.equal(await isMounted(path.join(dir, 'bound')), true);
    assert.equal(await isMounted(path.join(dir, 'plain')), false);
  });

  test("a memory volume's tmpfs is the one seen on its folder, the last mount on it", async () => {
    const mounts = hostMemoryMounts(hostSys);
    assert.equal(await mounts.isTmpfs(path.join(dir, 'tmp')), true);
    assert.equal(await mounts.isTmpfs(path.join(dir, 'tmp/inner')), false);
    assert.equal(await mounts.isTmpfs(path.join(dir, 'plain')), false);
    assert.equal(await mounts.isTmpfs(path.join(dir, 'missing')), false);
    // A tmpfs with a bind mount of the disk on top of it: what is seen there is not a tmpfs.
    assert.equal(await mounts.isTmpfs(path.join(dir, 'stacked')), false);
  });
});

describe('overlay options', () => {
  const dirs = rootfsDirs('/var/lib/berth/containers/c0ffee');
  const layer = (id: string) => `/var/lib/berth/storage/layers/${id}/diff`;

  test("written from the container's folder: upper and work by their names, layers relative", () => {
    const o = overlayOptions(dirs, [layer('a'), layer('b')]);
    assert.equal(o.cwd, '/var/lib/berth/containers/c0ffee');
    assert.equal(
      o.options,
      'lowerdir=../../storage/layers/b/diff:../../storage/layers/a/diff,upperdir=upper,workdir=work',
    );
  });

  test('a long list of layers is written from their common parent; no layers is the empty folder', () => {
    const many = Array.from({ length: 50 }, (_, i) => layer(`${i}`.padStart(64, 'f')));
    const o = overlayOptions(dirs, many);
    assert.equal(o.cwd, '/var/lib/berth/storage/layers');
    assert.ok(o.options.startsWith(`lowerdir=${'49'.padStart(64, 'f')}/diff:`), o.options.slice(0, 90));
    assert.ok(
      o.options.endsWith(',upperdir=../../containers/c0ffee/upper,workdir=../../containers/c0ffee/work'),
    );
    assert.ok(o.options.length < 4096);
    assert.equal(overlayOptions(dirs, []).options, 'lowerdir=empty,upperdir=upper,workdir=work');
  });
});

describe('a container rootfs', { skip }, () => {
  test('mounts with short options the mount table keeps as given, and shows the layers in order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-rootfs-'));
    try {
      const lower = (name: string, file: string) => {
        const d = path.join(dir, 'layers', name, 'diff');
        mkdirSync(d, { recursive: true });
        writeFileSync(path.join(d, 'f'), file);
        return d;
      };
      const layers = [lower('bottom', 'bottom'), lower('top', 'top')];
      const dirs = rootfsDirs(path.join(dir, 'containers', 'c1'));
      await prepareRootfs(dirs);
      await mountRootfs(hostSys, dirs, layers);
      try {
        assert.equal(readFileSync(path.join(dirs.merged, 'f'), 'utf8'), 'top');
        const line = readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .find((l) => l.split(' ')[4] === dirs.merged);
        assert.ok(line, 'the overlay is in the mount table');
        assert.match(line, /upperdir=upper,workdir=work/);
        assert.match(line, /lowerdir=\.\.\/\.\.\/layers\/top\/diff:\.\.\/\.\.\/layers\/bottom\/diff/);
      } finally {
        await unmountRootfs(hostSys, dirs);
      }
      assert.equal(await hasOwnFilesystem(dirs.merged), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
