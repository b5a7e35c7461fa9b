import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCapabilities, defaultCapabilities } from './capabilities.ts';
import { baselineSyscalls, cloneNamespaceFlags, defaultSeccomp, type OciSeccomp } from './seccomp.ts';

/** Every syscall allowed without argument conditions. */
const unconditional = (p: OciSeccomp) =>
  new Set(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));

test('denies by default with EPERM', () => {
  const p = defaultSeccomp(defaultCapabilities, 'x64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
});

test('architectures follow the host', () => {
  assert.deepEqual(defaultSeccomp([], 'x64').architectures, [
    'SCMP_ARCH_X86_64',
    'SCMP_ARCH_X86',
    'SCMP_ARCH_X32',
  ]);
  assert.deepEqual(defaultSeccomp([], 'arm64').architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(defaultSeccomp([], 'aarch64').architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(unconditional(defaultSeccomp([], 'x64')).has('arch_prctl'));
  assert.ok(!unconditional(defaultSeccomp([], 'arm64')).has('arch_prctl'));
  assert.ok(unconditional(defaultSeccomp([], 'arm64')).has('set_tls'));
});

test('the baseline has what programs need and nothing privileged', () => {
  const allowed = unconditional(defaultSeccomp(defaultCapabilities, 'x64'));
  assert.ok(baselineSyscalls.length > 300);
  for (const s of [
    'read',
    'write',
    'openat',
    'execve',
    'wait4',
    'futex',
    'epoll_pwait',
    'statx',
    'rseq',
    'ptrace',
  ]) {
    assert.ok(allowed.has(s), s);
  }
  for (const s of [
    'mount',
    'umount2',
    'unshare',
    'setns',
    'reboot',
    'init_module',
    'kexec_load',
    'bpf',
    'clone3',
  ]) {
    assert.ok(!allowed.has(s), s);
  }
  assert.equal(new Set(baselineSyscalls).size, baselineSyscalls.length, 'no duplicates');
});

test('chroot comes with CAP_SYS_CHROOT, which the defaults hold', () => {
  assert.ok(unconditional(defaultSeccomp(defaultCapabilities, 'x64')).has('chroot'));
  assert.ok(!unconditional(defaultSeccomp(['CAP_CHOWN'], 'x64')).has('chroot'));
});

test('capabilities unlock their syscalls', () => {
  const cases: Array<[string, string[]]> = [
    ['CAP_SYS_ADMIN', ['mount', 'umount2', 'setns', 'unshare', 'sethostname', 'clone', 'clone3']],
    ['CAP_SYS_PTRACE', ['kcmp', 'process_madvise', 'pidfd_getfd']],
    ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
    ['CAP_SYS_BOOT', ['reboot']],
    ['CAP_SYS_TIME', ['settimeofday', 'clock_settime']],
    ['CAP_SYS_NICE', ['mbind', 'set_mempolicy']],
    ['CAP_SYS_PACCT', ['acct']],
    ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
    ['CAP_SYS_TTY_CONFIG', ['vhangup']],
    ['CAP_SYSLOG', ['syslog']],
    ['CAP_BPF', ['bpf']],
    ['CAP_PERFMON', ['perf_event_open']],
    ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ];
  for (const [cap, names] of cases) {
    const without = unconditional(defaultSeccomp(defaultCapabilities, 'x64'));
    const withCap = unconditional(defaultSeccomp([...defaultCapabilities, cap], 'x64'));
    for (const n of names) {
      assert.ok(!without.has(n), `${n} without ${cap}`);
      assert.ok(withCap.has(n), `${n} with ${cap}`);
    }
  }
});

test('without CAP_SYS_ADMIN clone may not create namespaces and clone3 says ENOSYS', () => {
  const p = defaultSeccomp(defaultCapabilities, 'x64');
  const clone = p.syscalls.find((r) => r.names.includes('clone'));
  assert.deepEqual(clone?.args, [
    { index: 0, value: cloneNamespaceFlags, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
  ]);
  assert.equal(
    cloneNamespaceFlags,
    0x10000000 | 0x20000000 | 0x40000000 | 0x08000000 | 0x04000000 | 0x02000000 | 0x20000,
  );
  const clone3 = p.syscalls.find((r) => r.names.includes('clone3'));
  assert.equal(clone3?.action, 'SCMP_ACT_ERRNO');
  assert.equal(clone3?.errnoRet, 38);
});

test('with CAP_SYS_ADMIN clone and clone3 are plain allows', () => {
  const p = defaultSeccomp(allCapabilities, 'x64');
  for (const name of ['clone', 'clone3']) {
    const rules = p.syscalls.filter((r) => r.names.includes(name));
    // Non-empty first: an `every` over no rule would pass with the syscall not allowed at all.
    assert.ok(rules.length > 0, `a rule names ${name}`);
    assert.ok(
      rules.every((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args),
      `${name}: ${JSON.stringify(rules)}`,
    );
  }
});

test('personality only for the usual execution domains; socket all but AF_VSOCK', () => {
  const p = defaultSeccomp(defaultCapabilities, 'x64');
  const personas = p.syscalls.filter((r) => r.names.includes('personality')).map((r) => r.args?.[0].value);
  assert.deepEqual(personas, [0, 8, 0x20000, 0x20008, 0xffffffff]);
  const socket = p.syscalls.find((r) => r.names.includes('socket'));
  assert.deepEqual(socket?.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
});
