// The qemu provider against the real qemu-system-x86_64 and a real Debian kernel (no Berth image needed):
// a KVM guest that stays silent is detected within seconds, killed, and the machine started again under
// TCG, whose console prints "Linux version"; the kernel then finds no root and panics, and the start ends
// in error with the console's last lines (never a hang). Skipped only when qemu is not installed.
//
// This host may have no /dev/kvm at all (no nested virtualization): the test's Host then says it has one,
// and a wrapper in front of the real qemu turns `-accel kvm` into a guest whose CPUs never run (`-S`),
// which from the outside is exactly the hung KVM guest of a nested host (qemu alive, console silent).
// Where a real /dev/kvm exists, the wrapper passes everything through and the real KVM is probed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MachineManager } from '../manager.ts';
import { nodeHost, qmpCommand } from '../node-host.ts';
import type { MachineEvent } from '../types.ts';
import { verdictFile } from './accel.ts';
import { QemuDriver } from './qemu-driver.ts';
import { debianKernel, killLeftQemu, qemuPath as qemu, realQemuSkip as skip } from './real-guest.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-qemu-real-'));
after(() => {
  killLeftQemu(path.join(tmp, 'berth/machines/default'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('qemu provider, real qemu', { skip }, () => {
  it('a silent KVM guest is detected, killed, and the machine restarted under TCG, whose console says Linux version', async () => {
    const kernel = debianKernel().vmlinuz;
    const imageDir = path.join(tmp, 'image');
    mkdirSync(imageDir);
    writeFileSync(path.join(imageDir, 'initrd.img'), 'not an initramfs');
    writeFileSync(path.join(imageDir, 'rootfs.img'), Buffer.alloc(1 << 20));
    writeFileSync(
      path.join(imageDir, 'manifest.json'),
      JSON.stringify({ arch: 'x86_64', kernel, initrd: 'initrd.img', rootfs: 'rootfs.img', cmdline: '' }),
    );
    const binDir = path.join(tmp, 'bin');
    mkdirSync(binDir);
    const wrapper = path.join(binDir, 'qemu-system-x86_64');
    writeFileSync(
      wrapper,
      `#!/bin/sh
# Without a /dev/kvm, "-accel kvm" becomes a guest that never runs: qemu up, vCPUs stopped, console silent.
if [ ! -e /dev/kvm ]; then
  n=$#; kvm=0; prev=
  for a in "$@"; do
    b=$a
    if [ "$prev" = -accel ] && [ "$a" = kvm ]; then b=tcg; kvm=1; fi
    if [ "$prev" = -cpu ] && [ "$a" = host ]; then b=max; fi
    set -- "$@" "$b"; prev=$a
  done
  shift $n
  if [ $kvm = 1 ]; then set -- "$@" -S; fi
fi
exec ${qemu} "$@"
`,
    );
    chmodSync(wrapper, 0o755);

    const real = nodeHost();
    const host = {
      ...real,
      exists: async (f: string) => f === '/dev/kvm' || real.exists(f),
      readWrite: async (f: string) => f === '/dev/kvm' || real.readWrite(f),
    };
    const berthHome = path.join(tmp, 'berth');
    const driver = new QemuDriver({
      host,
      berthHome,
      imageDir,
      binDirs: [binDir],
      accelProbeMs: 5000,
      bootTimeoutMs: { accel: 60_000, tcg: 45_000 },
    });
    const manager = new MachineManager({
      driver,
      host,
      settingsFile: path.join(driver.paths.dir, 'settings.json'),
      limits: { cpus: os.cpus().length, memoryMiB: Math.floor(os.totalmem() / 2 ** 20) },
    });
    await manager.updateSettings({ cpus: 1, memoryMiB: 512, diskGiB: 8 });
    const events: { at: number; e: MachineEvent }[] = [];
    const t0 = Date.now();
    manager.on((e) => events.push({ at: Date.now() - t0, e }));

    const err = await manager.start().then(
      () => null,
      (e: Error) => e,
    );
    const elapsed = Date.now() - t0;
    const serial = readFileSync(driver.paths.serialLog, 'utf8');
    const fallback = events.find((x) => x.e.type === 'notice' && x.e.code === 'accel.fallback');
    const kvmRan = readFileSync(driver.paths.qemuLog, 'utf8').includes('-accel kvm') && !fallback;
    if (kvmRan) {
      // A /dev/kvm that runs guests: nothing to fall back from; the console shows it booted under KVM.
      assert.match(serial, /Linux version/);
      return;
    }
    assert.ok(fallback, `no fallback notice; events: ${JSON.stringify(events.slice(0, 20))}`);
    assert.match((fallback.e as { message: string }).message, /KVM is present but does not run guests.*TCG/);
    assert.ok(fallback.at < 15_000, `the silent KVM guest was given up after ${fallback.at} ms`);
    // serial.log now belongs to the TCG run: its kernel printed its banner.
    assert.match(serial, /Linux version \d/);
    const log = readFileSync(driver.paths.qemuLog, 'utf8');
    assert.match(log, /-accel kvm .*-cpu host/);
    assert.match(log, /-accel tcg,thread=multi -cpu max/);
    // No root filesystem: the kernel panics and qemu ends; the start fails with the reason and the console.
    assert.ok(err, 'the start should fail: the kernel has no root');
    assert.match(err.message, /qemu exited with code 0 before the machine was ready/);
    assert.match(
      err.message,
      /last lines of the console[\s\S]*(Kernel panic|end Kernel panic|Kernel Offset)/,
    );
    const status = await manager.status();
    assert.equal(status.state, 'error');
    const verdict = JSON.parse(readFileSync(verdictFile(berthHome), 'utf8'));
    assert.equal(verdict[0].accel, 'kvm');
    assert.ok(elapsed < 60_000, `took ${elapsed} ms`);
    console.log(
      `# silent KVM given up after ${fallback.at} ms; TCG console said "Linux version"; start ended in error after ${elapsed} ms`,
    );
  });

  it('QMP: the real qemu answers query-status and takes system_powerdown', async () => {
    const sock = path.join(tmp, 'qmp-test.sock');
    const child = spawn(
      qemu as string,
      [
        '-nodefaults',
        '-display',
        'none',
        '-machine',
        'q35',
        '-accel',
        'tcg',
        '-S',
        '-qmp',
        `unix:${sock},server=on,wait=off`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let status: unknown;
      for (let i = 0; i < 100 && status === undefined; i++) {
        status = await qmpCommand(sock, 'query-status', undefined, 2000).catch(() => undefined);
        if (status === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(status, { status: 'prelaunch', singlestep: false, running: false });
      assert.deepEqual(await qmpCommand(sock, 'system_powerdown'), {});
      await assert.rejects(
        qmpCommand(sock, 'no-such-command'),
        /QMP no-such-command: The command no-such-command has not been found/,
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
