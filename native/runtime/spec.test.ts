import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEngineError } from '../core/errors.ts';
import { allCapabilities, capMask } from './capabilities.ts';
import { buildSpec, type ContainerSpecInput, parseSignal, signalNumbers } from './spec.ts';

function input(over: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    id: 'abc',
    rootfs: '/var/lib/berth/abc/merged',
    readonlyRootfs: false,
    args: ['sh', '-c', 'true'],
    env: ['PATH=/bin'],
    cwd: '/work',
    user: { uid: 0, gid: 0, additionalGids: [] },
    tty: false,
    openStdin: false,
    hostname: 'abc',
    files: { hosts: '/r/hosts', hostname: '/r/hostname', resolvConf: '/r/resolv.conf' },
    tmpfs: {},
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: 'default',
    resources: {},
    cgroupsPath: '/berth/abc',
    network: { mode: 'none' },
    ...over,
  };
}

test('a default container: process, root, namespaces, Docker capabilities', () => {
  const s = buildSpec(input());
  assert.equal(s.ociVersion, '1.0.2-dev');
  assert.deepEqual(s.process.args, ['sh', '-c', 'true']);
  assert.equal(s.process.cwd, '/work');
  assert.deepEqual(s.process.user, { uid: 0, gid: 0 });
  assert.equal(s.process.terminal, false);
  assert.equal(s.process.oomScoreAdj, 0);
  assert.equal(capMask(s.process.capabilities.bounding), '00000000a80425fb');
  assert.deepEqual(s.process.capabilities.effective, s.process.capabilities.bounding);
  assert.deepEqual(s.process.capabilities.permitted, s.process.capabilities.bounding);
  assert.ok(!('inheritable' in s.process.capabilities) && !('ambient' in s.process.capabilities));
  assert.ok(!('rlimits' in s.process), 'no rlimits, like Docker');
  assert.deepEqual(s.root, { path: '/var/lib/berth/abc/merged', readonly: false });
  assert.deepEqual(
    s.linux.namespaces.map((n) => n.type),
    ['pid', 'ipc', 'uts', 'mount', 'network'],
  );
  assert.equal(s.linux.cgroupsPath, '/berth/abc');
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths?.includes('/proc/sys'));
  assert.equal(s.linux.sysctl?.['net.ipv4.ip_unprivileged_port_start'], '0');
  assert.equal(s.hostname, 'abc');
});

test('network modes: host shares, path joins', () => {
  const host = buildSpec(input({ network: { mode: 'host' } }));
  assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(host.linux.sysctl, undefined);
  const joined = buildSpec(input({ network: { mode: 'path', path: '/proc/42/ns/net' } }));
  assert.deepEqual(joined.linux.namespaces.at(-1), { type: 'network', path: '/proc/42/ns/net' });
  assert.equal(joined.linux.sysctl, undefined);
  assert.ok(buildSpec(input({ cgroupV2: true })).linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.ok(!buildSpec(input()).linux.namespaces.some((n) => n.type === 'cgroup'));
});

test('user, groups, tty, readonly rootfs, domainname, annotations', () => {
  const s = buildSpec(
    input({
      user: { uid: 1000, gid: 100, additionalGids: [10, 20] },
      tty: true,
      readonlyRootfs: true,
      domainname: 'example.org',
      annotations: { a: 'b' },
      cwd: '',
    }),
  );
  assert.deepEqual(s.process.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
  assert.equal(s.process.terminal, true);
  assert.equal(s.process.cwd, '/');
  assert.equal(s.root.readonly, true);
  assert.ok(s.mounts.find((m) => m.destination === '/etc/hosts')?.options.includes('ro'));
  assert.equal(s.domainname, 'example.org');
  assert.deepEqual(s.annotations, { a: 'b' });
});

test('cap-add/cap-drop reach the process and the seccomp profile', () => {
  const s = buildSpec(input({ capAdd: ['SYS_ADMIN'], capDrop: ['chown'] }));
  assert.ok(s.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  assert.ok(!s.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.ok(
    s.linux.seccomp?.syscalls.some((r) => r.names.includes('mount') && r.action === 'SCMP_ACT_ALLOW'),
  );
  assert.throws(() => buildSpec(input({ capAdd: ['FOO'] })), /unknown capability: "CAP_FOO"/);
});

test('privileged: all capabilities, no seccomp, no masked or read-only paths, all devices', () => {
  const s = buildSpec(input({ privileged: true }));
  assert.deepEqual(s.process.capabilities.bounding, [...allCapabilities]);
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test('seccomp=unconfined drops the profile only', () => {
  const s = buildSpec(input({ seccomp: 'unconfined' }));
  assert.equal(s.linux.seccomp, undefined);
  assert.ok(s.linux.maskedPaths?.length);
});

test("Docker's device cgroup rules and default nodes", () => {
  const s = buildSpec(input());
  const rules = s.linux.resources.devices;
  assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
  const allowed = rules
    .filter((r) => r.allow && r.access === 'rwm')
    .map((r) => `${r.type} ${r.major}:${r.minor ?? '*'}`);
  assert.deepEqual(allowed, [
    'c 1:3',
    'c 1:5',
    'c 1:7',
    'c 1:8',
    'c 1:9',
    'c 5:0',
    'c 5:1',
    'c 5:2',
    'c 136:*',
    'c 10:200',
  ]);
  assert.deepEqual(
    s.linux.devices.map((d) => `${d.path} ${d.major}:${d.minor} ${d.fileMode.toString(8)} ${d.uid}:${d.gid}`),
    [
      '/dev/null 1:3 666 0:0',
      '/dev/zero 1:5 666 0:0',
      '/dev/full 1:7 666 0:0',
      '/dev/random 1:8 666 0:0',
      '/dev/urandom 1:9 666 0:0',
      '/dev/tty 5:0 666 0:0',
    ],
  );
});

test('resources: memory with Docker swap default, cpus, shares, pids', () => {
  const mib = 1024 * 1024;
  const r = buildSpec(
    input({ resources: { memory: 64 * mib, nanoCpus: 1.5e9, cpuShares: 512, pidsLimit: 100 } }),
  ).linux.resources;
  assert.deepEqual(r.memory, { limit: 64 * mib, swap: 128 * mib });
  assert.deepEqual(r.cpu, { shares: 512, period: 100000, quota: 150000 });
  assert.deepEqual(r.pids, { limit: 100 });
  assert.deepEqual(
    buildSpec(input({ resources: { memory: mib, memorySwap: 3 * mib } })).linux.resources.memory,
    {
      limit: mib,
      swap: 3 * mib,
    },
  );
  assert.deepEqual(buildSpec(input({ resources: { memory: mib, memorySwap: -1 } })).linux.resources.memory, {
    limit: mib,
    swap: -1,
  });
  assert.deepEqual(
    buildSpec(input({ resources: { memory: mib }, swapLimit: false })).linux.resources.memory,
    {
      limit: mib,
    },
  );
  assert.deepEqual(
    buildSpec(input({ resources: { cpuQuota: 50000, cpuPeriod: 200000 } })).linux.resources.cpu,
    {
      period: 200000,
      quota: 50000,
    },
  );
  const none = buildSpec(input()).linux.resources;
  assert.equal(none.memory, undefined);
  assert.equal(none.cpu, undefined);
  assert.equal(none.pids, undefined);
});

test('mounts: defaults, /etc files, tmpfs replaces a default, init and extra mounts', () => {
  const s = buildSpec(
    input({
      tmpfs: { '/dev/shm': 'size=1m', '/run': 'exec' },
      init: '/usr/bin/tini-static',
      extraMounts: [{ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rw'] }],
    }),
  );
  const dests = s.mounts.map((m) => m.destination);
  assert.equal(new Set(dests).size, dests.length, 'no destination twice');
  assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/shm')?.options, [
    'noexec',
    'nosuid',
    'nodev',
    'size=1048576',
  ]);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/run')?.options, ['exec', 'nosuid', 'nodev']);
  assert.deepEqual(
    s.mounts.find((m) => m.destination === '/sbin/docker-init'),
    {
      destination: '/sbin/docker-init',
      type: 'bind',
      source: '/usr/bin/tini-static',
      options: ['rbind', 'ro', 'rprivate'],
    },
  );
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sh', '-c', 'true']);
  assert.equal(s.mounts.at(-1)?.destination, '/data');
  for (const d of [
    '/proc',
    '/dev',
    '/dev/pts',
    '/sys',
    '/sys/fs/cgroup',
    '/dev/mqueue',
    '/etc/resolv.conf',
    '/etc/hostname',
    '/etc/hosts',
  ]) {
    assert.ok(dests.includes(d), d);
  }
});

test('an invalid stop signal is refused', () => {
  assert.throws(
    () => buildSpec(input({ stopSignal: 'SIGFOO' })),
    (e) => isEngineError(e, 'invalid'),
  );
  assert.doesNotThrow(() => buildSpec(input({ stopSignal: 'SIGQUIT' })));
});

test('parseSignal takes names with or without SIG, any case, and numbers', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('sigkill'), 9);
  assert.equal(parseSignal('15'), 15);
  assert.equal(parseSignal('RTMIN+3'), 37);
  assert.equal(signalNumbers.SIGHUP, 1);
  assert.throws(
    () => parseSignal('FOO'),
    (e) => isEngineError(e, 'invalid') && e.message === 'Invalid signal: FOO',
  );
  assert.throws(() => parseSignal('0'), /Invalid signal: 0/);
  assert.throws(() => parseSignal('65'), /Invalid signal/);
});
