// The initramfs: busybox, the init script of guest/initramfs/, and the modules that reach the root
// disk (virtio, squashfs, overlay, fw_cfg, the console), listed in load order for the init to insmod.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type CpioEntry, gzipReproducible, writeCpio } from './cpio.ts';
import type { ModuleInfo } from './kmods.ts';

/** The applets the initramfs' init calls (linked to /bin/busybox). */
export const initramfsApplets = [
  'cat',
  'echo',
  'grep',
  'insmod',
  'ln',
  'ls',
  'mkdir',
  'mkfifo',
  'mount',
  'sh',
  'switch_root',
  'tr',
  'uname',
  'usleep',
];

export interface InitramfsInput {
  kernelVersion: string;
  busybox: Buffer;
  init: Buffer;
  /** In load order (selectModules), with their bytes. */
  modules: Array<{ info: ModuleInfo; data: Buffer }>;
}

export function initramfsEntries(input: InitramfsInput): CpioEntry[] {
  const modDir = `lib/modules/${input.kernelVersion}`;
  return [
    { path: 'init', type: 'file', data: input.init, mode: 0o755 },
    { path: 'bin/busybox', type: 'file', data: input.busybox, mode: 0o755 },
    ...initramfsApplets.map((a): CpioEntry => ({ path: `bin/${a}`, type: 'symlink', target: 'busybox' })),
    // The kernel opens the console for init's stdio before anything is mounted.
    { path: 'dev/console', type: 'chardev', major: 5, minor: 1, mode: 0o600 },
    { path: 'proc', type: 'dir' },
    { path: 'sys', type: 'dir' },
    { path: 'run', type: 'dir' },
    {
      path: 'etc/modules',
      type: 'file',
      data: Buffer.from(input.modules.map((m) => `${m.info.path}\n`).join('')),
    },
    ...input.modules.map(
      (m): CpioEntry => ({ path: `${modDir}/${m.info.path}`, type: 'file', data: m.data }),
    ),
  ];
}

export async function writeInitramfs(input: InitramfsInput, out: string, mtime: number): Promise<void> {
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, gzipReproducible(writeCpio(initramfsEntries(input), mtime)));
}
