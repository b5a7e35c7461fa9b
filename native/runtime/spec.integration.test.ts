/**
 * Runs a busybox container from buildSpec's output under the real runc, to prove the spec is accepted and
 * that Docker's defaults (capabilities, seccomp, masked and read-only paths, limits) hold inside it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeJsonAtomic } from '../core/fsutil.ts';
import { hostSys } from '../core/sys.ts';
import { cgroupExists, detectCgroups, readStats, removeCgroup, swapLimitSupported } from './cgroups.ts';
import { buildSpec } from './spec.ts';

const runc = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'].find(
  existsSync,
);
const busybox = ['/usr/bin/busybox', '/bin/busybox'].find(existsSync);
const skip = !runc
  ? 'runc is not installed'
  : !busybox
    ? 'busybox is not installed'
    : process.getuid?.() !== 0
      ? 'runc needs root'
      : false;

const mib = 1024 * 1024;
let dir: string;

before(async () => {
  if (skip) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-spec-it-'));
});

after(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function makeBundle(id: string): Promise<{ bundle: string; rootfs: string }> {
  const bundle = path.join(dir, id);
  const rootfs = path.join(bundle, 'rootfs');
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'mnt', 'tmp'])
    await fs.mkdir(path.join(rootfs, d), { recursive: true });
  await fs.copyFile(busybox!, path.join(rootfs, 'bin/busybox'));
  await fs.chmod(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const tool of [
    'sh',
    'ls',
    'cat',
    'id',
    'grep',
    'unshare',
    'mount',
    'wc',
    'echo',
    'sleep',
    'hostname',
    'ps',
  ]) {
    await fs.symlink('busybox', path.join(rootfs, 'bin', tool));
  }
  await fs.writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await fs.writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\n');
  for (const f of ['hosts', 'hostname', 'resolv.conf']) await fs.writeFile(path.join(bundle, f), `${f}\n`);
  return { bundle, rootfs };
}

/** Runs the container in the foreground with plain pipes, like a non-tty `docker run`. */
function runContainer(bundle: string, id: string, onStarted: () => Promise<void>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(runc!, ['--root', path.join(dir, 'state'), 'run', '--keep', '--bundle', bundle, id], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hooked = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!hooked && stdout.includes('READY')) {
        hooked = true;
        onStarted().catch(reject);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const script = `
id
grep -E '^(CapBnd|Seccomp):' /proc/self/status
unshare -n true 2>/dev/null; echo "unshare=$?"
mount -t tmpfs none /mnt 2>/dev/null; echo "mount=$?"
echo "timer_list=$(cat /proc/timer_list | wc -c)"
echo "firmware=$(ls /sys/firmware | wc -l)"
echo other > /proc/sys/kernel/hostname 2>/dev/null; echo "procsys=$?"
echo "memlimit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"
echo "hostname=$(hostname)"
echo READY
sleep 2
echo done
`;

test('busybox runs under runc with Docker defaults from buildSpec', { skip, timeout: 60_000 }, async () => {
  const id = `berth-it-${process.pid}`;
  const cgroupsPath = `/berth-it/${id}`;
  const cgroups = detectCgroups();
  const { bundle, rootfs } = await makeBundle(id);
  const spec = buildSpec({
    id,
    rootfs,
    readonlyRootfs: false,
    args: ['/bin/sh', '-c', script],
    env: ['PATH=/bin', 'HOME=/root'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    openStdin: false,
    hostname: 'berthbox',
    files: {
      hosts: path.join(bundle, 'hosts'),
      hostname: path.join(bundle, 'hostname'),
      resolvConf: path.join(bundle, 'resolv.conf'),
    },
    tmpfs: { '/run': 'size=1m' },
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: 'default',
    resources: { memory: 64 * mib, pidsLimit: 50, nanoCpus: 5e8 },
    cgroupsPath,
    network: { mode: 'none' },
    cgroupV2: cgroups.version === 2,
    swapLimit: swapLimitSupported(cgroups),
  });
  await writeJsonAtomic(path.join(bundle, 'config.json'), spec);

  let stats: Awaited<ReturnType<typeof readStats>> | undefined;
  try {
    const result = await runContainer(bundle, id, async () => {
      stats = await readStats(cgroups, cgroupsPath);
    });
    assert.equal(result.code, 0, `runc failed: ${result.stderr}`);
    const out = result.stdout;
    assert.match(out, /^uid=0\(root\) gid=0\(root\)/m);
    assert.match(out, /^CapBnd:\s+00000000a80425fb$/m);
    assert.match(out, /^Seccomp:\s+2$/m);
    assert.match(out, /^unshare=[1-9]/m, 'unshare must fail without CAP_SYS_ADMIN');
    assert.match(out, /^mount=[1-9]/m, 'mount must fail');
    assert.match(out, /^timer_list=0$/m, '/proc/timer_list is masked');
    assert.match(out, /^firmware=0$/m, '/sys/firmware is masked');
    assert.match(out, /^procsys=[1-9]/m, '/proc/sys is read-only');
    assert.match(out, new RegExp(`^memlimit=${64 * mib}$`, 'm'));
    assert.match(out, /^hostname=berthbox$/m);
    assert.match(out, /^done$/m);

    assert.ok(stats, 'stats were read while the container ran');
    assert.ok(stats.pids_stats.current >= 1, `pids.current ${stats.pids_stats.current}`);
    assert.equal(stats.pids_stats.limit, 50);
    assert.equal(stats.memory_stats.limit, 64 * mib);
    assert.ok(stats.memory_stats.usage > 0);
    assert.ok(stats.cpu_stats.cpu_usage.total_usage > 0);

    // `run --keep` leaves the stopped container and its cgroup for us to clean up.
    assert.equal(await cgroupExists(cgroups, cgroupsPath), true);
    await removeCgroup(cgroups, cgroupsPath);
    assert.equal(await cgroupExists(cgroups, cgroupsPath), false);
  } finally {
    await hostSys.run(runc!, ['--root', path.join(dir, 'state'), 'delete', '--force', id]);
    await removeCgroup(cgroups, cgroupsPath).catch(() => undefined);
    await removeCgroup(cgroups, '/berth-it').catch(() => undefined);
  }
});
