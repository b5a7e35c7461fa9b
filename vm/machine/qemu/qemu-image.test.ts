// The Berth image (npm run vm:image → dist/vm/x86_64/, or BERTH_VM_IMAGE=<dir>) booted by the qemu provider
// to the guest's `ready` (berthd answers inside), stopped by ACPI, its disk grown, booted again (the
// filesystem kept and grown). Skipped while there is no image.
// Under TCG here: a minute or more.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MachineManager } from '../manager.ts';
import { nodeHost } from '../node-host.ts';
import type { MachineEvent } from '../types.ts';
import { QemuDriver } from './qemu-driver.ts';
import { killLeftQemu, realQemuSkip } from './real-guest.ts';

const imageDir = path.resolve(process.env.BERTH_VM_IMAGE ?? 'dist/vm/x86_64');
const skip =
  realQemuSkip ||
  (existsSync(path.join(imageDir, 'manifest.json'))
    ? false
    : `no VM image at ${imageDir} (npm run vm:image)`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-qemu-image-'));
after(() => {
  killLeftQemu(path.join(tmp, 'berth/machines/default'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Berth image under the qemu provider', { skip }, () => {
  it('boots to ready (every stage reported in order), then powers off by ACPI; a grown disk is kept and grown at the next boot', {
    timeout: 600_000,
  }, async () => {
    const host = nodeHost();
    const driver = new QemuDriver({ host, berthHome: path.join(tmp, 'berth'), imageDir });
    const manager = new MachineManager({
      driver,
      host,
      settingsFile: path.join(driver.paths.dir, 'settings.json'),
      limits: { cpus: os.cpus().length, memoryMiB: Math.floor(os.totalmem() / 2 ** 20) },
    });
    await manager.updateSettings({ cpus: Math.min(2, os.cpus().length), memoryMiB: 2048, diskGiB: 8 });
    const events: MachineEvent[] = [];
    manager.on((e) => events.push(e));
    const t0 = Date.now();
    await manager.start();
    const bootMs = Date.now() - t0;
    const stages = [...new Set(events.flatMap((e) => (e.type === 'progress' ? [e.line.stage] : [])))];
    // The contract's stages, in its order (a stage may be skipped, never reordered), then ready.
    const order = [
      'init',
      'modules',
      'root',
      'data-disk',
      'network',
      'clock',
      'share',
      'sshd',
      'berthd',
      'ready',
    ];
    assert.deepEqual(
      stages,
      order.filter((s) => stages.includes(s)),
    );
    assert.equal(stages.at(-1), 'ready');
    const status = await manager.status();
    assert.equal(status.state, 'running');
    const t1 = Date.now();
    await manager.stop();
    const stopMs = Date.now() - t1;
    assert.ok(
      !events.some((e) => e.type === 'log' && /did not power off/.test(e.line)),
      'ACPI power-off ignored',
    );
    const diskLines = () =>
      events.flatMap((e) => (e.type === 'progress' && e.line.stage === 'data-disk' ? [e.line.text] : []));
    assert.ok(
      diskLines().some((l) => /formatting/.test(l)),
      'the first boot makes the filesystem',
    );

    // The disk of the existing machine grows; the next boot keeps its filesystem and grows it to the disk.
    await manager.updateSettings({ diskGiB: 10 });
    events.length = 0;
    const t2 = Date.now();
    await manager.start();
    const rebootMs = Date.now() - t2;
    assert.ok(!diskLines().some((l) => /formatting/.test(l)), `formatted again: ${diskLines().join(' | ')}`);
    const mounted = diskLines().find((l) => /mounted at \/var\/lib\/berth/.test(l)) ?? '';
    const size = Number(/\((\d+(?:\.\d+)?)G\)/.exec(mounted)?.[1] ?? 0);
    assert.ok(size > 9 && size <= 10, `after growing to 10 GiB the guest says: ${mounted}`);
    await manager.stop();
    console.log(
      `# ${status.accel}: boot to ready ${bootMs} ms, ACPI stop ${stopMs} ms; after growing the disk: ${rebootMs} ms, ${mounted}`,
    );
  });
});
