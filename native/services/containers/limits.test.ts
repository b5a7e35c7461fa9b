import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeHostConfig } from './create.ts';
import {
  type HostLimits,
  normalizeDevices,
  normalizeUlimits,
  parseUintList,
  rlimitsOf,
  verifyResources,
} from './limits.ts';

const MiB = 1024 * 1024;
const v1: HostLimits = { numCpu: 2, cpus: '0-1', swapLimit: true, oomKillDisable: true };
const v2: HostLimits = { numCpu: 4, cpus: '0-3', swapLimit: true, oomKillDisable: false };

test("memory limits are checked with dockerd's messages", () => {
  const bad: Array<[object, RegExp | { message: string }]> = [
    [{ Memory: 4 * MiB }, { message: 'Minimum memory limit allowed is 6MB' }],
    [
      { Memory: 20 * MiB, MemorySwap: 10 * MiB },
      /Minimum memoryswap limit should be larger than memory limit/,
    ],
    [
      { MemorySwap: 20 * MiB },
      /You should always set the Memory limit when using Memoryswap limit, see usage/,
    ],
    [{ MemoryReservation: 2 * MiB }, /Minimum memory reservation allowed is 6MB/],
    [
      { Memory: 10 * MiB, MemoryReservation: 20 * MiB },
      /Minimum memory limit can not be less than memory reservation limit, see usage/,
    ],
  ];
  for (const [r, msg] of bad) assert.throws(() => verifyResources({ ...r }, v1, false), msg);
  assert.deepEqual(
    verifyResources({ Memory: 64 * MiB, MemorySwap: -1, MemoryReservation: 32 * MiB }, v1, false),
    [],
  );
  // docker update may set a swap limit alone.
  assert.deepEqual(verifyResources({ MemorySwap: 20 * MiB }, v1, true), []);
});

test("CPU limits: --cpus within the host's CPUs, cpusets within the online ones", () => {
  assert.throws(() => verifyResources({ NanoCpus: 3e9 }, v1, false), {
    message: 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available',
  });
  assert.throws(() => verifyResources({ NanoCpus: -1 }, v1, false), /Range of CPUs/);
  assert.throws(
    () => verifyResources({ NanoCpus: 1e9, CpuPeriod: 50_000 }, v1, false),
    /Conflicting options: Nano CPUs and CPU Period cannot both be set/,
  );
  assert.throws(
    () => verifyResources({ NanoCpus: 1e9, CpuQuota: 50_000 }, v1, false),
    /Conflicting options: Nano CPUs and CPU Quota cannot both be set/,
  );
  assert.throws(
    () => verifyResources({ CpuPeriod: 500 }, v1, false),
    /CPU cfs period can not be less than 1ms/,
  );
  assert.throws(
    () => verifyResources({ CpuQuota: 500 }, v1, false),
    /CPU cfs quota can not be less than 1ms/,
  );
  assert.throws(() => verifyResources({ CpusetCpus: '5' }, v1, false), {
    message: 'Requested CPUs are not available - requested 5, available: 0-1',
  });
  assert.throws(() => verifyResources({ CpusetCpus: '0-a' }, v1, false), {
    message: 'Invalid value 0-a for cpuset cpus: invalid format: 0-a',
  });
  assert.deepEqual(verifyResources({ NanoCpus: 1.5e9, CpusetCpus: '0,1', CpuShares: 512 }, v1, false), []);
  assert.deepEqual(verifyResources({ CpusetCpus: '2-3' }, v2, false), []);
});

test('cpuset lists parse as dockerd parses them', () => {
  assert.deepEqual([...parseUintList('0-2,5')], [0, 1, 2, 5]);
  assert.deepEqual([...parseUintList('')], []);
  for (const bad of ['1-', '3-1', 'a', '0,,1']) assert.throws(() => parseUintList(bad), /invalid format/);
});

test('--oom-kill-disable: a warning without a memory limit; dropped with a warning on cgroup v2', () => {
  const r1 = { OomKillDisable: true };
  assert.deepEqual(verifyResources(r1, v1, false), [
    'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
  ]);
  assert.equal(r1.OomKillDisable, true);
  assert.deepEqual(verifyResources({ OomKillDisable: true, Memory: 64 * MiB }, v1, false), []);
  const r2 = { OomKillDisable: true, Memory: 64 * MiB };
  assert.deepEqual(verifyResources(r2, v2, false), [
    'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
  ]);
  assert.equal(r2.OomKillDisable, false);
});

test('without swap accounting a memory limit comes without swap, with a warning', () => {
  const r = { Memory: 64 * MiB, MemorySwap: 128 * MiB };
  assert.deepEqual(verifyResources(r, { ...v1, swapLimit: false }, false), [
    'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
  ]);
  assert.equal(r.MemorySwap, -1);
});

test('create: swap defaults to twice the memory; warnings are collected; SHM size must not be negative', () => {
  const warnings: string[] = [];
  const hc = normalizeHostConfig({ Memory: 64 * MiB, OomKillDisable: true }, v1, warnings);
  assert.equal(hc.MemorySwap, 128 * MiB);
  assert.equal(hc.OomKillDisable, true);
  assert.deepEqual(warnings, []);
  assert.equal(normalizeHostConfig({}, v1).MemorySwap, 0);
  assert.equal(normalizeHostConfig({ Memory: 64 * MiB, MemorySwap: -1 }, v1).MemorySwap, -1);
  assert.throws(() => normalizeHostConfig({ ShmSize: -1 }, v1), /SHM size can not be less than 0/);
  assert.throws(() => normalizeHostConfig({ CpusetCpus: '7' }, v1), /Requested CPUs are not available/);
});

test('ulimits become OCI rlimits; none by default', () => {
  const u = normalizeUlimits([
    { Name: 'nofile', Soft: 1024, Hard: 2048 },
    { Name: 'nproc', Soft: 50, Hard: 50 },
  ]);
  assert.deepEqual(rlimitsOf(u), [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
    { type: 'RLIMIT_NPROC', soft: 50, hard: 50 },
  ]);
  assert.deepEqual(rlimitsOf(normalizeUlimits(undefined)), []);
  assert.throws(() => normalizeUlimits([{ Name: 'bogus', Soft: 1, Hard: 1 }]), /invalid ulimit type: bogus/);
  assert.throws(
    () => normalizeUlimits([{ Name: 'nofile', Soft: 200, Hard: 100 }]),
    /ulimit soft limit must be less than or equal to hard limit: 200 > 100/,
  );
});

test('device mappings default the container path and the permissions', () => {
  assert.deepEqual(
    normalizeDevices([{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }]),
    [{ PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }],
  );
  assert.throws(
    () =>
      normalizeDevices([{ PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rwx' }]),
    /invalid device mode: rwx/,
  );
  assert.equal(normalizeDevices(null), null);
});
