// The kernel modules the guest carries, and the files modprobe needs to find them.
//
// Debian builds almost everything the VM needs as modules (virtio, ext4, squashfs, overlay, 9p,
// netfilter) and writes modules.dep in the postinst that never runs here, so the builder reads each
// module's `.modinfo` section itself (its `depends=` and `alias=` strings) and writes modules.dep and
// modules.alias for the subset it keeps. Busybox's modprobe reads both, so iptables' and nft's
// on-demand loads (`xt_conntrack`, `nft-expr-…`) work in the guest as on a full system.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { byCodeUnits } from './order.ts';

/** `key=value` strings of a module's `.modinfo` ELF section, in file order. */
export function parseModinfo(elf: Buffer): Array<[string, string]> {
  if (elf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (elf[4] !== 2 || elf[5] !== 1) throw new Error('not a little-endian 64-bit ELF file');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: elf.readUInt32LE(at),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
    };
  };
  const strtab = section(shstrndx);
  const nameOf = (off: number) => {
    const start = strtab.offset + off;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== '.modinfo') continue;
    return elf
      .toString('utf8', s.offset, s.offset + s.size)
      .split('\0')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);
  }
  return [];
}

/** A module's name as the kernel knows it: the file's base name, dashes as underscores. */
export function moduleName(relPath: string): string {
  return path
    .basename(relPath)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replace(/-/g, '_');
}

export interface ModuleInfo {
  /** Path under lib/modules/<version>/ (`kernel/fs/ext4/ext4.ko`). */
  path: string;
  name: string;
  depends: string[];
  aliases: string[];
}

export function moduleInfo(relPath: string, modinfo: Array<[string, string]>): ModuleInfo {
  const depends = modinfo
    .filter(([k]) => k === 'depends')
    .flatMap(([, v]) => v.split(','))
    .filter(Boolean);
  const aliases = modinfo.filter(([k]) => k === 'alias').map(([, v]) => v);
  return { path: relPath, name: moduleName(relPath), depends, aliases };
}

/** What the image keeps: modules by name (with their dependencies), and whole folders of the tree. */
export interface ModuleSelection {
  /** Modules that must be there; the build fails when one is not. */
  names: string[];
  /** Modules taken when the kernel has them (e.g. crc32c_intel only on x86). */
  optional?: string[];
  /** Every module under these folders (relative to lib/modules/<version>/). */
  folders?: string[];
}

/**
 * The selected modules and everything they depend on, in load order (a module after its
 * dependencies; ties by name), so that insmod down the list always succeeds.
 */
export function selectModules(all: ModuleInfo[], sel: ModuleSelection): ModuleInfo[] {
  const byName = new Map(all.map((m) => [m.name, m]));
  const wanted: string[] = [];
  for (const n of sel.names) {
    if (!byName.has(n)) throw new Error(`the kernel has no module ${n}`);
    wanted.push(n);
  }
  for (const n of sel.optional ?? []) if (byName.has(n)) wanted.push(n);
  for (const f of sel.folders ?? []) {
    const prefix = f.endsWith('/') ? f : `${f}/`;
    for (const m of all) if (m.path.startsWith(prefix)) wanted.push(m.name);
  }
  const order: ModuleInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string) => {
    const m = byName.get(name);
    if (!m) throw new Error(`module ${from} depends on ${name}, which the kernel does not have`);
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`modules depend on each other in a circle through ${name}`);
    state.set(name, 'visiting');
    for (const d of [...m.depends].sort()) visit(d, name);
    state.set(name, 'done');
    order.push(m);
  };
  for (const n of [...new Set(wanted)].sort()) visit(n, n);
  return order;
}

/**
 * modules.dep as depmod writes it: each module, then all it depends on, the ones to load first last
 * (modprobe loads the list from its end).
 */
export function modulesDep(mods: ModuleInfo[]): string {
  const byName = new Map(mods.map((m) => [m.name, m]));
  const lines = [...mods]
    .sort((a, b) => byCodeUnits(a.path, b.path))
    .map((m) => {
      const closure: ModuleInfo[] = [];
      const seen = new Set<string>();
      const walk = (n: string) => {
        for (const d of [...byName.get(n)!.depends].sort()) {
          if (seen.has(d)) continue;
          seen.add(d);
          walk(d);
          closure.push(byName.get(d)!);
        }
      };
      walk(m.name);
      const deps = closure.reverse().map((d) => d.path);
      return `${m.path}:${deps.length ? ' ' : ''}${deps.join(' ')}\n`;
    });
  return lines.join('');
}

/** modules.alias: `alias <pattern> <module>` for every alias of the kept modules. */
export function modulesAlias(mods: ModuleInfo[]): string {
  return [...mods]
    .sort((a, b) => byCodeUnits(a.name, b.name))
    .flatMap((m) => [...m.aliases].sort().map((a) => `alias ${a} ${m.name}\n`))
    .join('');
}

/** Reads the `.modinfo` of every module under `<root>/lib/modules/<version>/kernel`. */
export async function readModuleTree(modulesDir: string): Promise<ModuleInfo[]> {
  const out: ModuleInfo[] = [];
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(modulesDir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => byCodeUnits(a.name, b.name))) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) await walk(r);
      else if (e.name.endsWith('.ko')) {
        out.push(moduleInfo(r, parseModinfo(await fs.readFile(path.join(modulesDir, r)))));
      }
    }
  };
  await walk('kernel');
  return out;
}

/** Modules the initramfs loads to find and mount the root: the disk, its filesystems, the config. */
export const initramfsModules: ModuleSelection = {
  // virtio_rng: the kernel's random pool is seeded from the host at once, not after seconds of jitter
  // entropy under TCG (Node's first getrandom() waits for it).
  names: ['virtio_pci', 'virtio_blk', 'virtio_console', 'virtio_rng', 'qemu_fw_cfg', 'squashfs', 'overlay'],
  // The virt machine of aarch64 has virtio-mmio devices too.
  optional: ['virtio_mmio'],
};

/** Modules the running guest has (the initramfs' too): loaded at boot, or on demand by modprobe. */
export const rootfsModules: ModuleSelection = {
  names: [
    ...initramfsModules.names,
    'ext4',
    'crc32c_generic',
    'virtio_net',
    'virtio_balloon',
    'vmw_vsock_virtio_transport',
    'evdev',
    '9p',
    '9pnet_virtio',
    'virtiofs',
    'bridge',
    'br_netfilter',
    'veth',
    'tun',
    'dummy',
    'nf_tables',
    'nft_compat',
    'nft_chain_nat',
    'nf_nat',
    'nf_conntrack',
    'xt_MASQUERADE',
    'xt_conntrack',
    'xt_addrtype',
    'xt_nat',
    'xt_comment',
    'xt_mark',
    'xt_multiport',
    'xt_statistic',
  ],
  // The power button that the provider's graceful stop presses: ACPI's on x86's q35 (button), a
  // GPIO key on aarch64's virt machine (gpio_keys, on its PL061 controller).
  optional: [...(initramfsModules.optional ?? []), 'crc32c_intel', 'crc32_pclmul', 'button', 'gpio_keys'],
  folders: [
    'kernel/net/netfilter',
    'kernel/net/ipv4/netfilter',
    'kernel/net/ipv6/netfilter',
    'kernel/net/bridge',
  ],
};

/**
 * What the guest's init loads at each boot: `early` before the data disk and the network, `cpu` where
 * the CPU has what they need (silently otherwise), `engine` in the background while the boot goes on
 * (berthd waits for it); the rest loads when iptables, nft or mount asks for it. A name the kernel
 * lacks (button on arm64) is left out at build time.
 */
export const bootModules = {
  early: ['ext4', 'crc32c_generic', 'virtio_net', 'virtio_balloon'],
  /** Faster code for a CPU that has the instructions (SSE 4.2 under KVM; not TCG's default CPU). */
  cpu: ['crc32c_intel', 'crc32_pclmul'],
  engine: [
    'evdev',
    'button',
    'gpio_keys',
    'vmw_vsock_virtio_transport',
    'bridge',
    'br_netfilter',
    'veth',
    'overlay',
    'nf_tables',
    'nft_compat',
    'nft_chain_nat',
    'xt_MASQUERADE',
    'xt_conntrack',
    'xt_addrtype',
    'xt_nat',
    'xt_comment',
  ],
};
