// The qemu command line of a machine: a pure function of what was decided before (accelerator, image,
// paths, port, share), so that every choice in it is tested by construction. Devices and their order are
// the seams of VM-CONTRACT.md.
import type { MachinePaths } from '../machine-dir.ts';
import type { GuestArch, MachineSettings } from '../types.ts';

export type Accel = 'kvm' | 'hvf' | 'whpx' | 'tcg';

export interface VmImage {
  arch: GuestArch;
  kernel: string;
  initrd: string;
  rootfs: string;
  rootfsFormat: string;
  cmdline: string;
  imageHash: string;
}

export interface HomeShare {
  path: string;
  tag: string;
  type: '9p' | 'virtiofs';
  /** 9p only: passthrough when qemu runs as root (owners kept), mapped-xattr otherwise. */
  securityModel?: 'passthrough' | 'mapped-xattr';
}

export interface QemuPlan {
  name: string;
  accel: Accel;
  image: VmImage;
  settings: MachineSettings;
  paths: MachinePaths;
  sshPort: number;
  share: HomeShare | null;
}

/** qemu splits option values at commas; a comma inside a value (a path) is written twice. */
export function qemuValue(value: string): string {
  return value.replace(/,/g, ',,');
}

export function qemuBinaryName(arch: GuestArch, platform: string): string {
  return `qemu-system-${arch}${platform === 'win32' ? '.exe' : ''}`;
}

/** The kernel command line: the image's own, then what this provider needs (a console it logs). */
export function kernelCmdline(image: VmImage): string {
  const words = image.cmdline.split(/\s+/).filter(Boolean);
  const console = image.arch === 'aarch64' ? 'console=ttyAMA0' : 'console=ttyS0';
  if (!words.some((w) => w.startsWith('console='))) words.push(console);
  // A panic ends qemu (with -no-reboot) instead of leaving a machine that never gets ready.
  if (!words.some((w) => w.startsWith('panic='))) words.push('panic=-1');
  return words.join(' ');
}

export function qemuArgs(plan: QemuPlan): string[] {
  const { accel, image, settings, paths, share } = plan;
  const v = qemuValue;
  const args: string[] = ['-name', `berth-${plan.name}`, '-nodefaults', '-no-user-config', '-no-reboot'];
  args.push('-display', 'none');

  if (image.arch === 'x86_64') {
    args.push('-machine', 'q35,vmport=off');
  } else {
    // hvf has no emulated GICv3 ITS; kvm and tcg take the newest GIC the host offers.
    args.push('-machine', accel === 'hvf' ? 'virt,highmem=on' : 'virt,gic-version=max');
  }
  args.push(...accelArgs(accel));
  args.push('-smp', String(settings.cpus), '-m', `${settings.memoryMiB}M`);
  if (share?.type === 'virtiofs') {
    // vhost-user-fs needs the guest's memory shared with virtiofsd.
    args.push(
      '-object',
      `memory-backend-memfd,id=mem,size=${settings.memoryMiB}M,share=on`,
      '-numa',
      'node,memdev=mem',
    );
  }

  args.push('-kernel', image.kernel, '-initrd', image.initrd, '-append', kernelCmdline(image));

  // Disks in the contract's order: the read-only root, then the data disk; the guest finds them by serial.
  args.push(
    '-drive',
    `if=none,id=root,file=${v(image.rootfs)},format=raw,readonly=on`,
    '-device',
    'virtio-blk-pci,drive=root,serial=berth-root',
    '-drive',
    `if=none,id=data,file=${v(paths.dataDisk)},format=qcow2,discard=unmap,detect-zeroes=unmap`,
    '-device',
    'virtio-blk-pci,drive=data,serial=berth-data',
  );

  // User-mode networking; the only way in from the host is SSH, and only from the host itself.
  args.push(
    '-netdev',
    `user,id=net0,hostfwd=tcp:127.0.0.1:${plan.sshPort}-:22`,
    '-device',
    'virtio-net-pci,netdev=net0',
  );
  args.push('-object', 'rng-builtin,id=rng0', '-device', 'virtio-rng-pci,rng=rng0');
  // Free page reporting: pages the guest frees go back to the host without a balloon driver in the loop.
  args.push('-device', 'virtio-balloon-pci,free-page-reporting=on');

  args.push(
    '-chardev',
    `file,id=console,path=${v(paths.serialLog)}`,
    '-serial',
    'chardev:console',
    '-device',
    'virtio-serial-pci,id=vser0',
    '-chardev',
    `file,id=progress,path=${v(paths.progressLog)}`,
    '-device',
    'virtserialport,bus=vser0.0,chardev=progress,name=berth.progress',
  );
  args.push('-fw_cfg', `name=opt/berth/config.env,file=${v(paths.guestEnv)}`);
  args.push('-qmp', `unix:${v(paths.qmpSocket)},server=on,wait=off`, '-pidfile', paths.pidFile);

  if (share?.type === '9p') {
    args.push(
      '-virtfs',
      `local,path=${v(share.path)},mount_tag=${share.tag},security_model=${share.securityModel ?? 'mapped-xattr'},id=${share.tag}`,
    );
  } else if (share?.type === 'virtiofs') {
    args.push(
      '-chardev',
      `socket,id=vfs,path=${v(paths.virtiofsSocket)}`,
      '-device',
      `vhost-user-fs-pci,chardev=vfs,tag=${share.tag}`,
    );
  }
  return args;
}

function accelArgs(accel: Accel): string[] {
  switch (accel) {
    case 'kvm':
    case 'hvf':
      return ['-accel', accel, '-cpu', 'host'];
    case 'whpx':
      // WHPX has no in-kernel irqchip for every guest; qemu's own is the one that always works.
      return ['-accel', 'whpx,kernel-irqchip=off', '-cpu', 'max'];
    case 'tcg':
      return ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  }
}

/**
 * virtiofsd serving the home share on the socket qemu connects to. Two exist: the Rust one (the `virtiofsd`
 * package, /usr/libexec/virtiofsd, or on PATH) and the C one qemu ≤ 7 shipped (/usr/lib/qemu/virtiofsd),
 * which takes `-o` options and needs root.
 */
export interface Virtiofsd {
  path: string;
  flavour: 'rust' | 'c';
}

export function virtiofsdArgs(
  paths: MachinePaths,
  share: HomeShare,
  flavour: 'rust' | 'c',
  asRoot: boolean,
): string[] {
  if (flavour === 'c') {
    return [`--socket-path=${paths.virtiofsSocket}`, '-o', `source=${share.path}`, '-o', 'cache=auto'];
  }
  return [
    `--socket-path=${paths.virtiofsSocket}`,
    `--shared-dir=${share.path}`,
    '--cache=auto',
    // Without root there are no namespaces to sandbox it in; the shared dir is the user's own home.
    `--sandbox=${asRoot ? 'namespace' : 'none'}`,
  ];
}
