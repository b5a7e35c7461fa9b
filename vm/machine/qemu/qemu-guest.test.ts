// MachineManager and the qemu provider against the real qemu and a real (minimal) guest that speaks the
// contract (real-guest.ts): boot to `ready` through the progress port with the fw_cfg config read inside;
// qemu killed → error, start from error → running; another process attaches and stops it → ACPI power-off
// through QMP, the guest powers off; the data disk grown with the real qemu-img, a shrink refused;
// factory reset. TCG on this host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MachineManager } from '../manager.ts';
import { nodeHost } from '../node-host.ts';
import type { MachineEvent } from '../types.ts';
import { QemuDriver } from './qemu-driver.ts';
import { debianKernel, killLeftQemu, realQemuSkip, writeMiniImage } from './real-guest.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-qemu-guest-'));
after(() => {
  killLeftQemu(path.join(tmp, 'berth/machines/default'));
  rmSync(tmp, { recursive: true, force: true });
});

let skip: string | false = realQemuSkip;
const imageDir = path.join(tmp, 'image');
if (!skip) {
  mkdirSync(imageDir);
  skip = writeMiniImage(imageDir, debianKernel()) ?? false;
}

describe('qemu provider with a real guest', { skip }, () => {
  it('boots to ready, dies and recovers, powers off by ACPI, grows its disk, resets', async () => {
    const host = nodeHost();
    const driver = new QemuDriver({ host, berthHome: path.join(tmp, 'berth'), imageDir, accelProbeMs: 8000 });
    const manager = new MachineManager({
      driver,
      host,
      settingsFile: path.join(driver.paths.dir, 'settings.json'),
      limits: { cpus: os.cpus().length, memoryMiB: Math.floor(os.totalmem() / 2 ** 20) },
      stopTimeoutMs: 15_000,
    });
    await manager.updateSettings({ cpus: 1, memoryMiB: 512, diskGiB: 8, shareHome: false });
    const events: MachineEvent[] = [];
    manager.on((e) => events.push(e));
    const states = () => events.flatMap((e) => (e.type === 'state' ? [e.state] : []));

    let t = Date.now();
    await manager.start();
    const bootMs = Date.now() - t;
    let status = await manager.status();
    assert.equal(status.state, 'running');
    const steps = events.flatMap((e) => (e.type === 'progress' ? [e.line] : []));
    assert.deepEqual(
      steps.map((l) => `${l.kind}:${l.stage}`),
      ['stage:init', 'stage:clock', 'ready:ready'],
    );
    // The guest sourced the config the provider passed through fw_cfg: the machine's own key is in it.
    assert.equal(
      steps[1].text,
      `config share= key=${(await host.readText(driver.paths.sshPublicKey))?.trim()}`,
    );
    assert.ok(events.some((e) => e.type === 'log' && e.source === 'console' && /Linux version/.test(e.line)));

    // qemu killed under the machine: error, with the reason; start from error recovers.
    const pid = status.pid as number;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && (await manager.status()).state === 'running'; i++)
      await new Promise((r) => setTimeout(r, 100));
    status = await manager.status();
    assert.equal(status.state, 'error');
    assert.match(status.reason ?? '', /stopped unexpectedly: qemu was killed by SIGKILL/);
    await manager.start();
    status = await manager.status();
    assert.equal(status.state, 'running');
    assert.notEqual(status.pid, pid);

    // Another process (`berth stop`) attaches to the running machine and stops it: the guest gets the
    // ACPI power button and powers off well before the stop timeout; the first process sees a clean stop.
    const qemuPid = status.pid as number;
    const later = new MachineManager({
      driver: new QemuDriver({ host, berthHome: path.join(tmp, 'berth'), imageDir }),
      host,
      settingsFile: path.join(driver.paths.dir, 'settings.json'),
      limits: { cpus: os.cpus().length, memoryMiB: Math.floor(os.totalmem() / 2 ** 20) },
      stopTimeoutMs: 15_000,
    });
    const laterLog: string[] = [];
    later.on((e) => {
      if (e.type === 'log') laterLog.push(e.line);
    });
    assert.equal(await later.attach(), true);
    assert.equal((await later.status()).pid, qemuPid);
    t = Date.now();
    await later.stop();
    const stopMs = Date.now() - t;
    assert.equal((await later.status()).state, 'stopped');
    assert.ok(!host.alive(qemuPid), 'qemu still runs');
    assert.ok(stopMs < 15_000, `stop took ${stopMs} ms`);
    assert.ok(laterLog.some((l) => /asked the guest to power off/.test(l)));
    assert.ok(!laterLog.some((l) => /did not power off/.test(l)));
    for (let i = 0; i < 50 && (await manager.status()).state === 'running'; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await manager.status().then((s) => [s.state, s.reason]), [
      'stopped',
      'the guest powered off',
    ]);

    // The data disk grows with the real qemu-img; it never shrinks.
    await manager.updateSettings({ diskGiB: 10 });
    const info = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', driver.paths.dataDisk], { encoding: 'utf8' }),
    );
    assert.equal(info['virtual-size'], 10 * 2 ** 30);
    await assert.rejects(manager.updateSettings({ diskGiB: 9 }), /is 10 GiB and cannot shrink to 9 GiB/);

    await manager.reset();
    assert.ok(!existsSync(driver.paths.dataDisk));
    assert.ok(!existsSync(driver.paths.sshKey));
    assert.equal((await manager.status()).settings.diskGiB, 10);
    assert.deepEqual(states(), ['starting', 'running', 'error', 'starting', 'running', 'stopped', 'stopped']);
    console.log(`# TCG boot to ready ${bootMs} ms; ACPI stop ${stopMs} ms`);
  });
});
