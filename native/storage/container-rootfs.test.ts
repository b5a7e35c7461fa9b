import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasOwnFilesystem } from '../core/fsutil.ts';
import { hostSys } from '../core/sys.ts';
import { hostMemoryMounts } from '../orchestrator/kubelet/memory-volumes.ts';
import { isMounted } from './container-rootfs.ts';

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
