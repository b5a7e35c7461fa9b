import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pauseBinary } from './pause.ts';

test('the pause binary is a static ELF for the machine, and for the other architecture', () => {
  for (const [arch, machine] of [
    ['x64', 62],
    ['arm64', 183],
  ] as const) {
    const elf = pauseBinary(arch);
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(elf.readUInt16LE(16), 2, 'ET_EXEC');
    assert.equal(elf.readUInt16LE(18), machine);
    assert.equal(elf.readBigUInt64LE(24), 0x400000n + 120n, 'entry right after the headers');
    assert.ok(elf.length < 200);
  }
  assert.throws(() => pauseBinary('s390x'), /no pause binary/);
});

test('it runs, sleeps (no CPU) and goes on SIGKILL', {
  skip: process.arch !== 'x64' && process.arch !== 'arm64',
}, async () => {
  const dir = mkdtempSync('/tmp/bt-pause-');
  try {
    const bin = path.join(dir, 'pause');
    writeFileSync(bin, pauseBinary());
    chmodSync(bin, 0o755);
    const child = spawn(bin, { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, 'still running');
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    assert.equal(stat[0], 'S', 'asleep, not spinning');
    const cpuTicks = Number(stat[11]) + Number(stat[12]);
    assert.ok(cpuTicks <= 1, `${cpuTicks} ticks of CPU`);
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
