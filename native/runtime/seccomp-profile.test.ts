import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../core/errors.ts';
import { kernelAtLeast, seccompFromProfile } from './seccomp-profile.ts';

const target = { caps: ['CAP_CHOWN', 'CAP_KILL'], arch: 'x64', kernel: '6.1.0-18-amd64' };

test("a profile's blocks are kept by their includes and excludes, as dockerd filters them", () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', comment: 'a=b, kept whole' },
      { name: 'kill', action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_KILL'] } },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
      { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
      { names: ['chown'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_CHOWN'] } },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
      { names: ['newer'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.2' } },
      {
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
      },
    ],
  };
  const f = seccompFromProfile(JSON.stringify(profile), target);
  assert.ok(f);
  assert.equal(f.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(f.defaultErrnoRet, 1);
  assert.deepEqual(f.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(
    f.syscalls.map((r) => r.names.join(',')),
    ['read,write', 'kill', 'arch_prctl', 'ptrace', 'personality'],
  );
  assert.deepEqual(f.syscalls[4].args, [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }]);
  const arm = seccompFromProfile(JSON.stringify(profile), { ...target, arch: 'arm64' });
  assert.deepEqual(arm?.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(arm?.syscalls.some((r) => r.names[0] === 'set_tls'));
});

test("dockerd's refusals, and a profile that asks for nothing turns seccomp off", () => {
  const refused = (body: string, message: RegExp) =>
    assert.throws(
      () => seccompFromProfile(body, target),
      (err: unknown) => err instanceof EngineError && err.kind === 'invalid' && message.test(err.message),
    );
  refused('{"defaultAction": ', /^Decoding seccomp profile failed: /);
  refused(
    JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{}] }),
    /^'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'$/,
  );
  refused(
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ERRNO' }],
    }),
    /^'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'$/,
  );
  assert.equal(seccompFromProfile('{}', target), undefined);
  assert.deepEqual(seccompFromProfile('{"defaultAction":"SCMP_ACT_LOG"}', target), {
    defaultAction: 'SCMP_ACT_LOG',
    architectures: [],
    syscalls: [],
  });
});

test('minKernel compares major, then minor', () => {
  assert.equal(kernelAtLeast('6.1.0-18-amd64', '4.8'), true);
  assert.equal(kernelAtLeast('4.8.0', '4.8'), true);
  assert.equal(kernelAtLeast('4.7.10', '4.8'), false);
  assert.equal(kernelAtLeast('5.0', '4.19'), true);
});
