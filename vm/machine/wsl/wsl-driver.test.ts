import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../native/core/manual-clock.ts';
import { FakeHost } from '../fake-host.ts';
import { MachineManager } from '../manager.ts';
import type { MachineEvent } from '../types.ts';
import { parseWslList, WslDriver, wslCommands, wslPath } from './wsl-driver.ts';

const home = 'C:\\Users\\alice\\.berth';

describe('wsl provider: commands', () => {
  it('import, start, terminate, unregister as WSL takes them', () => {
    assert.deepEqual(wslCommands.import('berth', 'C:\\b\\distro', 'C:\\b\\rootfs.tar'), [
      '--import',
      'berth',
      'C:\\b\\distro',
      'C:\\b\\rootfs.tar',
      '--version',
      '2',
    ]);
    assert.deepEqual(wslCommands.start('berth', ['/opt/berth/bin/berth-init', '--wsl'], '/mnt/c/x.json'), [
      '-d',
      'berth',
      '-u',
      'root',
      '--',
      '/opt/berth/bin/berth-init',
      '--wsl',
      '--config',
      '/mnt/c/x.json',
    ]);
    assert.deepEqual(wslCommands.terminate('berth'), ['--terminate', 'berth']);
    assert.deepEqual(wslCommands.unregister('berth'), ['--unregister', 'berth']);
  });

  it("Windows paths as the distribution sees them; wsl --list's UTF-16 output", () => {
    assert.equal(
      wslPath('C:\\Users\\alice\\.berth\\machines\\wsl\\guest-config.json'),
      '/mnt/c/Users/alice/.berth/machines/wsl/guest-config.json',
    );
    assert.equal(wslPath('D:/data/x'), '/mnt/d/data/x');
    const utf16 = Buffer.from('\uFEFFUbuntu\r\nberth\r\n', 'utf16le').toString('utf8');
    assert.deepEqual(parseWslList(utf16), ['Ubuntu', 'berth']);
  });
});

describe('wsl provider: lifecycle against a FakeHost', () => {
  function rig() {
    const host = new FakeHost();
    host.platform = 'win32';
    const clock = new ManualClock(0);
    let registered = false;
    host.onRun = (cmd, args) => {
      if (cmd !== 'wsl.exe') return null;
      if (args[0] === '--list') {
        return {
          code: 0,
          stdout: Buffer.from(registered ? 'berth\r\n' : 'Ubuntu\r\n', 'utf16le').toString('utf8'),
          stderr: '',
        };
      }
      if (args[0] === '--import') registered = true;
      if (args[0] === '--unregister') registered = false;
      if (args[0] === '--terminate') for (const p of host.processes) p.exit(1);
      return { code: 0, stdout: '', stderr: '' };
    };
    const driver = new WslDriver({ host, clock, berthHome: home, rootfsTar: 'C:\\app\\rootfs.tar' });
    const manager = new MachineManager({
      driver,
      host,
      settingsFile: `${driver.paths.dir}/settings.json`,
      limits: { cpus: 8, memoryMiB: 16_384 },
    });
    const events: MachineEvent[] = [];
    manager.on((e) => events.push(e));
    host.onSpawn = (p) => {
      const out = p.opts.outputFile as string;
      host.append(out, 'stage init wsl\nberthd: listening\nstage berthd starting\nready berthd\n');
    };
    return { host, clock, driver, manager, events };
  }

  async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    for (let t = 0; !settled && t < 300_000; t += 100) await clock.advance(100);
    return watched;
  }

  it('imports once, starts the init with its config path, runs; stop terminates; reset unregisters', async () => {
    const r = rig();
    await drive(r.clock, r.manager.start());
    const calls = () => r.host.runs.map((x) => x.args[0]);
    assert.deepEqual(calls(), ['--list', '--import']);
    const p = r.host.lastProcess();
    assert.equal(p.command, 'wsl.exe');
    assert.deepEqual(p.args.slice(0, 5), ['-d', 'berth', '-u', 'root', '--']);
    assert.equal(p.args.at(-1), '/mnt/c/Users/alice/.berth/machines/wsl/guest-config.json');
    const status = await r.manager.status();
    assert.equal(status.state, 'running');
    assert.equal(status.endpoint?.ssh?.host, '127.0.0.1');
    const config = JSON.parse(r.host.text(`${r.driver.paths.guestConfig}`) ?? '{}');
    assert.equal(config.sshPort, status.endpoint?.ssh?.port);
    assert.ok(r.events.some((e) => e.type === 'log' && e.line === 'berthd: listening'));

    await drive(r.clock, r.manager.stop());
    assert.equal(r.host.runs.at(-1)?.args[0], '--terminate');
    await drive(r.clock, r.manager.start());
    assert.equal(calls().filter((c) => c === '--import').length, 1);
    await drive(r.clock, r.manager.reset());
    assert.deepEqual(calls().slice(-3), ['--list', '--terminate', '--unregister']);
    assert.equal((await r.manager.status()).state, 'stopped');
  });

  it('an init that never says ready: terminated after the timeout, error with its output', async () => {
    const r = rig();
    r.host.onSpawn = (p) => r.host.append(p.opts.outputFile as string, 'stage network waiting for eth0\n');
    await assert.rejects(drive(r.clock, r.manager.start()), /did not get ready within 120 s/);
    assert.equal(r.host.runs.at(-1)?.args[0], '--terminate');
    assert.match((await r.manager.status()).reason ?? '', /stage network waiting for eth0/);
  });
});
