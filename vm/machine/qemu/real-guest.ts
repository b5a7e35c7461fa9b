// For the tests that run the real qemu: a Debian kernel (the cloud kernel's package, unpacked once into a
// cache dir, or this host's /boot), and a minimal guest made from it: an initramfs of the host's static
// busybox and the kernel's own virtio modules whose /init speaks the guest side of VM-CONTRACT.md —
// progress lines on the `berth.progress` port (with the fw_cfg config it read), `ready`, and a power-off
// on the ACPI power button. Not the Berth image (vm/image builds that); enough to drive every state of
// the provider for real.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const qemuPath = which('qemu-system-x86_64');

/** Why the real-qemu tests cannot run here, or false. */
export const realQemuSkip =
  process.arch !== 'x64'
    ? 'these tests boot an x86_64 kernel on an x86_64 host'
    : !qemuPath || !which('qemu-img')
      ? 'qemu is not installed (apt-get install qemu-system-x86 qemu-utils)'
      : false;

/** qemu runs detached: a test that failed half-way must not leave its machine running. */
export function killLeftQemu(machineDir: string): void {
  try {
    const pid = Number.parseInt(readFileSync(path.join(machineDir, 'qemu.pid'), 'utf8'), 10);
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(machineDir))
      process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file, or that process is gone
  }
}

export interface DebianKernel {
  vmlinuz: string;
  /** lib/modules/<version>/kernel of the same kernel, when the package was unpacked. */
  modules: string | null;
}

const cache = path.join(os.tmpdir(), 'berth-vm-machine-kernel');

function fromCache(): DebianKernel | null {
  const boot = path.join(cache, 'boot');
  const vmlinuz = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
  if (!vmlinuz) return null;
  const version = vmlinuz.slice('vmlinuz-'.length);
  const modules = path.join(cache, 'lib/modules', version, 'kernel');
  return { vmlinuz: path.join(boot, vmlinuz), modules: existsSync(modules) ? modules : null };
}

/**
 * The cloud kernel's package (apt-get download + dpkg-deb -x, cached), else this host's /boot. Test
 * files that run at once may both find no cache: each unpacks in a folder of its own and renames it
 * into place, the first one's staying (in one shared folder, one removed the .deb the other was about
 * to unpack, and its test failed).
 */
export function debianKernel(): DebianKernel {
  const cached = fromCache();
  if (cached) return cached;
  let work: string | undefined;
  try {
    work = mkdtempSync(`${cache}.tmp-`);
    const depends = execFileSync('apt-cache', ['depends', 'linux-image-cloud-amd64'], { encoding: 'utf8' });
    const pkg = /Depends: (linux-image-\S+)/.exec(depends)?.[1];
    if (!pkg) throw new Error(`no versioned kernel package in: ${depends}`);
    execFileSync('apt-get', ['download', pkg], { cwd: work, stdio: 'ignore' });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb')) as string;
    execFileSync('dpkg-deb', ['-x', deb, '.'], { cwd: work });
    rmSync(path.join(work, deb));
    // An empty folder an older run left is replaced; one another process filled is kept.
    try {
      renameSync(work, cache);
    } catch {
      // another test file's is there
    }
    const got = fromCache();
    if (got) return got;
  } catch {
    // no apt here: the host's own kernel, without modules
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
  const boot = existsSync('/boot') ? readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')) : [];
  if (boot.length) return { vmlinuz: path.join('/boot', boot.sort().at(-1) as string), modules: null };
  throw new Error(
    'no Debian kernel: neither apt-get download linux-image-cloud-amd64 nor /boot/vmlinuz-* worked',
  );
}

/** A 64-bit little-endian ELF without a PT_INTERP program header needs no dynamic loader. */
function staticElf(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

const moduleOrder = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'drivers/char/virtio_console.ko',
  'drivers/firmware/qemu_fw_cfg.ko',
  'drivers/acpi/button.ko',
  'drivers/input/evdev.ko',
];

const init = (modules: string[]) => `#!/bin/busybox sh
B=/bin/busybox
$B mkdir -p /proc /sys /dev /tmp /var/log
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
for m in ${modules.join(' ')}; do $B insmod /m/$m.ko; done
port=
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
  for p in /sys/class/virtio-ports/*; do
    [ "$($B cat $p/name 2>/dev/null)" = berth.progress ] && port=/dev/\${p##*/}
  done
  [ -z "$port" ] && $B sleep 0.1
  i=$((i+1))
done
echo "stage init mini guest on $port" > $port
cfg=/sys/firmware/qemu_fw_cfg/by_name/opt/berth/config.env/raw
. $cfg
echo "stage clock config share=$BERTH_SHARE_PATH key=$BERTH_SSH_KEY" > $port
$B acpid -f -c /etc/acpi > /dev/console 2>&1 &
# ready only once acpid holds the power button's event device: a press before that would be lost
i=0
while ! $B ls -l /proc/$!/fd 2>/dev/null | $B grep -q input/event && [ $i -lt 100 ]; do $B sleep 0.1; i=$((i+1)); done
echo "ready mini guest" > $port
while true; do $B sleep 3600; done
`;

/**
 * Writes a mini image (manifest.json, vmlinuz, initrd.img, rootfs.img) into `dir`; null with the reason
 * when this host lacks what it needs (a static busybox, the kernel's modules).
 */
export function writeMiniImage(dir: string, kernel: DebianKernel): string | null {
  const busybox = which('busybox');
  if (!busybox) return 'no busybox on this host';
  if (!staticElf(readFileSync(busybox)))
    return `${busybox} is not statically linked (apt-get install busybox-static)`;
  if (!kernel.modules) return "the kernel's modules were not unpacked (no apt here)";
  const root = path.join(dir, 'initramfs');
  for (const d of ['bin', 'm', 'etc/acpi/PWRF']) mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync(busybox, path.join(root, 'bin/busybox'));
  chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const m of moduleOrder)
    copyFileSync(path.join(kernel.modules, m), path.join(root, 'm', path.basename(m)));
  writeFileSync(path.join(root, 'etc/acpi/PWRF/00000080'), '#!/bin/busybox sh\n/bin/busybox poweroff -f\n', {
    mode: 0o755,
  });
  writeFileSync(path.join(root, 'init'), init(moduleOrder.map((m) => path.basename(m, '.ko'))), {
    mode: 0o755,
  });
  execFileSync('sh', [
    '-c',
    `cd '${root}' && find . | '${busybox}' cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.img`,
  ]);
  copyFileSync(kernel.vmlinuz, path.join(dir, 'vmlinuz'));
  writeFileSync(path.join(dir, 'rootfs.img'), Buffer.alloc(1 << 20));
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      arch: 'x86_64',
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      rootfs: 'rootfs.img',
      cmdline: '',
    }),
  );
  return readFileSync(path.join(dir, 'initrd.img')).length > 0 ? null : 'the initramfs came out empty';
}
