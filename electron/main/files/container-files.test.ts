// Decoding what the archive API answers: the path-stat header, folder tars and links.
// (The Files and Stats tabs against a real berthd and dockerd: test/integration/app/container-files.test.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePathStat, resolveLink, TarFolderLister } from './container-files.ts';

const stat = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64');

describe('archive API decoding', () => {
  test('the path-stat header: Go FileMode type and permission bits', () => {
    const dir = decodePathStat(stat({ name: 'etc', size: 4096, mode: 2 ** 31 + 0o755, mtime: 'T' }));
    assert.deepEqual(dir, { name: 'etc', type: 'dir', size: 4096, mode: 0o755, mtime: 'T', linkTarget: '' });
    const link = decodePathStat(stat({ name: 'sh', mode: 2 ** 27 + 0o777, linkTarget: 'busybox' }));
    assert.equal(link.type, 'symlink');
    assert.equal(link.linkTarget, 'busybox');
    const suid = decodePathStat(stat({ name: 'su', mode: 2 ** 23 + 0o755 }));
    assert.deepEqual([suid.type, suid.mode], ['file', 0o4755]);
    const sticky = decodePathStat(stat({ name: 'tmp', mode: 2 ** 31 + 2 ** 20 + 0o777 }));
    assert.deepEqual([sticky.type, sticky.mode], ['dir', 0o1777]);
    assert.equal(decodePathStat(stat({ name: 'null', mode: 2 ** 26 + 2 ** 21 + 0o666 })).type, 'other');
  });

  test('a folder tar: direct children only, under the folder name or bare', () => {
    const mtime = new Date('2026-01-01T00:00:00Z');
    const named = new TarFolderLister();
    for (const h of [
      { name: 'etc/', type: 'directory' as const },
      { name: 'etc/hostname', type: 'file' as const, size: 13, mode: 0o644, mtime },
      { name: 'etc/ssl/', type: 'directory' as const, mode: 0o755, mtime },
      { name: 'etc/ssl/cert.pem', type: 'file' as const, size: 99 },
      { name: 'etc/mtab', type: 'symlink' as const, linkname: '/proc/mounts', mtime },
    ]) {
      named.add(h);
    }
    assert.deepEqual(named.entries(), [
      { name: 'hostname', type: 'file', size: 13, mode: 0o644, mtime: mtime.toISOString() },
      { name: 'ssl', type: 'dir', size: 0, mode: 0o755, mtime: mtime.toISOString() },
      {
        name: 'mtab',
        type: 'symlink',
        size: 0,
        mode: 0,
        mtime: mtime.toISOString(),
        linkTarget: '/proc/mounts',
      },
    ]);
    const bare = new TarFolderLister();
    for (const name of ['./', './bin/', './bin/sh', './etc/', 'tmp/']) bare.add({ name, type: 'directory' });
    assert.deepEqual(
      bare.entries().map((e) => e.name),
      ['bin', 'etc', 'tmp'],
    );
  });

  test('symbolic links resolve against their folder', () => {
    assert.equal(resolveLink('/bin/sh', 'busybox'), '/bin/busybox');
    assert.equal(resolveLink('/etc/mtab', '../proc/self/mounts'), '/proc/self/mounts');
    assert.equal(resolveLink('/a/b', '/x//y/'), '/x/y');
  });
});
