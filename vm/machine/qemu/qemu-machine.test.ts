// MachineManager over the qemu provider, with a FakeHost for files and processes and a ManualClock for
// every wait: the states a user sees, the KVM fallback, deaths, timeouts and the disk.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ManualClock } from '../../../native/core/manual-clock.ts';
import { FakeHost, type FakeHost as FakeHostT, type FakeProcess } from '../fake-host.ts';
import { MachineManager } from '../manager.ts';
import type { MachineError, MachineEvent } from '../types.ts';
import { verdictFile } from './accel.ts';
import { QemuDriver } from './qemu-driver.ts';

const home = '/home/alice/.berth';
const imageDir = '/opt/berth/vm';
const dir = `${home}/machines/default`;

interface Rig {
  host: FakeHostT;
  clock: ManualClock;
  driver: QemuDriver;
  manager: MachineManager;
  events: MachineEvent[];
  /** What each qemu does once spawned, by its accelerator. */
  guest: Record<string, (p: FakeProcess) => void>;
}

/** A guest that boots: the kernel's banner on the console, then the init's steps and ready. */
function boots(host: FakeHostT): (p: FakeProcess) => void {
  return () => {
    host.append(`${dir}/serial.log`, 'Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)\n');
    host.append(
      `${dir}/progress.log`,
      'stage init mounting\nstage data-disk ext4 on /dev/vdb\nstage berthd starting\n',
    );
    host.append(`${dir}/progress.log`, 'ready berthd 0.1.0\n');
  };
}

function rig(opts: { kvm?: boolean } = {}): Rig {
  const host = new FakeHost();
  const clock = new ManualClock(1_764_750_000_000);
  host.onPath.set('qemu-system-x86_64', '/usr/bin/qemu-system-x86_64');
  host.onPath.set('qemu-img', '/usr/bin/qemu-img');
  if (opts.kvm !== false) {
    host.files.set('/dev/kvm', Buffer.alloc(0));
    host.devices.add('/dev/kvm');
  }
  host.files.set(
    `${imageDir}/manifest.json`,
    Buffer.from(
      JSON.stringify({
        arch: 'x86_64',
        kernel: 'vmlinuz',
        initrd: 'initrd.img',
        rootfs: 'rootfs.img',
        rootfsFormat: 'squashfs',
        cmdline: 'rdinit=/init',
        imageHash: 'sha256:abc',
      }),
    ),
  );
  for (const f of ['vmlinuz', 'initrd.img', 'rootfs.img'])
    host.files.set(`${imageDir}/${f}`, Buffer.from('x'));
  const driver = new QemuDriver({ host, clock, berthHome: home, imageDir });
  const manager = new MachineManager({
    driver,
    host,
    settingsFile: `${dir}/settings.json`,
    limits: { cpus: 8, memoryMiB: 16_384 },
    stopTimeoutMs: 20_000,
  });
  const events: MachineEvent[] = [];
  manager.on((e) => events.push(e));
  const r: Rig = { host, clock, driver, manager, events, guest: { kvm: boots(host), tcg: boots(host) } };
  host.onSpawn = (p) => {
    const accel = (p.arg('-accel') ?? '').split(',')[0];
    r.guest[accel]?.(p);
  };
  return r;
}

/** Moves the clock in small steps until `promise` settles (or `maxMs` has passed). */
async function drive<T>(clock: ManualClock, promise: Promise<T>, maxMs = 900_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let t = 0; !settled && t < maxMs; t += 100) await clock.advance(100);
  return watched;
}

const states = (events: MachineEvent[]) => events.flatMap((e) => (e.type === 'state' ? [e.state] : []));
const notices = (events: MachineEvent[]) => events.flatMap((e) => (e.type === 'notice' ? [e] : []));

describe('MachineManager with the qemu provider', () => {
  it('starts: stopped → starting → running, with the boot steps, the console and a prepared machine dir', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    assert.deepEqual(states(r.events), ['starting', 'running']);
    const steps = r.events.flatMap((e) =>
      e.type === 'progress'
        ? [`${e.line.kind}:${e.line.stage}`]
        : e.type === 'reachable'
          ? ['reachable']
          : [],
    );
    // SSH is up once the guest's boot reaches berthd's start: the host may connect while berthd starts.
    assert.deepEqual(steps, ['stage:init', 'stage:data-disk', 'stage:berthd', 'reachable', 'ready:ready']);
    assert.ok(
      r.events.some((e) => e.type === 'log' && e.source === 'console' && /Linux version/.test(e.line)),
    );
    const status = await r.manager.status();
    assert.equal(status.accel, 'kvm');
    const reachable = r.events.find((e) => e.type === 'reachable');
    assert.deepEqual(reachable?.type === 'reachable' && reachable.endpoint, status.endpoint);
    assert.deepEqual(status.endpoint, {
      dockerSocket: null,
      ssh: {
        host: '127.0.0.1',
        port: 40_000,
        user: 'root',
        privateKeyFile: `${dir}/ssh_ed25519`,
        knownHostFile: `${dir}/ssh_known_host`,
      },
    });
    assert.equal(r.host.lastProcess().arg('-accel'), 'kvm');

    const config = JSON.parse(r.host.text(`${dir}/guest-config.json`) ?? '{}');
    assert.match(config.sshAuthorizedKey, /^ssh-ed25519 AAAA\S+ berth-host$/);
    assert.equal(r.host.text(`${dir}/ssh_ed25519.pub`)?.trim(), config.sshAuthorizedKey);
    assert.match(r.host.text(`${dir}/ssh_ed25519`) ?? '', /BEGIN OPENSSH PRIVATE KEY/);
    assert.deepEqual(config.share, { tag: 'home', path: '/home/alice', type: '9p' });
    assert.equal(config.timeMs, 1_764_750_000_000);
    assert.equal(r.host.diskBytes.get(`${dir}/data.qcow2`), 60 * 2 ** 30);
  });

  it('the ready line ends the start within 50 ms of the guest writing it (the console is read less often)', async () => {
    const r = rig();
    let spawnedAt = 0;
    r.guest.kvm = (p) => {
      spawnedAt = r.clock.now();
      boots(r.host)(p);
    };
    let settled = false;
    const started = r.manager.start().finally(() => {
      settled = true;
    });
    while (!settled) await r.clock.advance(10);
    await started;
    assert.ok(spawnedAt > 0);
    assert.ok(
      r.clock.now() - spawnedAt <= 60,
      `ready seen ${r.clock.now() - spawnedAt} ms after it was written`,
    );
    assert.ok(
      r.events.some((e) => e.type === 'log' && e.source === 'console' && /Linux version/.test(e.line)),
    );
  });

  it("boots an x86 image's gzipped kernel ELF (PVH) from the machine folder, unpacked once per image file", async () => {
    const r = rig();
    const manifest = JSON.parse(r.host.text(`${imageDir}/manifest.json`) ?? '{}');
    r.host.files.set(
      `${imageDir}/manifest.json`,
      Buffer.from(JSON.stringify({ ...manifest, kernel: 'vmlinux.gz' })),
    );
    const elf = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(4096, 7)]);
    r.host.files.set(`${imageDir}/vmlinux.gz`, gzipSync(elf));
    await drive(r.clock, r.manager.start());
    assert.equal(r.host.lastProcess().arg('-kernel'), `${dir}/vmlinux`);
    assert.deepEqual(r.host.files.get(`${dir}/vmlinux`), elf);
    await drive(r.clock, r.manager.stop());

    // The same image: the unpacked file is used as it is (a mark shows it was not written again).
    r.host.files.set(`${dir}/vmlinux`, Buffer.concat([elf, Buffer.from('mark')]));
    await drive(r.clock, r.manager.start());
    assert.match(r.host.text(`${dir}/vmlinux`) ?? '', /mark$/);
    await drive(r.clock, r.manager.stop());

    // A new image: unpacked again.
    const elf2 = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(4096, 9)]);
    r.host.files.set(`${imageDir}/vmlinux.gz`, gzipSync(elf2));
    await drive(r.clock, r.manager.start());
    assert.deepEqual(r.host.files.get(`${dir}/vmlinux`), elf2);
    await drive(r.clock, r.manager.stop());

    // A kernel file that is not gzip says so, before any qemu runs.
    r.host.files.set(`${imageDir}/vmlinux.gz`, Buffer.from('not gzip'));
    const spawned = r.host.processes.length;
    await assert.rejects(drive(r.clock, r.manager.start()), /vmlinux.gz is not gzip/);
    assert.equal(r.host.processes.length, spawned);
  });

  it('KVM that stays silent: killed within seconds, started again under TCG with a warning, remembered', async () => {
    const r = rig();
    r.guest.kvm = () => undefined; // "Booting from ROM" and nothing after
    const started = r.clock.now();
    await drive(r.clock, r.manager.start());
    const [kvm, tcg] = r.host.processes;
    assert.equal(kvm.arg('-accel'), 'kvm');
    assert.deepEqual(kvm.signals, ['SIGKILL']);
    assert.equal(tcg.arg('-accel'), 'tcg,thread=multi');
    assert.deepEqual(states(r.events), ['starting', 'running']);
    const [fallback] = notices(r.events);
    assert.equal(fallback.code, 'accel.fallback');
    assert.match(fallback.message, /KVM is present but does not run guests/);
    assert.match(fallback.message, /TCG.*slower/);
    assert.ok(r.clock.now() - started < 8000, `fell back after ${r.clock.now() - started} ms`);
    assert.equal((await r.manager.status()).accel, 'tcg');
    const verdicts = JSON.parse(r.host.text(verdictFile(home)) ?? '[]');
    assert.equal(verdicts[0].accel, 'kvm');
    assert.equal(verdicts[0].kernelRelease, '6.1.0-test');

    // The next start goes straight to TCG, and says why; retryAccel tries KVM again.
    await drive(r.clock, r.manager.restart());
    assert.equal(r.host.processes.length, 3);
    assert.equal(r.host.lastProcess().arg('-accel'), 'tcg,thread=multi');
    assert.match(notices(r.events)[1].message, /did not run guests on this host before/);
    r.guest.kvm = boots(r.host);
    await drive(r.clock, r.manager.restart({ retryAccel: true }));
    assert.equal(r.host.lastProcess().arg('-accel'), 'kvm');
    assert.deepEqual(JSON.parse(r.host.text(verdictFile(home)) ?? ''), []);
  });

  it('KVM whose qemu aborts on an MSR before the guest starts: TCG too', async () => {
    const r = rig();
    r.guest.kvm = (p) => {
      r.host.append(`${dir}/qemu.log`, 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0\n');
      p.exit(null, 'SIGABRT');
    };
    await drive(r.clock, r.manager.start());
    assert.equal((await r.manager.status()).state, 'running');
    assert.equal((await r.manager.status()).accel, 'tcg');
    assert.match(notices(r.events)[0].message, /SIGABRT under kvm.*MSR 0x10a/);
  });

  it('no /dev/kvm: TCG from the start, saying it will be slow', async () => {
    const r = rig({ kvm: false });
    await drive(r.clock, r.manager.start());
    assert.equal(r.host.processes.length, 1);
    const [n] = notices(r.events);
    assert.equal(n.code, 'accel.none');
    assert.match(n.message, /no \/dev\/kvm.*TCG.*slower/);
  });

  it('qemu killed while running → error with the reason and the console; start from error recovers', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    r.host.append(`${dir}/serial.log`, '[   12.3] berthd: listening\n');
    r.host.lastProcess().exit(null, 'SIGKILL');
    await r.clock.advance(1000);
    const status = await r.manager.status();
    assert.equal(status.state, 'error');
    assert.match(status.reason ?? '', /stopped unexpectedly: qemu was killed by SIGKILL/);
    assert.match(status.reason ?? '', /berthd: listening/);
    await drive(r.clock, r.manager.start());
    assert.equal((await r.manager.status()).state, 'running');
    assert.deepEqual(states(r.events), ['starting', 'running', 'error', 'starting', 'running']);
  });

  it('a guest that powers off by itself is stopped; one that panics (qemu exits 0 too) is an error', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    r.host.append(`${dir}/serial.log`, '[  99.1] reboot: Power down\n');
    r.host.lastProcess().exit(0);
    await r.clock.advance(1000);
    assert.deepEqual(await r.manager.status().then((s) => [s.state, s.reason]), [
      'stopped',
      'the guest powered off',
    ]);
    await drive(r.clock, r.manager.start());
    r.host.append(
      `${dir}/serial.log`,
      '[  12.0] Kernel panic - not syncing: Attempted to kill init!\n[  12.1] reboot: Restarting system\n',
    );
    r.host.lastProcess().exit(0);
    await r.clock.advance(1000);
    const status = await r.manager.status();
    assert.equal(status.state, 'error');
    assert.match(status.reason ?? '', /qemu exited with code 0[\s\S]*Kernel panic/);
  });

  it('stop: ACPI power-off through QMP; a guest that ignores it is killed after the timeout', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const qemu = r.host.lastProcess();
    r.host.onQmp = (_socket, command) => {
      if (command === 'system_powerdown') r.clock.setTimeout(() => qemu.exit(0), 3000);
      return {};
    };
    await drive(r.clock, r.manager.stop());
    assert.deepEqual(r.host.qmpCalls, [{ socket: `${dir}/qmp.sock`, command: 'system_powerdown' }]);
    assert.deepEqual(qemu.signals, []);
    assert.deepEqual(states(r.events).slice(-2), ['stopping', 'stopped']);

    await drive(r.clock, r.manager.start());
    const deaf = r.host.lastProcess();
    r.host.onQmp = () => ({});
    const asked = r.clock.now();
    await drive(r.clock, r.manager.stop());
    assert.deepEqual(deaf.signals, ['SIGKILL']);
    // The first press, then one every 5 s while the guest does not go.
    assert.equal(r.host.qmpCalls.filter((c) => c.command === 'system_powerdown').length, 1 + 4);
    assert.ok(r.clock.now() - asked >= 20_000);
    assert.equal((await r.manager.status()).state, 'stopped');
    assert.ok(r.events.some((e) => e.type === 'log' && /did not power off within 20 s/.test(e.line)));
  });

  it('stop during a slow boot cancels it: qemu ended, the start rejects, the machine is stopped', async () => {
    const r = rig({ kvm: false });
    r.guest.tcg = () => r.host.append(`${dir}/serial.log`, 'Linux version 6.1.0\n');
    const start = r.manager.start();
    start.catch(() => undefined);
    await r.clock.advance(30_000);
    assert.equal((await r.manager.status()).state, 'starting');
    await drive(r.clock, r.manager.stop());
    await assert.rejects(start, /the start was cancelled/);
    assert.deepEqual(r.host.lastProcess().signals, ['SIGKILL']);
    assert.deepEqual(states(r.events), ['starting', 'stopped']);
    assert.ok(r.clock.now() < 1_764_750_000_000 + 60_000, 'stop did not wait for the boot timeout');
  });

  it('a boot that never gets ready ends in error after the timeout, with the last console lines', async () => {
    const r = rig({ kvm: false });
    r.guest.tcg = () => {
      r.host.append(`${dir}/serial.log`, 'Linux version 6.1.0\n[    3.1] virtio_blk virtio1: [vda]\n');
      r.host.append(`${dir}/progress.log`, 'stage network bringing up eth0\n');
    };
    const start = r.manager.start();
    await assert.rejects(drive(r.clock, start), (err: MachineError) => {
      assert.equal(err.code, 'boot.timeout');
      assert.match(err.reason, /within 600 s under tcg; its last step was network/);
      assert.deepEqual(err.logTail, ['Linux version 6.1.0', '[    3.1] virtio_blk virtio1: [vda]']);
      return true;
    });
    assert.deepEqual(r.host.lastProcess().signals, ['SIGKILL']);
    const status = await r.manager.status();
    assert.equal(status.state, 'error');
    assert.match(status.reason ?? '', /virtio_blk/);
  });

  it("the guest's error line ends the start in error, naming the step", async () => {
    const r = rig({ kvm: false });
    r.guest.tcg = () => {
      r.host.append(`${dir}/serial.log`, 'Linux version 6.1.0\n');
      r.host.append(
        `${dir}/progress.log`,
        'stage data-disk mkfs\nerror data-disk mkfs.ext4 failed: No space left\n',
      );
    };
    await assert.rejects(
      drive(r.clock, r.manager.start()),
      /the guest's data-disk step failed: mkfs.ext4 failed/,
    );
    assert.equal((await r.manager.status()).state, 'error');
  });

  it('qemu that exits at once (not the accelerator) is an error with what qemu said', async () => {
    const r = rig({ kvm: false });
    r.guest.tcg = (p) => {
      r.host.append(
        `${dir}/qemu.log`,
        "qemu-system-x86_64: -drive if=none,id=root: Could not open '/img/rootfs.img'\n",
      );
      p.exit(1);
    };
    await assert.rejects(drive(r.clock, r.manager.start()), (err: MachineError) => {
      assert.equal(err.code, 'qemu.exited');
      assert.match(
        err.reason,
        /exited with code 1 before the machine was ready; qemu said: .*Could not open/,
      );
      return true;
    });
    assert.equal(r.host.processes.length, 1);
  });

  it('no qemu: an error that says what to install', async () => {
    const r = rig();
    r.host.onPath.delete('qemu-system-x86_64');
    await assert.rejects(
      drive(r.clock, r.manager.start()),
      /qemu-system-x86_64 was not found.*apt-get install qemu-system-x86/,
    );
    assert.equal((await r.manager.status()).state, 'error');
  });

  it('disk: grows a stopped machine with qemu-img resize, refuses to shrink, grows at the next start when running', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    await drive(r.clock, r.manager.stop());
    assert.deepEqual(await r.manager.updateSettings({ diskGiB: 80 }), { restartNeeded: false });
    assert.ok(r.host.runs.some((x) => x.args.join(' ') === `resize ${dir}/data.qcow2 80G`));
    assert.equal(r.host.diskBytes.get(`${dir}/data.qcow2`), 80 * 2 ** 30);

    await assert.rejects(r.manager.updateSettings({ diskGiB: 40 }), (err: MachineError) => {
      assert.equal(err.code, 'disk.shrink_refused');
      assert.match(err.message, /is 80 GiB and cannot shrink to 40 GiB/);
      return true;
    });
    assert.equal((await r.manager.status()).settings.diskGiB, 80);

    await drive(r.clock, r.manager.start());
    assert.deepEqual(await r.manager.updateSettings({ diskGiB: 100, cpus: 6 }), { restartNeeded: true });
    assert.equal(r.host.diskBytes.get(`${dir}/data.qcow2`), 80 * 2 ** 30);
    await drive(r.clock, r.manager.restart());
    assert.equal(r.host.diskBytes.get(`${dir}/data.qcow2`), 100 * 2 ** 30);
    assert.equal(r.host.lastProcess().arg('-smp'), '6');
  });

  it('a later process attaches to the machine an earlier one left running (detached qemu), and stops it', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const qemu = r.host.lastProcess();
    assert.equal(qemu.opts.detached, true);
    const runtime = JSON.parse(r.host.text(`${dir}/runtime.json`) ?? '{}');
    assert.deepEqual([runtime.pid, runtime.sshPort, runtime.accel], [qemu.pid, 40_000, 'kvm']);
    r.host.files.set(`/proc/${qemu.pid}/cmdline`, Buffer.from(qemu.args.join('\0')));

    // "berth status" in another process: a new manager over the same machine dir.
    const later = new MachineManager({
      driver: new QemuDriver({ host: r.host, clock: r.clock, berthHome: home, imageDir }),
      host: r.host,
      settingsFile: `${dir}/settings.json`,
      limits: { cpus: 8, memoryMiB: 16_384 },
    });
    assert.equal((await later.status()).state, 'stopped');
    assert.equal(await drive(r.clock, later.attach()), true);
    const status = await later.status();
    assert.equal(status.state, 'running');
    assert.equal(status.pid, qemu.pid);
    assert.equal(status.endpoint?.ssh?.port, 40_000);
    // start on a running machine takes it over: no second qemu on the same disk.
    await drive(r.clock, later.start());
    assert.equal(r.host.processes.length, 1);

    r.host.onQmp = (_s, command) => {
      if (command === 'system_powerdown') qemu.exit(0);
      return {};
    };
    await drive(r.clock, later.stop());
    assert.equal((await later.status()).state, 'stopped');
    assert.equal(r.host.text(`${dir}/runtime.json`), null);
    assert.equal(await drive(r.clock, later.attach()), false);
  });

  it('a runtime.json whose pid is not our qemu any more is stale: nothing to attach to', async () => {
    const r = rig();
    r.host.files.set(
      `${dir}/runtime.json`,
      Buffer.from(JSON.stringify({ pid: 4242, sshPort: 1, accel: 'kvm' })),
    );
    assert.equal(await drive(r.clock, r.manager.attach()), false);
    assert.equal(r.host.text(`${dir}/runtime.json`), null);
  });

  it('settings out of range are refused', async () => {
    const r = rig();
    await assert.rejects(r.manager.updateSettings({ cpus: 16 }), /this host has 8/);
    await assert.rejects(r.manager.updateSettings({ memoryMiB: 256 }), /at least 512 MiB/);
  });

  it('factory reset: the machine dir goes (disk, key, logs), the settings stay, the next start makes a new one', async () => {
    const r = rig();
    await r.manager.updateSettings({ memoryMiB: 4096 });
    await drive(r.clock, r.manager.start());
    const key = r.host.text(`${dir}/ssh_ed25519.pub`);
    await drive(r.clock, r.manager.reset());
    assert.equal((await r.manager.status()).state, 'stopped');
    assert.equal(r.host.text(`${dir}/data.qcow2`), null);
    assert.equal(r.host.text(`${dir}/serial.log`), null);
    assert.equal(r.host.text(`${dir}/ssh_ed25519`), null);
    assert.equal(r.host.text(imageDir + '/rootfs.img'), 'x');
    assert.equal(JSON.parse(r.host.text(`${dir}/settings.json`) ?? '{}').memoryMiB, 4096);
    await drive(r.clock, r.manager.start());
    assert.notEqual(r.host.text(`${dir}/ssh_ed25519.pub`), key);
    assert.ok(r.host.runs.filter((x) => x.args[0] === 'create').length === 2);
  });
});
