import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, beforeEach, test } from 'node:test';
import { type Entry, tarOf } from '../../test/fixtures/images.ts';
import { hostSys } from '../core/sys.ts';
import { extractLayer, safeRelative } from './tar-extract.ts';

const sandbox = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-extract-'));
after(() => fs.rm(sandbox, { recursive: true, force: true }));
let layer: string;
let outside: string;

beforeEach(async () => {
  await fs.rm(path.join(sandbox, 'case'), { recursive: true, force: true });
  layer = path.join(sandbox, 'case', 'layer', 'diff');
  outside = path.join(sandbox, 'case', 'outside');
  await fs.mkdir(layer, { recursive: true });
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'target'), 'original\n');
});

const extract = async (entries: Entry[]) =>
  extractLayer(hostSys, Readable.from([await tarOf(entries)]), layer);
const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );
const outsideFiles = async () => (await fs.readdir(outside)).sort();
const passwdHash = () => createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');

test('safeRelative keeps names inside the layer', () => {
  assert.equal(safeRelative('/etc/passwd'), 'etc/passwd');
  assert.equal(safeRelative('./a//b/'), 'a/b');
  assert.equal(safeRelative('../x'), undefined);
  assert.equal(safeRelative('a/../../x'), undefined);
  assert.equal(safeRelative('./'), undefined);
});

test('../ names are refused and nothing lands beside the layer', async () => {
  const res = await extract([
    { name: '../../outside/escaped', data: 'x' },
    { name: 'a/../../../outside/escaped2', data: 'x' },
    { name: '/../outside/escaped3', data: 'x' },
    { name: 'ok', data: 'fine' },
  ]);
  assert.deepEqual(await outsideFiles(), ['target']);
  assert.equal(await exists(path.join(sandbox, 'case', 'escaped')), false);
  assert.equal(await exists(path.join(sandbox, 'case', 'layer', 'escaped')), false);
  assert.equal(await fs.readFile(path.join(layer, 'ok'), 'utf8'), 'fine');
  assert.equal(res.refused.length, 3);
});

test('absolute names are taken relative to the layer root', async () => {
  await extract([{ name: '/etc/berth-abs-test', data: 'in layer' }]);
  assert.equal(await fs.readFile(path.join(layer, 'etc/berth-abs-test'), 'utf8'), 'in layer');
  assert.equal(await exists('/etc/berth-abs-test'), false);
});

test('a file is never written through a symlink in the layer', async () => {
  const res = await extract([
    { name: 'abs', type: 'symlink', linkname: outside },
    { name: 'abs/pwned', data: 'x' },
    { name: 'rel', type: 'symlink', linkname: '../../outside' },
    { name: 'rel/pwned2', data: 'x' },
    { name: 'rel/sub/pwned3', type: 'directory' },
    { name: 'root', type: 'symlink', linkname: '/' },
    { name: `root${outside}/pwned4`, data: 'x' },
  ]);
  assert.deepEqual(await outsideFiles(), ['target']);
  assert.equal(res.refused.length, 4);
  assert.equal(await fs.readlink(path.join(layer, 'abs')), outside, 'the symlink itself is kept');
});

test('a file entry replaces a symlink of the same name instead of following it', async () => {
  await extract([
    { name: 'victim', type: 'symlink', linkname: path.join(outside, 'target') },
    { name: 'victim', data: 'replaced\n' },
  ]);
  assert.equal(await fs.readFile(path.join(outside, 'target'), 'utf8'), 'original\n');
  assert.equal((await fs.lstat(path.join(layer, 'victim'))).isFile(), true);
});

test('hardlinks to files outside the layer are refused; /etc/passwd is untouched', async () => {
  const before = passwdHash();
  const nlink = (await fs.stat('/etc/passwd')).nlink;
  const res = await extract([
    { name: 'etc/', type: 'directory' },
    { name: 'hl1', type: 'link', linkname: '/etc/passwd' },
    { name: 'hl2', type: 'link', linkname: '../../../../../../etc/passwd' },
    { name: 'sl', type: 'symlink', linkname: '/etc' },
    { name: 'hl3', type: 'link', linkname: 'sl/passwd' },
    { name: 'hl1', data: 'overwrite attempt' },
  ]);
  assert.equal(passwdHash(), before);
  assert.equal((await fs.stat('/etc/passwd')).nlink, nlink);
  assert.equal(res.refused.length, 3);
  assert.equal((await fs.stat(path.join(layer, 'hl1'))).nlink, 1);
});

test('directory times are set without following a symlink that replaced the dir', async () => {
  const old = new Date('2001-01-01T00:00:00Z');
  await fs.utimes(outside, old, old);
  await extract([
    { name: 'd/', type: 'directory' },
    { name: 'd', type: 'symlink', linkname: outside },
  ]);
  assert.equal((await fs.stat(outside)).mtime.getTime(), old.getTime());
});

test('device nodes and fifos are skipped', async () => {
  const res = await extract([
    { name: 'dev/', type: 'directory' },
    { name: 'dev/sda', type: 'block-device' },
    { name: 'dev/mem', type: 'character-device' },
    { name: 'dev/pipe', type: 'fifo' },
  ]);
  assert.deepEqual(await fs.readdir(path.join(layer, 'dev')), []);
  assert.equal(res.refused.length, 3);
});

test('modes, owners, setuid, mtimes, symlinks and hardlinks are kept', async () => {
  const when = new Date('2020-02-02T02:02:02Z');
  const res = await extract([
    { name: 'bin/', type: 'directory', mode: 0o750, mtime: when },
    { name: 'bin/su', data: 'binary', mode: 0o4755, uid: 0, gid: 0 },
    { name: 'bin/sg', data: 'binary', mode: 0o2711, uid: 1000, gid: 10 },
    { name: 'bin/link', type: 'symlink', linkname: 'su' },
    { name: 'bin/hard', type: 'link', linkname: 'bin/su' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'home/app/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
    { name: 'file', data: 'dated', mode: 0o600, mtime: when },
  ]);
  assert.deepEqual(res.refused, []);
  // dockerd's directory.Size: file bytes (a hardlink once) plus the symlink's target length.
  assert.equal(res.size, 17 + 'su'.length);
  const st = (p: string) => fs.lstat(path.join(layer, p));
  assert.equal((await st('bin')).mode & 0o7777, 0o750);
  assert.equal((await st('bin')).mtime.getTime(), when.getTime());
  assert.equal((await st('bin/su')).mode & 0o7777, 0o4755);
  const sg = await st('bin/sg');
  assert.deepEqual([sg.mode & 0o7777, sg.uid, sg.gid], [0o2711, 1000, 10]);
  assert.equal(await fs.readlink(path.join(layer, 'bin/link')), 'su');
  assert.equal((await st('bin/hard')).ino, (await st('bin/su')).ino);
  assert.equal((await st('tmp')).mode & 0o7777, 0o1777);
  const home = await st('home/app');
  assert.deepEqual([home.uid, home.gid, home.mode & 0o7777], [1000, 1000, 0o700]);
  assert.equal((await st('file')).mtime.getTime(), when.getTime());
});

test('whiteouts become char devices 0/0 and opaque dirs get the overlay xattr', async () => {
  const res = await extract([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.motd', data: '' },
    { name: 'opt/data/', type: 'directory' },
    { name: 'opt/data/.wh..wh..opq', data: '' },
    { name: 'opt/data/c', data: 'c' },
    { name: 'opt/.wh..wh.plnk', type: 'directory' },
  ]);
  assert.deepEqual(res.refused, []);
  const wh = await fs.lstat(path.join(layer, 'etc/motd'));
  assert.equal(wh.isCharacterDevice(), true);
  assert.equal(wh.rdev, 0);
  assert.equal(await exists(path.join(layer, 'etc/.wh.motd')), false);
  const xattr = execFileSync('getfattr', [
    '-n',
    'trusted.overlay.opaque',
    '--only-values',
    path.join(layer, 'opt/data'),
  ]);
  assert.equal(xattr.toString(), 'y');
  assert.equal(await exists(path.join(layer, 'opt/data/.wh..wh..opq')), false);
  assert.equal(await exists(path.join(layer, 'opt/.wh..wh.plnk')), false);
});

test('a whiteout named .. or . cannot delete the layer or its parents', async () => {
  const res = await extract([
    { name: 'keep/', type: 'directory' },
    { name: 'keep/file', data: 'k' },
    { name: 'keep/.wh...', data: '' },
    { name: 'keep/.wh..', data: '' },
  ]);
  assert.equal(await fs.readFile(path.join(layer, 'keep/file'), 'utf8'), 'k');
  assert.equal(res.refused.length, 2);
});

test('links made in the background keep the order of the tar: replaced, chained, owned, dated', async () => {
  const when = new Date('2021-03-03T03:03:03Z');
  const many = Array.from(
    { length: 200 },
    (_, i): Entry => ({
      name: `bin/app${i}`,
      type: 'symlink',
      linkname: 'busybox',
      mtime: when,
    }),
  );
  const res = await extract([
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', data: 'binary', mode: 0o755 },
    ...many,
    { name: 'bin/hard1', type: 'link', linkname: 'bin/busybox' },
    { name: 'bin/hard2', type: 'link', linkname: 'bin/hard1' },
    // A symlink replaced by a directory with content, and one replaced by a file, later in the tar.
    { name: 'bin/app7/', type: 'directory' },
    { name: 'bin/app7/inner', data: 'in' },
    { name: 'bin/app8', data: 'now a file' },
    { name: 'owned', type: 'symlink', linkname: 'bin/busybox', uid: 1000, gid: 1000 },
  ]);
  assert.deepEqual(res.refused, []);
  const st = (p: string) => fs.lstat(path.join(layer, p));
  assert.equal((await fs.readdir(path.join(layer, 'bin'))).length, 200 + 3);
  assert.equal(await fs.readlink(path.join(layer, 'bin/app199')), 'busybox');
  assert.equal((await st('bin/app199')).mtime.getTime(), when.getTime());
  assert.equal((await st('bin/hard2')).ino, (await st('bin/busybox')).ino);
  assert.equal(await fs.readFile(path.join(layer, 'bin/app7/inner'), 'utf8'), 'in');
  assert.equal(await fs.readFile(path.join(layer, 'bin/app8'), 'utf8'), 'now a file');
  const owned = await st('owned');
  assert.deepEqual([owned.isSymbolicLink(), owned.uid, owned.gid], [true, 1000, 1000]);
});
