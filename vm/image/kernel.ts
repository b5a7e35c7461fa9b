// The kernel file of the image, in the form that boots fastest.
//  - x86_64: Debian ships a bzImage, which under TCG spends seconds before the kernel runs (the real-
//    mode setup, then decompressing itself, byte by byte in emulation). Its payload is the kernel's
//    ELF, which carries the PVH entry note: qemu loads that ELF straight into memory and jumps to the
//    64-bit entry (as Firecracker and cloud-hypervisor do). The builder takes the ELF out of the
//    bzImage and keeps it gzip'd (`vmlinux.gz`, 12 MB instead of 66); the provider unpacks it once
//    into its cache (vm/machine/qemu/image.ts). A bzImage without the note is kept as it is.
//  - aarch64: Debian's `Image` is raw (33 MB): gzip'd here, and qemu's -kernel unpacks it itself.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { gzipReproducible } from './cpio.ts';
import { type Runner, runOk } from './run.ts';

export interface BootKernel {
  /** The file name in the image: `vmlinux.gz` (x86 ELF), else `vmlinuz`. */
  name: string;
  data: Buffer;
}

const isArm64Image = (k: Buffer) => k.length > 0x40 && k.toString('latin1', 0x38, 0x3c) === 'ARM\x64';
const isBzImage = (k: Buffer) => k.length > 0x250 && k.toString('latin1', 0x202, 0x206) === 'HdrS';

/** The compressed payload of a bzImage (boot protocol ≥ 2.08: payload_offset and payload_length). */
export function bzImagePayload(k: Buffer): Buffer {
  if (!isBzImage(k)) throw new Error('not a bzImage (no HdrS header)');
  const version = k.readUInt16LE(0x206);
  if (version < 0x208) throw new Error(`boot protocol ${version.toString(16)} has no payload fields`);
  const setupSects = k[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + k.readUInt32LE(0x248);
  const length = k.readUInt32LE(0x24c);
  if (start + length > k.length) throw new Error('the bzImage payload runs past the end of the file');
  return k.subarray(start, start + length);
}

/** The ELF note types of the kernel's ELF notes named "Xen" (XEN_ELFNOTE_PHYS32_ENTRY is 18). */
export function xenNoteTypes(elf: Buffer): number[] {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) {
    throw new Error('not a little-endian 64-bit ELF');
  }
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  const types: number[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    let at = Number(elf.readBigUInt64LE(ph + 8));
    const end = at + Number(elf.readBigUInt64LE(ph + 32));
    while (at + 12 <= end) {
      const namesz = elf.readUInt32LE(at);
      const descsz = elf.readUInt32LE(at + 4);
      const type = elf.readUInt32LE(at + 8);
      const name = elf.toString('latin1', at + 12, at + 12 + namesz).replace(/\0+$/, '');
      if (name === 'Xen') types.push(type);
      at += 12 + align4(namesz) + align4(descsz);
    }
  }
  return types;
}

const align4 = (n: number) => (n + 3) & ~3;
const xenPhys32Entry = 18;

/**
 * The ELF inside a bzImage, decompressed: gzip here, xz (Debian's choice) and zstd by their command
 * line tools (`work` is a folder for their files). The kernel's build appends the uncompressed size
 * (4 bytes, little-endian) to an xz or zstd stream, which the tools would take for a second stream:
 * it is cut off, and the result's length is checked against it.
 */
export async function bzImageElf(runner: Runner, k: Buffer, work: string): Promise<Buffer> {
  const payload = bzImagePayload(k);
  if (payload[0] === 0x1f && payload[1] === 0x8b) return gunzipSync(payload);
  const tools: Array<[Buffer, string, string[]]> = [
    [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'xz', ['-d', '-q']],
    [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd', ['-d', '-q', '--rm']],
  ];
  for (const [magic, tool, args] of tools) {
    if (!payload.subarray(0, magic.length).equals(magic) || payload.length < magic.length + 4) continue;
    const size = payload.readUInt32LE(payload.length - 4);
    await fs.mkdir(work, { recursive: true });
    const file = path.join(work, `vmlinux.${tool === 'xz' ? 'xz' : 'zst'}`);
    await fs.writeFile(file, payload.subarray(0, -4));
    await runOk(runner, tool, [...args, file]);
    const out = path.join(work, 'vmlinux');
    const elf = await fs.readFile(out);
    await fs.rm(out, { force: true });
    if (elf.length !== size) {
      throw new Error(
        `the bzImage's ${tool} payload gave ${elf.length} bytes where its trailer says ${size}`,
      );
    }
    return elf;
  }
  throw new Error(
    `the bzImage payload is compressed in a way the builder does not know (${payload.subarray(0, 4).toString('hex')})`,
  );
}

/** The image's kernel file made from Debian's `vmlinuz-<version>` (see the top of this file). */
export async function bootKernel(runner: Runner, kernel: Buffer, work: string): Promise<BootKernel> {
  if (isArm64Image(kernel)) return { name: 'vmlinuz', data: gzipReproducible(kernel) };
  if (!isBzImage(kernel)) return { name: 'vmlinuz', data: kernel };
  const elf = await bzImageElf(runner, kernel, work);
  if (!xenNoteTypes(elf).includes(xenPhys32Entry)) return { name: 'vmlinuz', data: kernel };
  return { name: 'vmlinux.gz', data: gzipReproducible(elf) };
}
