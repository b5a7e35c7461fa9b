import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCapChanges, capMask, defaultCapabilities } from './capabilities.ts';
import { parseSignal } from './signals.ts';
import { buildSpec, type ContainerSpecInput } from './spec.ts';

function input(over: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    id: 'c1',
    rootfs: '/r',
    readonlyRootfs: false,
    args: ['sh'],
    env: ['A=1'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    openStdin: false,
    hostname: 'h',
    files: { hosts: '/f/hosts', hostname: '/f/hostname', resolvConf: '/f/resolv' },
    tmpfs: {},
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: 'default',
    resources: {},
    cgroupsPath: '/berth/c1',
    network: { mode: 'none' },
    ...over,
  };
}

test("Docker's default capability set has Docker's bounding mask", () => {
  assert.equal(capMask(defaultCapabilities), '00000000a80425fb');
  const spec = buildSpec(input());
  assert.equal(capMask(spec.process.capabilities.bounding), '00000000a80425fb');
});

test('cap-add and cap-drop, ALL and names without CAP_', () => {
  assert.equal(capMask(applyCapChanges(defaultCapabilities, ['net_admin'], ['CHOWN'])), '00000000a80435fa');
  assert.deepEqual(applyCapChanges(defaultCapabilities, ['KILL'], ['ALL']), ['CAP_KILL']);
  assert.throws(() => applyCapChanges(defaultCapabilities, ['FOO'], []), /unknown capability: "CAP_FOO"/);
});

test('seccomp: default profile without SYS_ADMIN filters clone and denies mount; none when privileged or unconfined', () => {
  const spec = buildSpec(input());
  const sc = spec.linux.seccomp!;
  assert.equal(sc.defaultAction, 'SCMP_ACT_ERRNO');
  const allowed = sc.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names);
  assert.ok(allowed.includes('read') && allowed.includes('execve'));
  assert.ok(!allowed.includes('mount') && !allowed.includes('unshare'));
  assert.ok(sc.syscalls.some((r) => r.names.includes('clone') && r.args?.[0].op === 'SCMP_CMP_MASKED_EQ'));
  const admin = buildSpec(input({ capAdd: ['SYS_ADMIN'] })).linux.seccomp!;
  assert.ok(admin.syscalls.some((r) => r.names.includes('mount') && r.action === 'SCMP_ACT_ALLOW'));
  assert.equal(buildSpec(input({ privileged: true })).linux.seccomp, undefined);
  assert.equal(buildSpec(input({ seccomp: 'unconfined' })).linux.seccomp, undefined);
});

test('masked and read-only paths unless privileged', () => {
  assert.ok(buildSpec(input()).linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(buildSpec(input()).linux.readonlyPaths?.includes('/proc/sys'));
  assert.equal(buildSpec(input({ privileged: true })).linux.maskedPaths, undefined);
});

test('resources: swap defaults to twice the memory, CPUs become quota over a 100 ms period, pids limit', () => {
  const r = buildSpec(input({ resources: { memory: 64 << 20, nanoCpus: 500_000_000, pidsLimit: 50 } })).linux
    .resources;
  assert.deepEqual(r.memory, { limit: 64 << 20, swap: 128 << 20 });
  assert.deepEqual(r.cpu, { period: 100000, quota: 50000 });
  assert.deepEqual(r.pids, { limit: 50 });
  const unlimitedSwap = buildSpec(input({ resources: { memory: 64 << 20, memorySwap: -1 } })).linux.resources;
  assert.deepEqual(unlimitedSwap.memory, { limit: 64 << 20, swap: -1 });
});

test('namespaces follow the network mode', () => {
  const types = (s: ReturnType<typeof buildSpec>) => s.linux.namespaces.map((n) => n.type);
  assert.ok(types(buildSpec(input())).includes('network'));
  assert.ok(!types(buildSpec(input({ network: { mode: 'host' } }))).includes('network'));
  const joined = buildSpec(input({ network: { mode: 'path', path: '/proc/9/ns/net' } }));
  assert.deepEqual(
    joined.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network', path: '/proc/9/ns/net' },
  );
});

test('mounts: /dev/shm size, tmpfs options over defaults, etc files, init', () => {
  const spec = buildSpec(
    input({
      shmSize: 1 << 20,
      tmpfs: { '/run': 'exec,size=1m' },
      init: '/usr/bin/tini-static',
      readonlyRootfs: true,
    }),
  );
  const shm = spec.mounts.find((m) => m.destination === '/dev/shm')!;
  assert.ok(shm.options.includes('size=1048576'));
  const run = spec.mounts.find((m) => m.destination === '/run')!;
  assert.deepEqual(run.options.sort(), ['exec', 'nodev', 'nosuid', 'size=1048576']);
  assert.ok(spec.mounts.find((m) => m.destination === '/etc/hosts')!.options.includes('ro'));
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sh']);
  assert.equal(
    spec.mounts.find((m) => m.destination === '/sbin/docker-init')!.source,
    '/usr/bin/tini-static',
  );
  assert.equal(spec.root.readonly, true);
});

test('signals parse like Docker', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('10'), 10);
  assert.equal(parseSignal('RTMIN+2'), 36);
  assert.throws(() => parseSignal('NOPE'), /Invalid signal: NOPE/);
  assert.throws(() => parseSignal('99'), /Invalid signal: 99/);
});

test('limits: reservation, cpuset, OOM killer, pids, block I/O throttles, rlimits and user devices', () => {
  const spec = buildSpec(
    input({
      resources: {
        memory: 64 << 20,
        memorySwap: 128 << 20,
        memoryReservation: 32 << 20,
        oomKillDisable: true,
        nanoCpus: 5e8,
        cpuShares: 512,
        cpusetCpus: '0',
        pidsLimit: 50,
        blkioThrottle: { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1 << 20 }] },
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }],
      devices: [
        {
          device: { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
          rule: { allow: true, type: 'c', major: 1, minor: 3, access: 'r' },
        },
        {
          device: { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o600, uid: 0, gid: 0 },
          rule: { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
        },
      ],
    }),
  );
  const r = spec.linux.resources;
  assert.deepEqual(r.memory, {
    limit: 64 << 20,
    swap: 128 << 20,
    reservation: 32 << 20,
    disableOOMKiller: true,
  });
  assert.deepEqual(r.cpu, { shares: 512, period: 100_000, quota: 50_000, cpus: '0' });
  assert.deepEqual(r.pids, { limit: 50 });
  assert.deepEqual(r.blockIO, { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1 << 20 }] });
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
  assert.deepEqual(r.devices.at(-2), { allow: true, type: 'c', major: 1, minor: 3, access: 'r' });
  const nodes = spec.linux.devices;
  assert.equal(
    nodes.filter((d) => d.path === '/dev/zero').length,
    1,
    'a user device replaces the default node',
  );
  assert.equal(nodes.find((d) => d.path === '/dev/zero')?.fileMode, 0o600);
  assert.ok(nodes.some((d) => d.path === '/dev/mynull'));
});

test('no rlimits and no block I/O section by default, as Docker', () => {
  const spec = buildSpec(input());
  assert.equal(spec.process.rlimits, undefined);
  assert.equal(spec.linux.resources.blockIO, undefined);
  assert.equal(spec.linux.resources.memory, undefined);
});
