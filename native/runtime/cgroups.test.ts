import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  cgroupDirs,
  cgroupExists,
  detectCgroups,
  oomKillCount,
  readStats,
  removeCgroup,
  swapLimitSupported,
  systemCpuUsageNs,
} from './cgroups.ts';

let tmp: string;
const host = () => ({ procStat: path.join(tmp, 'stat'), totalMemory: 8 * 1024 ** 3, onlineCpus: 4 });

async function write(file: string, text: string) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cg-'));
  await write(path.join(tmp, 'stat'), 'cpu  100 2 300 4000 5 6 7 8 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n');
});

after(() => fs.rm(tmp, { recursive: true, force: true }));

test('detects v2, hybrid and plain v1 layouts', async () => {
  const v2 = path.join(tmp, 'v2root');
  await write(path.join(v2, 'cgroup.controllers'), 'cpu memory pids\n');
  assert.deepEqual(detectCgroups(v2), { version: 2, driver: 'cgroupfs', hybrid: false, root: v2 });
  const hy = path.join(tmp, 'hyroot');
  await write(path.join(hy, 'unified', 'cgroup.controllers'), '\n');
  await fs.mkdir(path.join(hy, 'memory'));
  assert.deepEqual(detectCgroups(hy), { version: 1, driver: 'cgroupfs', hybrid: true, root: hy });
  const v1 = path.join(tmp, 'v1root');
  await fs.mkdir(path.join(v1, 'memory'), { recursive: true });
  assert.equal(detectCgroups(v1).hybrid, false);
  assert.equal(swapLimitSupported(detectCgroups(v1)), false);
  await write(path.join(v1, 'memory', 'memory.memsw.limit_in_bytes'), '9223372036854771712\n');
  assert.equal(swapLimitSupported(detectCgroups(v1)), true);
});

test('system CPU usage is user..softirq ticks in nanoseconds', async () => {
  assert.equal(await systemCpuUsageNs(path.join(tmp, 'stat')), (100 + 2 + 300 + 4000 + 5 + 6 + 7) * 1e7);
});

test('v1 stats come from memory, cpuacct, cpu, pids and blkio', async () => {
  const root = path.join(tmp, 'v1stats');
  const leaf = (ctl: string, file: string) => path.join(root, ctl, 'berth/c1', file);
  await write(leaf('cpuacct', 'cpuacct.usage'), '123456789\n');
  await write(leaf('cpuacct', 'cpuacct.usage_percpu'), '100 200 0 0 \n');
  await write(leaf('cpuacct', 'cpuacct.stat'), 'user 12\nsystem 3\n');
  await write(leaf('cpu', 'cpu.stat'), 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n');
  await write(leaf('memory', 'memory.usage_in_bytes'), '1048576\n');
  await write(leaf('memory', 'memory.max_usage_in_bytes'), '2097152\n');
  await write(leaf('memory', 'memory.failcnt'), '3\n');
  await write(leaf('memory', 'memory.limit_in_bytes'), '67108864\n');
  await write(leaf('memory', 'memory.stat'), 'cache 4096\nrss 8192\ntotal_inactive_file 100\n');
  await write(leaf('pids', 'pids.current'), '4\n');
  await write(leaf('pids', 'pids.max'), '50\n');
  await write(leaf('blkio', 'blkio.io_service_bytes_recursive'), 'Total 0\n');
  await write(
    leaf('blkio', 'blkio.throttle.io_service_bytes_recursive'),
    '8:0 Read 4096\n8:0 Write 512\nTotal 4608\n',
  );
  const s = await readStats({ version: 1, driver: 'cgroupfs', hybrid: true, root }, '/berth/c1', host());
  assert.deepEqual(s.cpu_stats.cpu_usage, {
    total_usage: 123456789,
    percpu_usage: [100, 200, 0, 0],
    usage_in_kernelmode: 3e7,
    usage_in_usermode: 12e7,
  });
  assert.equal(s.cpu_stats.online_cpus, 4);
  assert.equal(s.cpu_stats.system_cpu_usage, 4420 * 1e7);
  assert.deepEqual(s.cpu_stats.throttling_data, { periods: 10, throttled_periods: 2, throttled_time: 5000 });
  assert.deepEqual(s.memory_stats, {
    usage: 1048576,
    max_usage: 2097152,
    failcnt: 3,
    limit: 67108864,
    stats: { cache: 4096, rss: 8192, total_inactive_file: 100 },
  });
  assert.deepEqual(s.pids_stats, { current: 4, limit: 50 });
  assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 512 },
  ]);
  assert.equal(s.blkio_stats.io_serviced_recursive, null);
});

test('an unlimited v1 memory limit reports the host memory', async () => {
  const root = path.join(tmp, 'v1unlimited');
  await write(path.join(root, 'memory/berth/c2/memory.limit_in_bytes'), '9223372036854771712\n');
  const s = await readStats({ version: 1, driver: 'cgroupfs', hybrid: false, root }, '/berth/c2', host());
  assert.equal(s.memory_stats.limit, 8 * 1024 ** 3);
  assert.deepEqual(s.pids_stats, { current: 0 });
});

test('v2 stats come from the unified leaf', async () => {
  const root = path.join(tmp, 'v2stats');
  const f = (file: string) => path.join(root, 'berth/c3', file);
  await write(
    f('cpu.stat'),
    'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 7\nnr_throttled 1\nthrottled_usec 30\n',
  );
  await write(f('memory.current'), '4096\n');
  await write(f('memory.max'), 'max\n');
  await write(f('memory.stat'), 'anon 1024\nfile 2048\n');
  await write(f('pids.current'), '2\n');
  await write(f('pids.max'), 'max\n');
  await write(f('io.stat'), '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n');
  const s = await readStats({ version: 2, driver: 'cgroupfs', hybrid: false, root }, '/berth/c3', host());
  assert.deepEqual(s.cpu_stats.cpu_usage, {
    total_usage: 2e6,
    usage_in_kernelmode: 5e5,
    usage_in_usermode: 1.5e6,
  });
  assert.deepEqual(s.cpu_stats.throttling_data, { periods: 7, throttled_periods: 1, throttled_time: 30000 });
  assert.deepEqual(s.memory_stats, { usage: 4096, limit: 8 * 1024 ** 3, stats: { anon: 1024, file: 2048 } });
  assert.deepEqual(s.pids_stats, { current: 2 });
  assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'read', value: 10 },
    { major: 8, minor: 0, op: 'write', value: 20 },
  ]);
  assert.deepEqual(s.blkio_stats.io_serviced_recursive, [
    { major: 8, minor: 0, op: 'read', value: 1 },
    { major: 8, minor: 0, op: 'write', value: 2 },
  ]);
});

test('v1 leaves live in every hierarchy; linked controllers count once', async () => {
  const root = path.join(tmp, 'v1dirs');
  for (const c of ['cpu,cpuacct', 'memory', 'unified'])
    await fs.mkdir(path.join(root, c), { recursive: true });
  await fs.symlink('cpu,cpuacct', path.join(root, 'cpu'));
  await fs.symlink('cpu,cpuacct', path.join(root, 'cpuacct'));
  await fs.writeFile(path.join(root, 'not-a-hierarchy'), '');
  const info = { version: 1 as const, driver: 'cgroupfs' as const, hybrid: true, root };
  const dirs = cgroupDirs(info, '/berth/x');
  assert.equal(dirs.length, 3);
  assert.ok(
    dirs.includes(path.join(root, 'memory/berth/x')) && dirs.includes(path.join(root, 'unified/berth/x')),
  );
  assert.deepEqual(cgroupDirs({ version: 2, driver: 'cgroupfs', hybrid: false, root }, '/berth/x'), [
    path.join(root, 'berth/x'),
  ]);
  assert.equal(await cgroupExists(info, '/berth/x'), false);
  await fs.mkdir(path.join(root, 'memory/berth/x'), { recursive: true });
  assert.equal(await cgroupExists(info, '/berth/x'), true);
  await removeCgroup(info, '/berth/x');
  assert.equal(await cgroupExists(info, '/berth/x'), false);
  await removeCgroup(info, '/berth/x'); // already gone is fine
  await assert.rejects(removeCgroup(info, '/'), /root cgroup/);
});

test('a leaf that cannot be removed is reported with its path', async () => {
  const root = path.join(tmp, 'busy');
  const info = { version: 2 as const, driver: 'cgroupfs' as const, hybrid: false, root };
  await write(path.join(root, 'berth/y/file'), ''); // rmdir of a non-empty dir fails with ENOTEMPTY
  await assert.rejects(removeCgroup(info, '/berth/y', 1), /cannot remove cgroup .*berth\/y/);
});

const real = detectCgroups();
const canMkdir =
  process.getuid?.() === 0 &&
  (existsSync('/sys/fs/cgroup/cgroup.controllers') || existsSync('/sys/fs/cgroup/memory'));

test('on the real cgroupfs a created leaf is removed from every hierarchy', {
  skip: !canMkdir && 'needs root and a cgroupfs',
}, async () => {
  const leaf = `/berth-test/${process.pid}-${Date.now()}`;
  const dirs = cgroupDirs(real, leaf);
  try {
    for (const d of dirs) await fs.mkdir(d, { recursive: true });
    assert.equal(await cgroupExists(real, leaf), true);
    await removeCgroup(real, leaf);
    assert.equal(await cgroupExists(real, leaf), false);
  } finally {
    for (const d of dirs) await fs.rmdir(d).catch(() => undefined);
    for (const d of cgroupDirs(real, '/berth-test')) await fs.rmdir(d).catch(() => undefined);
  }
});

test('OOM kills are counted from memory.oom_control (v1) and memory.events (v2)', async () => {
  const v1 = path.join(tmp, 'oomv1');
  await write(
    path.join(v1, 'memory/berth/c4/memory.oom_control'),
    'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
  );
  assert.equal(
    await oomKillCount({ version: 1, driver: 'cgroupfs', hybrid: true, root: v1 }, '/berth/c4'),
    2,
  );
  const v2 = path.join(tmp, 'oomv2');
  await write(path.join(v2, 'berth/c5/memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  assert.equal(
    await oomKillCount({ version: 2, driver: 'cgroupfs', hybrid: false, root: v2 }, '/berth/c5'),
    1,
  );
  // A gone cgroup, or an old kernel without the counter, reports none.
  assert.equal(
    await oomKillCount({ version: 2, driver: 'cgroupfs', hybrid: false, root: v2 }, '/berth/gone'),
    0,
  );
});
