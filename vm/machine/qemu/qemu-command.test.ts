import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeHost } from '../fake-host.ts';
import { machinePaths } from '../machine-dir.ts';
import { defaultSettings } from '../types.ts';
import { hardwareAccel } from './accel.ts';
import {
  type Accel,
  type HomeShare,
  kernelCmdline,
  type QemuPlan,
  qemuArgs,
  type VmImage,
  virtiofsdArgs,
} from './qemu-command.ts';

const image = (arch: 'x86_64' | 'aarch64' = 'x86_64', cmdline = 'rdinit=/init ro'): VmImage => ({
  arch,
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  rootfs: '/img/rootfs.img',
  rootfsFormat: 'squashfs',
  cmdline,
  imageHash: 'sha256:x',
});

function plan(over: Partial<QemuPlan> & { accel?: Accel } = {}): QemuPlan {
  return {
    name: 'default',
    accel: 'kvm',
    image: image(),
    settings: { ...defaultSettings, cpus: 4, memoryMiB: 3072 },
    paths: machinePaths('/home/alice/.berth', 'default'),
    sshPort: 41234,
    share: null,
    ...over,
  };
}

/** Every value given to `option`, in order. */
function values(args: string[], option: string): string[] {
  return args.flatMap((a, i) => (a === option ? [args[i + 1]] : []));
}

describe('qemu command', () => {
  it('x86_64 under KVM: q35, the host CPU, CPUs and memory from the settings', () => {
    const args = qemuArgs(plan());
    assert.equal(args[0], '-name');
    assert.deepEqual(values(args, '-machine'), ['q35,vmport=off']);
    assert.deepEqual(values(args, '-accel'), ['kvm']);
    assert.deepEqual(values(args, '-cpu'), ['host']);
    assert.deepEqual(values(args, '-smp'), ['4']);
    assert.deepEqual(values(args, '-m'), ['3072M']);
    assert.ok(args.includes('-nodefaults') && args.includes('-no-reboot'));
  });

  it('TCG, HVF and WHPX each get their own accelerator and CPU model', () => {
    const pick = (accel: Accel) => {
      const args = qemuArgs(plan({ accel }));
      return [values(args, '-accel')[0], values(args, '-cpu')[0]];
    };
    assert.deepEqual(pick('tcg'), ['tcg,thread=multi', 'max']);
    assert.deepEqual(pick('hvf'), ['hvf', 'host']);
    assert.deepEqual(pick('whpx'), ['whpx,kernel-irqchip=off', 'max']);
  });

  it('aarch64 boots on virt with its own console', () => {
    const args = qemuArgs(plan({ image: image('aarch64'), accel: 'tcg' }));
    assert.deepEqual(values(args, '-machine'), ['virt,gic-version=max']);
    assert.match(values(args, '-append')[0], /console=ttyAMA0/);
    assert.deepEqual(values(qemuArgs(plan({ image: image('aarch64'), accel: 'hvf' })), '-machine'), [
      'virt,highmem=on',
    ]);
  });

  it('disks in the contract order: rootfs read-only (berth-root), then the data qcow2 with discard (berth-data)', () => {
    const args = qemuArgs(plan());
    const drives = values(args, '-drive');
    assert.equal(drives.length, 2);
    assert.equal(drives[0], 'if=none,id=root,file=/img/rootfs.img,format=raw,readonly=on');
    assert.equal(
      drives[1],
      'if=none,id=data,file=/home/alice/.berth/machines/default/data.qcow2,format=qcow2,discard=unmap,detect-zeroes=unmap',
    );
    const blk = values(args, '-device').filter((d) => d.startsWith('virtio-blk-pci'));
    assert.deepEqual(blk, [
      'virtio-blk-pci,drive=root,serial=berth-root',
      'virtio-blk-pci,drive=data,serial=berth-data',
    ]);
  });

  it('user networking forwards only SSH, from 127.0.0.1 only', () => {
    const args = qemuArgs(plan());
    assert.deepEqual(values(args, '-netdev'), ['user,id=net0,hostfwd=tcp:127.0.0.1:41234-:22']);
    assert.ok(values(args, '-device').includes('virtio-net-pci,netdev=net0'));
  });

  it('rng, balloon with free page reporting, the progress port, fw_cfg config, QMP, console to serial.log', () => {
    const args = qemuArgs(plan());
    const devices = values(args, '-device');
    assert.ok(devices.includes('virtio-rng-pci,rng=rng0'));
    assert.ok(devices.includes('virtio-balloon-pci,free-page-reporting=on'));
    assert.ok(devices.includes('virtserialport,bus=vser0.0,chardev=progress,name=berth.progress'));
    const chardevs = values(args, '-chardev');
    assert.ok(chardevs.includes('file,id=console,path=/home/alice/.berth/machines/default/serial.log'));
    assert.ok(chardevs.includes('file,id=progress,path=/home/alice/.berth/machines/default/progress.log'));
    assert.deepEqual(values(args, '-serial'), ['chardev:console']);
    assert.deepEqual(values(args, '-fw_cfg'), [
      'name=opt/berth/config.env,file=/home/alice/.berth/machines/default/guest-config.env',
    ]);
    assert.deepEqual(values(args, '-qmp'), [
      'unix:/home/alice/.berth/machines/default/qmp.sock,server=on,wait=off',
    ]);
  });

  it('9p share: mapped-xattr for a user, passthrough for root; virtiofs: shared memory and vhost-user-fs', () => {
    const nineP: HomeShare = { path: '/home/alice', tag: 'home', type: '9p', securityModel: 'mapped-xattr' };
    assert.deepEqual(values(qemuArgs(plan({ share: nineP })), '-virtfs'), [
      'local,path=/home/alice,mount_tag=home,security_model=mapped-xattr,id=home',
    ]);
    const asRoot = qemuArgs(plan({ share: { ...nineP, securityModel: 'passthrough' } }));
    assert.match(values(asRoot, '-virtfs')[0], /security_model=passthrough/);
    const vfs = qemuArgs(plan({ share: { path: '/home/alice', tag: 'home', type: 'virtiofs' } }));
    assert.deepEqual(values(vfs, '-virtfs'), []);
    assert.ok(values(vfs, '-device').includes('vhost-user-fs-pci,chardev=vfs,tag=home'));
    assert.deepEqual(
      values(vfs, '-object').filter((o) => o.startsWith('memory-backend-memfd')),
      ['memory-backend-memfd,id=mem,size=3072M,share=on'],
    );
    assert.deepEqual(values(vfs, '-numa'), ['node,memdev=mem']);
    assert.deepEqual(values(qemuArgs(plan()), '-virtfs'), []);
  });

  it('virtiofsd: the Rust one without a sandbox for a user, the C one (qemu 7, root) with -o options', () => {
    const paths = machinePaths('/home/alice/.berth', 'default');
    const share: HomeShare = { path: '/home/alice', tag: 'home', type: 'virtiofs' };
    assert.deepEqual(virtiofsdArgs(paths, share, 'rust', false), [
      '--socket-path=/home/alice/.berth/machines/default/virtiofs.sock',
      '--shared-dir=/home/alice',
      '--cache=auto',
      '--sandbox=none',
    ]);
    assert.equal(virtiofsdArgs(paths, share, 'rust', true).at(-1), '--sandbox=namespace');
    assert.deepEqual(virtiofsdArgs(paths, share, 'c', true), [
      '--socket-path=/home/alice/.berth/machines/default/virtiofs.sock',
      '-o',
      'source=/home/alice',
      '-o',
      'cache=auto',
    ]);
  });

  it('a comma in a path is doubled, as qemu option values need', () => {
    const args = qemuArgs(plan({ paths: machinePaths('/home/a,b/.berth', 'default') }));
    assert.match(
      values(args, '-drive')[1],
      /file=\/home\/a,,b\/\.berth\/machines\/default\/data\.qcow2,format/,
    );
  });

  it("kernel command line: the image's own words, a console and panic=-1 added once", () => {
    assert.equal(kernelCmdline(image()), 'rdinit=/init ro console=ttyS0 panic=-1');
    assert.equal(
      kernelCmdline(image('x86_64', 'console=ttyS0,115200 panic=5')),
      'console=ttyS0,115200 panic=5',
    );
  });
});

describe('accelerator choice', () => {
  it('kvm on Linux when /dev/kvm is there and open to us; TCG with the reason otherwise', async () => {
    const host = new FakeHost();
    assert.deepEqual(await hardwareAccel(host, 'x86_64'), { accel: null, why: 'this host has no /dev/kvm' });
    host.files.set('/dev/kvm', Buffer.alloc(0));
    const closed = await hardwareAccel(host, 'x86_64');
    assert.equal(closed.accel, null);
    assert.match(closed.why, /kvm group/);
    host.devices.add('/dev/kvm');
    assert.equal((await hardwareAccel(host, 'x86_64')).accel, 'kvm');
    const other = await hardwareAccel(host, 'aarch64');
    assert.equal(other.accel, null);
    assert.match(other.why, /aarch64.*x86_64/);
  });

  it('hvf on a Mac that supports it, whpx on Windows', async () => {
    const mac = new FakeHost();
    mac.platform = 'darwin';
    mac.arch = 'arm64';
    mac.onRun = (cmd, args) =>
      cmd === 'sysctl' && args.includes('kern.hv_support') ? { code: 0, stdout: '1\n', stderr: '' } : null;
    assert.equal((await hardwareAccel(mac, 'aarch64')).accel, 'hvf');
    mac.onRun = () => ({ code: 0, stdout: '0\n', stderr: '' });
    assert.equal((await hardwareAccel(mac, 'aarch64')).accel, null);
    const win = new FakeHost();
    win.platform = 'win32';
    assert.equal((await hardwareAccel(win, 'x86_64')).accel, 'whpx');
  });
});
