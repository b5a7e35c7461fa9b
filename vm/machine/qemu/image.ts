// The VM image the image builder wrote (manifest.json beside the kernel, initrd.img and rootfs.img),
// read and checked before qemu is asked to boot it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Host } from '../host.ts';
import type { MachinePaths } from '../machine-dir.ts';
import { MachineError } from '../types.ts';
import type { VmImage } from './qemu-command.ts';

interface Manifest {
  arch?: unknown;
  kernel?: unknown;
  initrd?: unknown;
  rootfs?: unknown;
  rootfsFormat?: unknown;
  cmdline?: unknown;
  imageHash?: unknown;
}

export async function readImage(host: Host, dir: string): Promise<VmImage> {
  const file = path.join(dir, 'manifest.json');
  const text = await host.readText(file);
  if (text === null) {
    throw new MachineError(
      'image.missing',
      `no VM image at ${dir} (${file} is missing): build it with npm run vm:image`,
    );
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new MachineError('image.invalid', `${file} is not JSON: ${(err as Error).message}`);
  }
  const str = (key: keyof Manifest): string => {
    const value = m[key];
    if (typeof value !== 'string' || !value) {
      throw new MachineError('image.invalid', `${file} has no ${key}`);
    }
    return value;
  };
  const arch = str('arch');
  if (arch !== 'x86_64' && arch !== 'aarch64') {
    throw new MachineError('image.invalid', `${file}: unknown arch ${arch}`);
  }
  const image: VmImage = {
    arch,
    kernel: path.resolve(dir, str('kernel')),
    initrd: path.resolve(dir, str('initrd')),
    rootfs: path.resolve(dir, str('rootfs')),
    rootfsFormat: typeof m.rootfsFormat === 'string' ? m.rootfsFormat : 'squashfs',
    cmdline: typeof m.cmdline === 'string' ? m.cmdline : '',
    imageHash: typeof m.imageHash === 'string' ? m.imageHash : '',
  };
  for (const f of [image.kernel, image.initrd, image.rootfs]) {
    if (!(await host.exists(f))) throw new MachineError('image.missing', `the VM image at ${dir} lacks ${f}`);
  }
  return image;
}

/**
 * The kernel file qemu boots. An x86_64 image carries its kernel as a gzipped ELF (vmlinux.gz, which
 * qemu loads through the PVH entry, skipping the bzImage's real-mode setup and self-decompression
 * that take seconds under TCG); qemu's x86 loader does not unpack gzip, so it is unpacked once into
 * the machine's folder, again only when the image's file changes. Any other kernel is used as it is.
 * The unpacking streams on the thread pool while the start makes the machine's key and disk.
 */
export async function kernelForQemu(
  host: Host,
  image: VmImage,
  paths: Pick<MachinePaths, 'kernel' | 'kernelSource'>,
) {
  if (image.arch !== 'x86_64' || !image.kernel.endsWith('.gz')) return image.kernel;
  const packed = await host.readFrom(image.kernel, 0);
  const source = `sha256:${createHash('sha256').update(packed).digest('hex')}\n`;
  if ((await host.readText(paths.kernelSource)) === source && (await host.exists(paths.kernel)))
    return paths.kernel;
  await host.remove(paths.kernelSource);
  try {
    await host.gunzipFile(image.kernel, paths.kernel);
  } catch (err) {
    throw new MachineError('image.invalid', `${image.kernel} is not gzip: ${(err as Error).message}`);
  }
  await host.writeFile(paths.kernelSource, source);
  return paths.kernel;
}
