// The VM image the image builder wrote (VM-CONTRACT.md: manifest.json beside vmlinuz, initrd.img,
// rootfs.img), read and checked before qemu is asked to boot it.
import path from 'node:path';
import type { Host } from '../host.ts';
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
