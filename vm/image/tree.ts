// File-tree chores of the root filesystem's assembly: the /usr merge that usrmerge would have done,
// busybox's applet links, the pruning of what no guest reads, and normalised copies of our own files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { byCodeUnits } from './order.ts';

/**
 * Moves /bin, /sbin, /lib* into /usr and leaves symlinks in their place (Debian 12's layout, which the
 * usrmerge package makes at install time and dpkg-deb -x does not). A file in both places is an error:
 * Debian's policy forbids it, and picking one silently would hide a broken package set.
 */
export async function mergeUsr(root: string): Promise<void> {
  await fs.mkdir(path.join(root, 'usr'), { recursive: true });
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const from = path.join(root, top);
    const st = await fs.lstat(from).catch(() => undefined);
    if (st?.isDirectory()) {
      await moveInto(from, path.join(root, 'usr', top));
      await fs.rm(from, { recursive: true });
    }
    if (st?.isDirectory() || (await exists(path.join(root, 'usr', top)))) {
      await fs.rm(from, { force: true, recursive: true });
      await fs.symlink(`usr/${top}`, from);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  return (await fs.lstat(p).catch(() => undefined)) !== undefined;
}

async function moveInto(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    const there = await fs.lstat(dst).catch(() => undefined);
    if (!there) await fs.rename(src, dst);
    else if (there.isDirectory() && e.isDirectory()) await moveInto(src, dst);
    else if (
      there.isSymbolicLink() &&
      e.isSymbolicLink() &&
      (await fs.readlink(dst)) === (await fs.readlink(src))
    ) {
      // the same link in both places (e.g. an ld.so alias): one is enough
    } else throw new Error(`/usr merge: ${path.basename(from)}/${e.name} and usr/…/${e.name} both exist`);
  }
}

/**
 * The applet names compiled into a busybox binary. They sit in one NUL-separated table that starts
 * with `[` and `[[` (sorted, as busybox looks them up by bisection); reading it from the file works
 * for any architecture, where running `busybox --list` would work only for the builder's own.
 */
export function busyboxApplets(binary: Buffer): string[] {
  const at = binary.indexOf(Buffer.from('\0[\0[[\0', 'latin1'));
  if (at < 0) throw new Error('busybox: no applet table in the binary');
  const names: string[] = [];
  let i = at + 1;
  while (binary[i] !== 0) {
    const end = binary.indexOf(0, i);
    names.push(binary.toString('latin1', i, end));
    i = end + 1;
  }
  return names;
}

/** Applets that belong in sbin (the kernel runs /sbin/modprobe; init is /sbin/init). */
const sbinApplets = new Set([
  'init',
  'modprobe',
  'insmod',
  'rmmod',
  'lsmod',
  'depmod',
  'modinfo',
  'poweroff',
  'reboot',
  'halt',
  'switch_root',
  'udhcpc',
  'acpid',
]);
/** Applets that would only mislead in a system without a package manager or a login. */
const skippedApplets = new Set([
  '[[',
  'busybox',
  'dpkg',
  'dpkg-deb',
  'rpm',
  'rpm2cpio',
  'linuxrc',
  'login',
  'su',
]);

/**
 * Links each applet that no package provides to busybox (/usr/bin/busybox), so that the programs of
 * Debian's packages keep their names and busybox fills the gaps (init, modprobe, udhcpc, vi…).
 * Answers the links made, sorted.
 */
export async function linkApplets(root: string, applets: string[]): Promise<string[]> {
  const made: string[] = [];
  for (const a of [...applets].sort()) {
    if (skippedApplets.has(a) || a.includes('/')) continue;
    const taken =
      (await exists(path.join(root, 'usr/bin', a))) || (await exists(path.join(root, 'usr/sbin', a)));
    if (taken) continue;
    const dir = sbinApplets.has(a) ? 'usr/sbin' : 'usr/bin';
    await fs.mkdir(path.join(root, dir), { recursive: true });
    await fs.symlink(dir === 'usr/bin' ? 'busybox' : '../bin/busybox', path.join(root, dir, a));
    made.push(`${dir}/${a}`);
  }
  return made.sort();
}

/** What the guest never reads: documentation, translations, packaging leftovers (copyrights stay). */
export async function prune(root: string): Promise<void> {
  for (const p of [
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
    'usr/share/lintian',
    'usr/share/bug',
    'usr/share/initramfs-tools',
    'usr/share/bash-completion',
    'usr/share/zsh',
    'usr/share/gdb',
    'usr/share/gcc',
    'usr/share/pam-configs',
    'usr/share/menu',
    'etc/init.d',
    'etc/rc0.d',
    'etc/rc1.d',
    'etc/rc2.d',
    'etc/rc3.d',
    'etc/rc4.d',
    'etc/rc5.d',
    'etc/rc6.d',
    'etc/rcS.d',
    'lib/systemd',
    'usr/lib/systemd',
    'etc/systemd',
  ]) {
    await fs.rm(path.join(root, p), { recursive: true, force: true });
  }
  const doc = path.join(root, 'usr/share/doc');
  for (const pkg of await fs.readdir(doc).catch(() => [] as string[])) {
    const dir = path.join(doc, pkg);
    const st = await fs.lstat(dir);
    if (!st.isDirectory()) continue;
    for (const f of await fs.readdir(dir)) {
      if (f !== 'copyright') await fs.rm(path.join(dir, f), { recursive: true, force: true });
    }
  }
}

/**
 * Copies a tree with normalised modes (0755 for directories and for files with any execute bit,
 * 0644 otherwise, or `fileMode` when given): what a checkout's umask did must not reach the image.
 */
export async function copyTree(src: string, dst: string, filter: (rel: string) => boolean = () => true) {
  const walk = async (rel: string) => {
    await fs.mkdir(path.join(dst, rel), { recursive: true, mode: 0o755 });
    await fs.chmod(path.join(dst, rel), 0o755);
    const entries = await fs.readdir(path.join(src, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => byCodeUnits(a.name, b.name))) {
      const r = path.join(rel, e.name);
      if (!filter(r)) continue;
      if (e.isDirectory()) await walk(r);
      else if (e.isSymbolicLink()) await fs.symlink(await fs.readlink(path.join(src, r)), path.join(dst, r));
      else if (e.isFile()) await copyFile(path.join(src, r), path.join(dst, r));
    }
  };
  await walk('');
}

export async function copyFile(src: string, dst: string, mode?: number): Promise<void> {
  await fs.mkdir(path.dirname(dst), { recursive: true });
  await fs.copyFile(src, dst);
  const m = mode ?? ((await fs.stat(src)).mode & 0o111 ? 0o755 : 0o644);
  await fs.chmod(dst, m);
}
