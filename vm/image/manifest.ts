// manifest.json: what the machine provider reads to boot the image (vm/machine), and the image's hash.
import { createHash } from 'node:crypto';
import type { Arch } from './arch.ts';

export interface FileEntry {
  sha256: string;
  size: number;
}

export interface Manifest {
  arch: Arch;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  rootfs: string;
  rootfsFormat: 'squashfs';
  /** What the kernel needs for this image's root; the provider appends its own options. */
  cmdline: string;
  files: Record<string, FileEntry>;
  /** The Debian packages unpacked into the image, with the versions apt chose. */
  packages: Array<{ name: string; version: string; sha256: string }>;
  node: { version: string; sha256: string };
  /** sha256 of everything the build read: the same inputs skip the build (see build.ts). */
  inputsHash: string;
  imageHash: string;
}

/** The kernel command line for an image whose initramfs finds its own root. */
export function kernelCmdline(console: string): string {
  return `console=${console} panic=-1`;
}

/**
 * The image's identity: the files the guest boots from and the line it boots with. Two builds with
 * the same imageHash boot the same bytes; provenance (packages, inputs) is in the manifest beside it.
 */
export function imageHash(
  m: Pick<Manifest, 'arch' | 'kernelVersion' | 'cmdline' | 'rootfsFormat' | 'files'>,
): string {
  const canonical = JSON.stringify({
    arch: m.arch,
    kernelVersion: m.kernelVersion,
    cmdline: m.cmdline,
    rootfsFormat: m.rootfsFormat,
    files: Object.fromEntries(
      Object.keys(m.files)
        .sort()
        .map((k) => [k, { sha256: m.files[k].sha256, size: m.files[k].size }]),
    ),
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Hashes named inputs (name → hex digest or literal) into one digest, independent of insertion order. */
export function inputsHash(inputs: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(inputs).sort()) h.update(`${k}\0${inputs[k]}\n`);
  return `sha256:${h.digest('hex')}`;
}
