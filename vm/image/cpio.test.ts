import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type CpioEntry, comparePaths, gzipReproducible, writeCpio } from './cpio.ts';
import { initramfsEntries } from './initramfs.ts';

const entries: CpioEntry[] = [
  { path: 'lib/modules/6.1.0/kernel/fs/squashfs/squashfs.ko', type: 'file', data: Buffer.from('ko') },
  { path: 'init', type: 'file', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
  { path: 'bin/sh', type: 'symlink', target: 'busybox' },
  { path: 'bin/busybox', type: 'file', data: Buffer.from('\x7fELF'), mode: 0o755 },
  { path: 'dev/console', type: 'chardev', major: 5, minor: 1 },
];

test('newc archive: what a real cpio lists and unpacks, every entry owned by root at the given time', async () => {
  const archive = writeCpio(entries, 1735689600);
  const list = spawnSync('busybox', ['cpio', '-t', '-v'], {
    input: archive,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  assert.equal(list.status, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  // Parents first (made for paths that did not name them), then by path component.
  assert.deepEqual(
    rows.map((r) => r.split(/\s+/).slice(5).join(' ')),
    [
      'bin',
      'bin/busybox',
      'bin/sh -> busybox',
      'dev',
      'dev/console',
      'init',
      'lib',
      'lib/modules',
      'lib/modules/6.1.0',
      'lib/modules/6.1.0/kernel',
      'lib/modules/6.1.0/kernel/fs',
      'lib/modules/6.1.0/kernel/fs/squashfs',
      'lib/modules/6.1.0/kernel/fs/squashfs/squashfs.ko',
    ],
  );
  for (const r of rows) assert.match(r, /^\S+ 0\/0 +\d+ 2025-01-01 00:00:00 /, r);
  assert.match(rows.find((r) => r.endsWith(' init'))!, /^-rwxr-xr-x /);
  assert.match(rows.find((r) => r.includes('dev/console'))!, /^crw------- /);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cpio-'));
  try {
    const x = spawnSync('busybox', ['cpio', '-i', '-d', '-m'], {
      input: archive,
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(x.status, 0, x.stderr);
    assert.equal(await fs.readFile(path.join(dir, 'init'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(await fs.readlink(path.join(dir, 'bin/sh')), 'busybox');
    assert.equal((await fs.stat(path.join(dir, 'init'))).mtimeMs, 1735689600 * 1000);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the same entries in any order give the same bytes; a path twice or outside the root is refused', () => {
  const a = writeCpio(entries, 0);
  const b = writeCpio([...entries].reverse(), 0);
  assert.ok(a.equals(b));
  assert.ok(!a.equals(writeCpio(entries, 1)), 'the time is in the archive');
  assert.throws(() => writeCpio([...entries, entries[1]], 0), /init twice/);
  assert.throws(() => writeCpio([{ path: '../etc/passwd', type: 'dir' }], 0), /bad path/);
  assert.throws(() => writeCpio([{ path: '/init', type: 'dir' }], 0), /bad path/);
  assert.ok(comparePaths('a/b', 'a-b') < 0 && comparePaths('a', 'a/b') < 0);
});

test('gzip without a time or the host in its header', () => {
  const data = Buffer.from('initramfs '.repeat(100));
  const gz = gzipReproducible(data);
  assert.equal(gz.readUInt32LE(4), 0, 'MTIME');
  assert.equal(gz[9], 3, 'OS: Unix');
  assert.ok(gunzipSync(gz).equals(data));
  assert.ok(gz.equals(gzipReproducible(data)));
});

test('initramfs: init, busybox and its applets, the console, the modules in load order', () => {
  const info = (p: string) => ({ path: p, name: path.basename(p, '.ko'), depends: [], aliases: [] });
  const list = initramfsEntries({
    kernelVersion: '6.1.0-57-amd64',
    busybox: Buffer.from('bb'),
    init: Buffer.from('#!/bin/sh\n'),
    modules: [
      { info: info('kernel/drivers/virtio/virtio_ring.ko'), data: Buffer.from('1') },
      { info: info('kernel/drivers/virtio/virtio.ko'), data: Buffer.from('2') },
    ],
  });
  const byPath = new Map(list.map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('init'), {
    path: 'init',
    type: 'file',
    data: Buffer.from('#!/bin/sh\n'),
    mode: 0o755,
  });
  assert.deepEqual(byPath.get('bin/switch_root'), {
    path: 'bin/switch_root',
    type: 'symlink',
    target: 'busybox',
  });
  const mods = byPath.get('etc/modules');
  assert.equal(
    mods?.type === 'file' && mods.data.toString(),
    'kernel/drivers/virtio/virtio_ring.ko\nkernel/drivers/virtio/virtio.ko\n',
  );
  assert.ok(byPath.has('lib/modules/6.1.0-57-amd64/kernel/drivers/virtio/virtio.ko'));
  assert.equal(byPath.get('dev/console')?.type, 'chardev');
});
