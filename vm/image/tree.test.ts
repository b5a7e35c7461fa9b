import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { busyboxApplets, copyTree, linkApplets, mergeUsr } from './tree.ts';

async function scratch(fn: (dir: string) => Promise<void>) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-tree-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function put(root: string, rel: string, content = rel) {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), content);
}

test('the /usr merge moves bin, sbin and lib* under usr and leaves links', () =>
  scratch(async (root) => {
    await put(root, 'bin/dash');
    await put(root, 'sbin/e2fsck');
    await put(root, 'lib/x86_64-linux-gnu/libc.so.6');
    await put(root, 'lib64/ld-linux-x86-64.so.2');
    await put(root, 'usr/lib/x86_64-linux-gnu/libseccomp.so.2');
    await put(root, 'usr/bin/runc');
    await mergeUsr(root);
    for (const top of ['bin', 'sbin', 'lib', 'lib64'])
      assert.equal(await fs.readlink(path.join(root, top)), `usr/${top}`);
    assert.equal(await fs.readFile(path.join(root, 'bin/dash'), 'utf8'), 'bin/dash');
    assert.equal(await fs.readFile(path.join(root, 'usr/sbin/e2fsck'), 'utf8'), 'sbin/e2fsck');
    assert.deepEqual((await fs.readdir(path.join(root, 'usr/lib/x86_64-linux-gnu'))).sort(), [
      'libc.so.6',
      'libseccomp.so.2',
    ]);
    await assert.rejects(fs.lstat(path.join(root, 'libx32')));
  }));

test('the /usr merge refuses a file that two packages put in both places', () =>
  scratch(async (root) => {
    await put(root, 'bin/ip', 'one');
    await put(root, 'usr/bin/ip', 'two');
    await assert.rejects(mergeUsr(root), /bin\/ip and usr\/…\/ip both exist/);
  }));

test('busybox applets: read from the binary, linked only where no package has the name', () =>
  scratch(async (root) => {
    const binary = Buffer.concat([
      Buffer.from('\x7fELF…code…'),
      Buffer.from('\0[\0[[\0acpid\0init\0ip\0modprobe\0sh\0vi\0\0', 'latin1'),
      Buffer.from('…more code'),
    ]);
    const applets = busyboxApplets(binary);
    assert.deepEqual(applets, ['[', '[[', 'acpid', 'init', 'ip', 'modprobe', 'sh', 'vi']);
    assert.throws(() => busyboxApplets(Buffer.from('no table')), /no applet table/);
    await put(root, 'usr/bin/busybox');
    await put(root, 'usr/sbin/ip'); // iproute2's
    await fs.symlink('dash', path.join(root, 'usr/bin/sh'));
    const made = await linkApplets(root, applets);
    assert.deepEqual(made, [
      'usr/bin/[',
      'usr/bin/vi',
      'usr/sbin/acpid',
      'usr/sbin/init',
      'usr/sbin/modprobe',
    ]);
    assert.equal(await fs.readlink(path.join(root, 'usr/sbin/init')), '../bin/busybox');
    assert.equal(await fs.readlink(path.join(root, 'usr/bin/vi')), 'busybox');
    assert.equal(await fs.readlink(path.join(root, 'usr/bin/sh')), 'dash');
  }));

test('copies of our files have modes of their own, not the checkout umask', () =>
  scratch(async (dir) => {
    const src = path.join(dir, 'src');
    await put(src, 'run.sh');
    await put(src, 'etc/conf');
    await put(src, 'skip/me');
    await fs.chmod(path.join(src, 'run.sh'), 0o775);
    await fs.chmod(path.join(src, 'etc/conf'), 0o664);
    await fs.chmod(path.join(src, 'etc'), 0o775);
    const dst = path.join(dir, 'dst');
    await copyTree(src, dst, (rel) => !rel.startsWith('skip'));
    const mode = async (rel: string) => (await fs.stat(path.join(dst, rel))).mode & 0o7777;
    assert.equal(await mode('run.sh'), 0o755);
    assert.equal(await mode('etc/conf'), 0o644);
    assert.equal(await mode('etc'), 0o755);
    await assert.rejects(fs.stat(path.join(dst, 'skip')));
  }));
