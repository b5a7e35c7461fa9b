// The image for real: `npm run vm:image`'s build twice (the second from the cache) gives the same
// imageHash, and the image boots under qemu's TCG with the contract's disks, fw_cfg configuration and
// progress port, says `ready`, and answers over SSH (the kernel it was built with, the Docker API on
// the guest's 127.0.0.1:2375, the data disk with discard, the shared folder, berthd's addons); the ACPI
// power button stops it cleanly; a second boot keeps the data disk (no new filesystem, same host key).
// Needs apt, mksquashfs and qemu-system-x86 (build/setup.sh); minutes long under TCG.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { type BuildResult, buildImage, imageSize, parseArgs } from '../../vm/image/build.ts';
import type { Manifest } from '../../vm/image/manifest.ts';
import { processRunner } from '../../vm/image/run.ts';
import { guestEnv } from '../../vm/machine/guest-env.ts';
import { nodeHost } from '../../vm/machine/node-host.ts';
import { kernelForQemu } from '../../vm/machine/qemu/image.ts';
import type { VmImage } from '../../vm/machine/qemu/qemu-command.ts';
import { sshKeyPair } from '../../vm/machine/ssh-key.ts';

const arch = 'x86_64';
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-vm-image-test-'));
// The first build is the one the rest of the vm suite boots (dist/vm/x86_64, where berth looks).
const outA = path.join(import.meta.dirname, '../../dist/vm', arch);
const outB = path.join(tmp, 'b');
let first: BuildResult;
let second: BuildResult;

function options(out: string, bundle: boolean, force = false) {
  const o = parseArgs([
    '--arch',
    arch,
    '--out',
    out,
    ...(bundle ? [] : ['--no-bundle']),
    ...(force ? ['--force'] : []),
  ]);
  return { ...o, log: (l: string) => process.stderr.write(`  [vm:image] ${l}\n`) };
}

before(async () => {
  first = await buildImage(options(outA, true, true), processRunner);
  second = await buildImage(options(outB, false), processRunner);
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('two builds of the same inputs give the same image, within the size target', () => {
  assert.equal(first.built, true);
  assert.equal(second.built, true);
  assert.match(first.manifest.imageHash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(second.manifest.imageHash, first.manifest.imageHash);
  assert.deepEqual(second.manifest.files, first.manifest.files);
  const mb = imageSize(first.manifest) / 1e6;
  process.stderr.write(
    `  image: ${mb.toFixed(1)} MB compressed; builds ${first.seconds} s, ${second.seconds} s\n`,
  );
  assert.ok(mb <= 80, `${mb} MB is over the 80 MB target`);
  assert.match(first.manifest.kernelVersion, /^\d+\.\d+\.\d+-\d+-amd64$/);
  assert.match(first.manifest.cmdline, /console=ttyS0/);
});

test('a third build into the same folder finds it up to date', async () => {
  const again = await buildImage(options(outA, false), processRunner);
  assert.equal(again.built, false);
  assert.equal(again.manifest.imageHash, first.manifest.imageHash);
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Machine {
  qemu: ChildProcess;
  exited: Promise<number | null>;
  progress: string;
  console: string;
  sshPort: number;
  qmp: string;
}

/**
 * qemu as the contract has it: the kernel as the provider unpacks it (PVH), root and data disks by
 * serial, the fw_cfg configuration, the progress port.
 */
async function boot(m: Manifest, dir: string, work: string, sshPort: number): Promise<Machine> {
  const progress = path.join(work, `progress-${sshPort}.log`);
  const consoleLog = path.join(work, `console-${sshPort}.log`);
  const kernel = await kernelForQemu(
    nodeHost(),
    { arch: m.arch, kernel: path.join(dir, m.kernel) } as VmImage,
    {
      kernel: path.join(work, 'vmlinux'),
      kernelSource: path.join(work, 'vmlinux.source'),
    },
  );
  const args = [
    ...['-accel', 'tcg', '-machine', 'q35', '-m', '1024', '-smp', '2'],
    ...['-no-reboot', '-nodefaults', '-display', 'none', '-monitor', 'none'],
    ...['-kernel', kernel, '-initrd', path.join(dir, m.initrd), '-append', m.cmdline],
    ...['-drive', `file=${path.join(dir, m.rootfs)},format=raw,if=none,id=root,readonly=on`],
    ...['-device', 'virtio-blk-pci,drive=root,serial=berth-root'],
    ...['-drive', `file=${path.join(work, 'data.qcow2')},format=qcow2,if=none,id=data,discard=unmap`],
    ...['-device', 'virtio-blk-pci,drive=data,serial=berth-data'],
    ...['-fw_cfg', `name=opt/berth/config.env,file=${path.join(work, 'guest-config.env')}`],
    ...['-device', 'virtio-serial-pci', '-chardev', `file,id=progress,path=${progress}`],
    ...['-device', 'virtserialport,chardev=progress,name=berth.progress'],
    ...[
      '-netdev',
      `user,id=net0,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
      '-device',
      'virtio-net-pci,netdev=net0',
    ],
    ...['-virtfs', `local,path=${path.join(work, 'share')},mount_tag=home,security_model=none`],
    ...['-device', 'virtio-rng-pci', '-serial', `file:${consoleLog}`],
    ...['-qmp', `unix:${path.join(work, `qmp-${sshPort}.sock`)},server=on,wait=off`],
  ];
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<number | null>((r) =>
    qemu.on('exit', (code) => {
      if (stderr.trim()) process.stderr.write(`  qemu: ${stderr.trim()}\n`);
      r(code);
    }),
  );
  return {
    qemu,
    exited,
    progress,
    console: consoleLog,
    sshPort,
    qmp: path.join(work, `qmp-${sshPort}.sock`),
  };
}

/** Presses the ACPI power button, as a provider's graceful stop does (QMP system_powerdown). */
async function powerButton(vm: Machine): Promise<void> {
  const sock = net.connect(vm.qmp);
  let got = '';
  sock.on('data', (b: Buffer) => {
    got += b.toString();
  });
  await new Promise<void>((resolve, reject) => sock.on('connect', resolve).on('error', reject));
  const answered = async (n: number) => {
    while ((got.match(/"return"/g) ?? []).length < n) await new Promise((r) => setTimeout(r, 50));
  };
  sock.write('{"execute":"qmp_capabilities"}\n');
  await answered(1);
  sock.write('{"execute":"system_powerdown"}\n');
  await answered(2);
  sock.end();
}

async function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8').catch(() => '');
}

/** Waits for the `ready` line; fails early when qemu exits, with the console's tail to read. */
async function waitReady(vm: Machine, timeoutMs: number): Promise<{ lines: string[]; seconds: number }> {
  const start = Date.now();
  let done = false;
  void vm.exited.then(() => {
    done = true;
  });
  while (Date.now() - start < timeoutMs) {
    const lines = (await readText(vm.progress)).split('\n').filter(Boolean);
    if (lines.some((l) => l.startsWith('ready'))) return { lines, seconds: (Date.now() - start) / 1000 };
    if (done) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = (await readText(vm.console)).split('\n').slice(-25).join('\n');
  throw new Error(
    `no ready line after ${(Date.now() - start) / 1000} s\nprogress:\n${await readText(vm.progress)}\nconsole:\n${tail}`,
  );
}

function ssh(port: number, privateKey: string): Promise<{ client: ssh2.Client; hostKey: string }> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let hostKey = '';
    client
      .on('ready', () => resolve({ client, hostKey }))
      .on('error', reject)
      .connect({
        host: '127.0.0.1',
        port,
        username: 'root',
        privateKey,
        readyTimeout: 60_000,
        hostVerifier: (key: Buffer) => {
          hostKey = key.toString('base64');
          return true;
        },
      });
  });
}

function exec(
  client: ssh2.Client,
  command: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      stream.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      stream.on('close', (code: number) => resolve({ code, stdout, stderr }));
    });
  });
}

test('the image boots under TCG, says ready, and answers over SSH; a second boot keeps its data disk', {
  timeout: 20 * 60_000,
}, async () => {
  const m = first.manifest;
  const work = path.join(tmp, 'machine');
  await fs.mkdir(path.join(work, 'share'), { recursive: true });
  await fs.writeFile(path.join(work, 'share', 'from-host.txt'), 'written on the host\n');
  const r = await processRunner.run('qemu-img', [
    'create',
    '-f',
    'qcow2',
    path.join(work, 'data.qcow2'),
    '4G',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const keys = sshKeyPair();
  const sharePath = path.join(work, 'share');
  await fs.writeFile(
    path.join(work, 'guest-config.env'),
    guestEnv({
      hostname: 'berth-test',
      sshAuthorizedKey: `${keys.public} berth-host`,
      timeMs: Date.now(),
      share: { tag: 'home', path: sharePath, type: '9p' },
      kubernetes: false,
      dockerTcpPort: 2375,
    }),
  );

  const vms: Machine[] = [];
  try {
    const vm = await boot(m, outA, work, await freePort());
    vms.push(vm);
    const { lines, seconds } = await waitReady(vm, 10 * 60_000);
    process.stderr.write(`  boot to ready under TCG: ${seconds.toFixed(1)} s\n  ${lines.join('\n  ')}\n`);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('error')),
      [],
      'no step of the boot failed',
    );
    const stages = [...new Set(lines.filter((l) => l.startsWith('stage')).map((l) => l.split(' ')[1]))];
    assert.deepEqual(stages, [
      'init',
      'modules',
      'root',
      'data-disk',
      'network',
      'clock',
      'share',
      'sshd',
      'berthd',
    ]);
    assert.ok(
      lines.some((l) => /^stage data-disk formatting/.test(l)),
      'a new data disk is formatted',
    );

    const { client, hostKey } = await ssh(vm.sshPort, keys.private);
    try {
      assert.equal((await exec(client, 'uname -r')).stdout.trim(), m.kernelVersion);
      const ping = await exec(
        client,
        `/opt/berth/node/bin/node -e "fetch('http://127.0.0.1:2375/_ping').then((r) => r.text()).then((t) => process.stdout.write(t))"`,
      );
      assert.equal(ping.stdout, 'OK', ping.stderr);
      const mounts = (await exec(client, 'cat /proc/mounts')).stdout;
      assert.match(mounts, /^\/dev\/vd\w+ \/var\/lib\/berth ext4 [^ ]*\bdiscard\b/m);
      assert.match(mounts, /^cgroup2 \/sys\/fs\/cgroup cgroup2 /m);
      assert.equal((await exec(client, `cat ${sharePath}/from-host.txt`)).stdout, 'written on the host\n');
      assert.equal((await exec(client, 'hostname')).stdout.trim(), 'berth-test');
      // The SSH server's receive window, which bounds every forwarded port's throughput.
      assert.match((await exec(client, 'ps -o args')).stdout, /dropbear .*-W 2097152/);
      assert.equal((await exec(client, 'touch /var/lib/berth/kept')).code, 0);
      // berthd's native addons load in the guest's Node and glibc.
      const addons = await exec(
        client,
        "cd /opt/berth/berthd && /opt/berth/node/bin/node -e \"const D = require('better-sqlite3'); require('node-unix-socket'); process.stdout.write(String(new D(':memory:').prepare('select 41 + 1 as x').get().x))\"",
      );
      assert.equal(addons.stdout, '42', addons.stderr);
      // iptables' nft backend loads its modules on demand through busybox's modprobe.
      const nat = await exec(
        client,
        'iptables -t nat -N BERTH-TEST && iptables -t nat -A BERTH-TEST -m addrtype --dst-type LOCAL -j RETURN && iptables -t nat -S BERTH-TEST',
      );
      assert.match(nat.stdout, /-A BERTH-TEST -m addrtype --dst-type LOCAL -j RETURN/, nat.stderr);
    } finally {
      client.end();
    }
    // A clean stop from the host: the power button makes acpid run poweroff, busybox init runs
    // shutdown.sh (berthd stops, the data disk is synced) and qemu exits by itself.
    await powerButton(vm);
    assert.equal(
      await Promise.race([vm.exited, new Promise((r) => setTimeout(() => r('timeout'), 120_000))]),
      0,
    );

    const again = await boot(m, outA, work, await freePort());
    vms.push(again);
    const second = await waitReady(again, 10 * 60_000);
    process.stderr.write(`  second boot to ready: ${second.seconds.toFixed(1)} s\n`);
    assert.ok(!second.lines.some((l) => /formatting/.test(l)), 'the data disk is not formatted again');
    const c2 = await ssh(again.sshPort, keys.private);
    try {
      assert.equal(c2.hostKey, hostKey, 'the host key is the one made at the first boot');
      assert.equal((await exec(c2.client, 'test -e /var/lib/berth/kept')).code, 0);
    } finally {
      c2.client.end();
    }
  } finally {
    for (const vm of vms) {
      if (vm.qemu.exitCode === null) {
        vm.qemu.kill('SIGKILL');
        await vm.exited;
      }
    }
  }
});
