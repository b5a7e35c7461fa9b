import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../core/test-dir.ts';
import { listVolumeFiles, openVolumeFile } from './files.ts';

function volume(): string {
  const root = testDir('berth-vfiles-');
  mkdirSync(path.join(root, 'sub'));
  writeFileSync(path.join(root, 'sub/a.txt'), 'hello\n');
  symlinkSync('/etc/passwd', path.join(root, 'abs'));
  symlinkSync('../../../../..', path.join(root, 'up'));
  symlinkSync('sub', path.join(root, 'lnk'));
  return root;
}

async function read(root: string, p: string): Promise<string> {
  const { handle, size } = await openVolumeFile(root, p);
  try {
    const buf = Buffer.alloc(size);
    await handle.read(buf, 0, size, 0);
    return buf.toString();
  } finally {
    await handle.close();
  }
}

test('lists a directory of a volume with types, sizes, modes and link targets', async () => {
  const root = volume();
  const entries = await listVolumeFiles(root, '/');
  assert.deepEqual(
    entries.map((e) => `${e.name} ${e.type}${e.linkTarget ? ` -> ${e.linkTarget}` : ''}`),
    ['abs symlink -> /etc/passwd', 'lnk symlink -> sub', 'sub dir', 'up symlink -> ../../../../..'],
  );
  const [file] = await listVolumeFiles(root, '/lnk');
  assert.equal(file.name, 'a.txt');
  assert.equal(file.size, 6);
  assert.equal(file.mode, 0o644 & ~process.umask());
  assert.match(file.mtime, /Z$/);
});

test('reads files inside the volume; symlinks and .. never lead out of it', async () => {
  const root = volume();
  assert.equal(await read(root, '/sub/a.txt'), 'hello\n');
  assert.equal(await read(root, 'lnk/a.txt'), 'hello\n');
  // /etc/passwd of the host exists; inside the volume it does not.
  await assert.rejects(read(root, '/abs'), /no such file or directory: \/abs/);
  await assert.rejects(read(root, '/up/etc/passwd'), /no such file or directory/);
  await assert.rejects(read(root, '/../../../../etc/passwd'), /no such file or directory/);
  await assert.rejects(listVolumeFiles(root, '/up/etc'), /no such file or directory/);
});

test('refuses what is not a regular file or not a directory', async () => {
  const root = volume();
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  await assert.rejects(read(root, '/fifo'), /not a regular file: \/fifo/);
  await assert.rejects(read(root, '/sub'), /not a regular file: \/sub/);
  await assert.rejects(listVolumeFiles(root, '/sub/a.txt'), /not a directory: \/sub\/a.txt/);
});
