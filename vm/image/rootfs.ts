// The guest's root filesystem: Debian's packages unpacked with dpkg-deb -x, the /usr merge, what their
// maintainer scripts would have done that the guest needs, the kernel's modules for the running
// system, our guest files; then a read-only squashfs whose bytes depend on nothing but its tree.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type ModuleInfo, modulesAlias, modulesDep } from './kmods.ts';
import { type Runner, runOk } from './run.ts';
import { busyboxApplets, copyFile, copyTree, linkApplets, mergeUsr, prune } from './tree.ts';

export async function unpackDebs(runner: Runner, debs: string[], root: string): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  for (const deb of debs) await runOk(runner, 'dpkg-deb', ['-x', deb, root]);
}

/** The alternatives that iptables' postinst would set: the nft backend under the usual names. */
export const iptablesLinks: Record<string, string> = {
  'usr/sbin/iptables': 'iptables-nft',
  'usr/sbin/iptables-save': 'iptables-nft-save',
  'usr/sbin/iptables-restore': 'iptables-nft-restore',
  'usr/sbin/ip6tables': 'ip6tables-nft',
  'usr/sbin/ip6tables-save': 'ip6tables-nft-save',
  'usr/sbin/ip6tables-restore': 'ip6tables-nft-restore',
};

/** Directories the running guest mounts on or writes to (the root itself is read-only). */
const emptyDirs = [
  'dev',
  'proc',
  'sys',
  'run',
  'tmp',
  'mnt',
  'root',
  'var/lib/berth',
  'var/log/berth',
  'var/tmp',
];

/** Debian's system after unpacking: the merge, links and files its scripts would have made. */
export async function settle(root: string): Promise<{ applets: string[] }> {
  await mergeUsr(root);
  await prune(root);
  for (const [link, target] of Object.entries(iptablesLinks)) {
    await fs.rm(path.join(root, link), { force: true });
    await fs.symlink(target, path.join(root, link));
  }
  await fs.rm(path.join(root, 'usr/bin/sh'), { force: true });
  await fs.symlink('dash', path.join(root, 'usr/bin/sh'));
  // ca-certificates' postinst concatenates the enabled certificates (all of Mozilla's by default).
  const mozilla = path.join(root, 'usr/share/ca-certificates/mozilla');
  const certs = (await fs.readdir(mozilla)).filter((f) => f.endsWith('.crt')).sort();
  const pem = await Promise.all(certs.map((c) => fs.readFile(path.join(mozilla, c), 'utf8')));
  await fs.mkdir(path.join(root, 'etc/ssl/certs'), { recursive: true });
  await fs.writeFile(
    path.join(root, 'etc/ssl/certs/ca-certificates.crt'),
    pem.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''),
  );
  await fs.rm(path.join(root, 'etc/mtab'), { force: true });
  await fs.symlink('../proc/self/mounts', path.join(root, 'etc/mtab'));
  for (const d of emptyDirs) await fs.mkdir(path.join(root, d), { recursive: true });
  await fs.chmod(path.join(root, 'tmp'), 0o1777);
  await fs.chmod(path.join(root, 'root'), 0o700);
  const applets = await linkApplets(
    root,
    busyboxApplets(await fs.readFile(path.join(root, 'usr/bin/busybox'))),
  );
  return { applets };
}

/** The kernel's modules for the running guest, with modules.dep/.alias for busybox's modprobe. */
export async function installModules(
  root: string,
  kernelVersion: string,
  modulesDir: string,
  mods: ModuleInfo[],
  boot: Record<string, string[]>,
): Promise<void> {
  const dest = path.join(root, 'usr/lib/modules', kernelVersion);
  for (const m of mods) await copyFile(path.join(modulesDir, m.path), path.join(dest, m.path), 0o644);
  await fs.writeFile(path.join(dest, 'modules.dep'), modulesDep(mods));
  await fs.writeFile(path.join(dest, 'modules.alias'), modulesAlias(mods));
  for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    await fs.copyFile(path.join(modulesDir, f), path.join(dest, f)).catch(() => undefined);
  }
  await fs.mkdir(path.join(root, 'etc/berth'), { recursive: true });
  const have = new Set(mods.map((m) => m.name));
  for (const [list, names] of Object.entries(boot)) {
    const lines = names.filter((n) => have.has(n)).map((n) => `${n}\n`);
    await fs.writeFile(path.join(root, `etc/berth/modules-${list}`), lines.join(''));
  }
}

/** guest/rootfs/ of this folder, over the unpacked system (our /etc/passwd, inittab, init scripts). */
export async function installGuestFiles(guestRoot: string, root: string): Promise<void> {
  await copyTree(guestRoot, root);
  await fs.chmod(path.join(root, 'etc/shadow'), 0o600);
}

/**
 * The squashfs image of the tree. Owners, times and extended attributes of the staging tree are
 * ignored (root, `epoch`, none), and mksquashfs writes directories sorted: the bytes follow the tree.
 * (The options stand for SOURCE_DATE_EPOCH, which mksquashfs refuses beside them.)
 */
export async function makeSquashfs(
  runner: Runner,
  root: string,
  out: string,
  epoch: number,
  compression: string[],
): Promise<void> {
  await fs.rm(out, { force: true });
  await runOk(runner, 'mksquashfs', [
    root,
    out,
    '-noappend',
    '-no-progress',
    '-quiet',
    '-all-root',
    '-no-xattrs',
    '-no-exports',
    '-mkfs-time',
    String(epoch),
    '-all-time',
    String(epoch),
    ...compression,
  ]);
}
