// The aarch64 image (Apple silicon's), built on this x86_64 machine the way the x86_64 one is, from
// Debian's arm64 packages, Node's arm64 build and berthd's addons cross-compiled for arm64, and
// checked by construction: an arm64 kernel Image, nothing but aarch64 ELF files in the initramfs and
// the root filesystem (Node and the addons among them), the manifest's architecture; a second build
// finds it up to date: the addons it cross-builds and stages again (the compiled one from the cache,
// the seqpacket binding compiled anew) hash as the first build's did. (A whole second build giving
// the same imageHash is the x86_64 test's check of the pipeline both share; for aarch64 it would add
// a minute here: vm/image/README.md.) Then the image boots under qemu-system-aarch64's TCG with the
// qemu provider (`berth start`), its engine runs an aarch64 container, and it stops on the power
// button: about two minutes in all here.
// Needs apt, squashfs-tools, g++-aarch64-linux-gnu and qemu-system-arm (build/setup.sh).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type BuildResult, buildImage, imageSize, parseArgs, repoRoot } from '../../vm/image/build.ts';
import { elfMachine } from '../../vm/image/payload.ts';
import { processRunner } from '../../vm/image/run.ts';

const aarch64 = 183;
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-vm-aarch64-test-'));
// Not dist/vm: the app's package ships what is there, and this image is not the host's.
const outA = path.join(tmp, 'a');
const rootDir = path.join(tmp, 'root');
let first: BuildResult;
let second: BuildResult;

function options(out: string, first: boolean) {
  const o = parseArgs(['--arch', 'aarch64', '--out', out, ...(first ? ['--force'] : ['--no-bundle'])]);
  return { ...o, log: (l: string) => process.stderr.write(`  [vm:image aarch64] ${l}\n`) };
}

before(async () => {
  first = await buildImage(options(outA, true), processRunner);
  second = await buildImage(options(outA, false), processRunner);
  const x = spawnSync('unsquashfs', ['-d', rootDir, '-no-xattrs', '-quiet', path.join(outA, 'rootfs.img')], {
    encoding: 'utf8',
  });
  assert.equal(x.status, 0, `unsquashfs: ${x.stderr}`);
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The files of a gzip'd newc cpio archive (the initramfs), by path. */
function readCpio(gz: Buffer): Map<string, Buffer> {
  const data = gunzipSync(gz);
  const files = new Map<string, Buffer>();
  let at = 0;
  const pad = (n: number) => (n + 3) & ~3;
  while (at < data.length) {
    const head = data.toString('latin1', at, at + 110);
    assert.equal(head.slice(0, 6), '070701', `a newc header at ${at}`);
    const field = (i: number) => Number.parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = data.toString('utf8', at + 110, at + 110 + nameSize - 1);
    const start = pad(at + 110 + nameSize);
    if (name === 'TRAILER!!!') break;
    if ((mode & 0o170000) === 0o100000) files.set(name, data.subarray(start, start + size));
    at = pad(start + size);
  }
  return files;
}

async function elfFiles(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const rel of await fs.readdir(dir, { recursive: true })) {
    const file = path.join(dir, rel);
    const st = await fs.lstat(file);
    if (!st.isFile() || st.size < 20) continue;
    const fd = await fs.open(file, 'r');
    const head = Buffer.alloc(20);
    await fd.read(head, 0, 20, 0).finally(() => fd.close());
    const machine = elfMachine(head);
    if (machine !== undefined) out.set(rel, machine);
  }
  return out;
}

test('an aarch64 image, which a second build finds up to date', () => {
  const m = first.manifest;
  assert.equal(m.arch, 'aarch64');
  assert.match(m.kernelVersion, /^\d+\.\d+\.\d+-\d+-arm64$/);
  assert.match(m.cmdline, /console=ttyAMA0/);
  assert.equal(m.node.version, process.versions.node);
  assert.ok(m.packages.some((p) => p.name === 'busybox-static'));
  assert.equal(first.built, true);
  assert.equal(second.built, false, 'the same inputs, the addons staged anew included');
  assert.equal(second.manifest.imageHash, m.imageHash);
  const mb = imageSize(m) / 1e6;
  process.stderr.write(
    `  aarch64 image: ${mb.toFixed(1)} MB compressed; built in ${first.seconds} s, up to date in ${second.seconds} s\n`,
  );
  assert.ok(mb <= 80, `${mb} MB is over the 80 MB target`);
});

test('the kernel is an arm64 Image', async () => {
  let kernel = await fs.readFile(path.join(outA, first.manifest.kernel));
  if (kernel[0] === 0x1f && kernel[1] === 0x8b) kernel = gunzipSync(kernel);
  // arm64's boot protocol: the Image header's magic "ARM\x64" at offset 0x38.
  assert.equal(kernel.toString('latin1', 0x38, 0x3c), 'ARM\x64');
});

test('every ELF file of the initramfs is aarch64: busybox and the modules that find the root', async () => {
  const files = readCpio(await fs.readFile(path.join(outA, first.manifest.initrd)));
  const elf = [...files].filter(([, data]) => elfMachine(data.subarray(0, 20)) !== undefined);
  assert.ok(files.has('bin/busybox'));
  assert.ok(elf.some(([name]) => name.endsWith('/squashfs.ko')));
  assert.deepEqual(
    elf.filter(([, data]) => elfMachine(data.subarray(0, 20)) !== aarch64).map(([name]) => name),
    [],
  );
});

test("every ELF file of the root filesystem is aarch64: Debian's, Node, berthd's addons", async () => {
  const elf = await elfFiles(rootDir);
  process.stderr.write(`  ${elf.size} ELF files in the root filesystem\n`);
  assert.ok(elf.size > 100, `${elf.size} ELF files`);
  for (const f of [
    'opt/berth/node/bin/node',
    'opt/berth/berthd/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'opt/berth/berthd/node_modules/node-unix-socket-linux-arm64-gnu/node-unix-socket.linux-arm64-gnu.node',
    'usr/bin/busybox',
    'usr/sbin/runc',
    'usr/bin/conmon',
  ]) {
    assert.equal(elf.get(f), aarch64, f);
  }
  assert.deepEqual(
    [...elf].filter(([, machine]) => machine !== aarch64).map(([f, machine]) => `${f} (${machine})`),
    [],
  );
});

const bootSkip = !spawnSync('sh', ['-c', 'command -v qemu-system-aarch64']).stdout.length
  ? 'qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)'
  : false;

test('the image boots under TCG with the qemu provider, runs an aarch64 container, stops on the power button', {
  skip: bootSkip,
  timeout: 20 * 60_000,
}, async () => {
  const home = path.join(tmp, 'home');
  const env = {
    ...process.env,
    BERTH_HOME: home,
    BERTH_VM_IMAGE: outA,
    DOCKER_CONFIG: path.join(tmp, 'docker'),
    KUBECONFIG: path.join(tmp, 'kubeconfig'),
  };
  await fs.mkdir(env.DOCKER_CONFIG, { recursive: true });
  const berth = (args: string[], timeout = 900_000) =>
    spawnSync(process.execPath, [path.join(repoRoot, 'vm/cli/berth.mjs'), ...args], {
      env,
      encoding: 'utf8',
      timeout,
    });
  const docker = (args: string[], input?: Buffer | string) =>
    spawnSync('docker', ['--context', 'berth', ...args], { env, encoding: 'utf8', timeout: 300_000, input });
  try {
    const started = Date.now();
    const start = berth(['start', '--provider', 'qemu', '--memory', '1024', '--cpus', '2']);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(start.status, 0, `berth start:\n${start.stdout}\n${start.stderr}`);
    process.stderr.write(`  aarch64 boot to ready under TCG (berth start): ${seconds.toFixed(1)} s\n`);
    assert.match(start.stdout, /^✓ ready/m);
    assert.match(start.stdout, /^provider:\s+qemu \(tcg\)$/m);

    assert.equal(docker(['version', '--format', '{{.Server.Arch}}']).stdout.trim(), 'arm64');
    const uname = berth(['ssh', '--', 'uname', '-m']);
    assert.equal(uname.stdout.trim(), 'aarch64', uname.stderr);
    // An image of the guest's own busybox: `docker run` attaches through conmon's SOCK_SEQPACKET
    // socket, which is the cross-compiled node-unix-socket binding at work.
    const layer = path.join(tmp, 'layer');
    await fs.mkdir(path.join(layer, 'bin'), { recursive: true });
    await fs.copyFile(path.join(rootDir, 'usr/bin/busybox'), path.join(layer, 'bin/busybox'));
    await fs.chmod(path.join(layer, 'bin/busybox'), 0o755);
    const tar = spawnSync('tar', ['-C', layer, '--owner=0', '--group=0', '-c', '.'], { maxBuffer: 1 << 26 });
    assert.equal(tar.status, 0);
    const imported = docker(['import', '-', 'busybox-aarch64'], tar.stdout);
    assert.equal(imported.status, 0, imported.stderr);
    const run = docker(['run', '--rm', 'busybox-aarch64', '/bin/busybox', 'echo', 'hello from aarch64']);
    assert.equal(run.stdout, 'hello from aarch64\n', run.stderr);
    // Standard input the other way, and its end (the binding's writes and half-close).
    const wc = docker(['run', '-i', '--rm', 'busybox-aarch64', '/bin/busybox', 'wc', '-l'], 'one\ntwo\n');
    assert.equal(wc.stdout.trim(), '2', wc.stderr);
    const sql = berth([
      'ssh',
      '--',
      "cd /opt/berth/berthd && /opt/berth/node/bin/node -e \"const D = require('better-sqlite3'); process.stdout.write(String(new D(':memory:').prepare('select 41 + 1 as x').get().x))\"",
    ]);
    assert.equal(sql.stdout, '42', sql.stderr);

    // virt has no ACPI here: the power button is a GPIO key (gpio_keys), which acpid turns into poweroff.
    const stopping = Date.now();
    const stop = berth(['stop'], 180_000);
    assert.equal(stop.status, 0, stop.stderr);
    const serial = await fs.readFile(path.join(home, 'machines/default/serial.log'), 'utf8');
    assert.match(serial, /reboot: Power down/, 'the guest powered itself off');
    process.stderr.write(`  stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s\n`);
  } finally {
    berth(['stop'], 180_000);
  }
});
