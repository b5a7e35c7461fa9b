// The wsl provider (Windows): the same root filesystem, as a tarball, imported as a WSL2 distribution named
// `berth`; its init started with `wsl -d berth -u root -- <init>`, which prints the same progress lines as
// the VM's `berth.progress` port on its stdout. WSL2 runs every distribution in one utility VM that
// Windows starts and sizes itself, so CPUs, memory and the disk are WSL's (.wslconfig), not ours; WSL2
// forwards the distribution's localhost ports to Windows' 127.0.0.1, so SSH is reached as with qemu.
//
// Tested here through its command construction and against a FakeHost; no Windows machine ran it.
import path from 'node:path';
import { type Clock, systemClock } from '../clock.ts';
import { FileTail } from '../file-tail.ts';
import type { Host } from '../host.ts';
import {
  ensureSshKey,
  type GuestConfig,
  type MachinePaths,
  machinePaths,
  tailLines,
} from '../machine-dir.ts';
import { parseProgress } from '../progress.ts';
import {
  type DiskInfo,
  type DriverSink,
  MachineError,
  type MachineSettings,
  type ProgressLine,
  type StartOptions,
  type VmDriver,
  type VmSession,
} from '../types.ts';
import { describeExit, timedOut, within } from '../wait.ts';

export interface WslDriverOptions {
  host: Host;
  clock?: Clock;
  berthHome: string;
  /** The root filesystem as a tarball (the image builder's rootfs, as tar). */
  rootfsTar: string;
  distro?: string;
  wsl?: string;
  /** The guest init in its WSL mode (no disks to mount: WSL's own ext4 is the root). */
  init?: string[];
  readyTimeoutMs?: number;
  tailIntervalMs?: number;
}

export const defaultWslInit = ['/opt/berth/bin/berth-init', '--wsl'];

export const wslCommands = {
  list: (): string[] => ['--list', '--quiet'],
  import: (distro: string, installDir: string, tar: string): string[] => [
    '--import',
    distro,
    installDir,
    tar,
    '--version',
    '2',
  ],
  start: (distro: string, init: string[], configPath: string): string[] => [
    '-d',
    distro,
    '-u',
    'root',
    '--',
    ...init,
    '--config',
    configPath,
  ],
  terminate: (distro: string): string[] => ['--terminate', distro],
  unregister: (distro: string): string[] => ['--unregister', distro],
};

/** `C:\Users\a\x` → `/mnt/c/Users/a/x`: a Windows path as the distribution sees it (WSL's automount). */
export function wslPath(windowsPath: string): string {
  const m = /^([A-Za-z]):[\\/](.*)$/.exec(windowsPath);
  if (!m) return windowsPath.replace(/\\/g, '/');
  return `/mnt/${m[1].toLowerCase()}/${m[2].replace(/\\/g, '/')}`;
}

/** `wsl --list --quiet` prints UTF-16LE; read as UTF-8 it has a NUL after each character. */
export function parseWslList(stdout: string): string[] {
  return (
    stdout
      // A byte-order mark, whole or as the two replacement characters its bytes become in UTF-8.
      .replace(/[\0\uFEFF\uFFFD]/g, '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
  );
}

export class WslDriver implements VmDriver {
  readonly kind = 'wsl' as const;
  readonly paths: MachinePaths;
  private readonly host: Host;
  private readonly clock: Clock;
  private readonly distro: string;
  private readonly wsl: string;

  constructor(private readonly o: WslDriverOptions) {
    this.host = o.host;
    this.clock = o.clock ?? systemClock;
    this.distro = o.distro ?? 'berth';
    this.wsl = o.wsl ?? 'wsl.exe';
    this.paths = machinePaths(o.berthHome, 'wsl');
  }

  private get installDir(): string {
    return path.join(this.paths.dir, 'distro');
  }

  private get consoleLog(): string {
    return path.join(this.paths.dir, 'console.log');
  }

  async start(settings: MachineSettings, sink: DriverSink, opts: StartOptions = {}): Promise<VmSession> {
    if (this.host.platform !== 'win32') {
      throw new MachineError('wsl.unsupported', 'the wsl provider runs on Windows only');
    }
    await this.host.mkdir(this.paths.dir);
    if (!(await this.registered())) {
      sink.progress({
        kind: 'stage',
        stage: 'import',
        text: `importing ${this.o.rootfsTar} as WSL2 distribution ${this.distro}`,
      });
      await this.wslOk(wslCommands.import(this.distro, this.installDir, this.o.rootfsTar), 'import', 300_000);
    }
    const key = await ensureSshKey(this.host, this.paths);
    const sshPort = await this.host.freePort();
    const config: GuestConfig & { sshPort: number } = {
      hostname: 'berth',
      sshAuthorizedKey: key,
      timeMs: this.clock.now(),
      // WSL mounts Windows' drives itself (/mnt/c): the home is there already.
      share: null,
      kubernetes: settings.kubernetes,
      dockerTcpPort: 2375,
      // All WSL2 distributions share one network namespace: port 22 may be another's.
      sshPort,
    };
    await this.host.writeFile(this.paths.guestConfig, `${JSON.stringify(config, null, 2)}\n`);
    await this.host.remove(this.consoleLog);

    const proc = this.host.spawn(
      this.wsl,
      wslCommands.start(this.distro, this.o.init ?? defaultWslInit, wslPath(this.paths.guestConfig)),
      { outputFile: this.consoleLog },
    );
    let settle: (o: {
      kind: 'ready' | 'error' | 'exited' | 'timeout' | 'aborted';
      line?: ProgressLine;
      why?: string;
    }) => void = () => undefined;
    const outcome = new Promise<Parameters<typeof settle>[0]>((resolve) => {
      settle = resolve;
    });
    const tail = new FileTail(
      this.host,
      this.clock,
      this.consoleLog,
      (raw) => {
        const line = parseProgress(raw);
        if (!line) return sink.log('console', raw);
        sink.progress(line);
        if (line.kind === 'ready') settle({ kind: 'ready' });
        if (line.kind === 'error') settle({ kind: 'error', line });
      },
      this.o.tailIntervalMs,
    );
    tail.start();
    void proc.exited.then((st) => settle({ kind: 'exited', why: describeExit(st) }));
    const readyMs = this.o.readyTimeoutMs ?? 120_000;
    const timer = this.clock.setTimeout(() => settle({ kind: 'timeout' }), readyMs);
    const onAbort = () => settle({ kind: 'aborted' });
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) onAbort();
    const result = await outcome;
    timer.cancel();
    opts.signal?.removeEventListener('abort', onAbort);
    if (result.kind !== 'ready') {
      await this.terminate();
      await within(this.clock, 10_000, proc.exited);
      await tail.stop();
      const last = await tailLines(this.host, this.consoleLog, 12);
      if (result.kind === 'aborted') throw new MachineError('start.cancelled', 'the start was cancelled');
      if (result.kind === 'error') {
        const line = result.line as ProgressLine;
        throw new MachineError(
          'boot.guest_error',
          `the guest's ${line.stage} step failed: ${line.text}`,
          last,
        );
      }
      if (result.kind === 'exited') {
        throw new MachineError('wsl.exited', `wsl ${result.why} before the machine was ready`, last);
      }
      throw new MachineError(
        'boot.timeout',
        `the WSL machine did not get ready within ${readyMs / 1000} s`,
        last,
      );
    }

    let gone = false;
    const exited = proc.exited.then(async (st) => {
      gone = true;
      await tail.stop();
      return { why: `wsl ${describeExit(st)}`, clean: false };
    });
    const end = async (timeoutMs: number) => {
      if (gone) return;
      await this.terminate();
      if ((await within(this.clock, timeoutMs, proc.exited)) === timedOut) {
        proc.kill('SIGKILL');
        await within(this.clock, 10_000, proc.exited);
      }
    };
    return {
      endpoint: {
        dockerSocket: null,
        ssh: {
          host: '127.0.0.1',
          port: sshPort,
          user: 'root',
          privateKeyFile: this.paths.sshKey,
          knownHostFile: this.paths.sshKnownHost,
        },
      },
      pid: proc.pid,
      accel: 'wsl2',
      exited,
      stop: end,
      kill: () => end(10_000),
    };
  }

  async reset(): Promise<void> {
    if (await this.registered()) {
      await this.terminate();
      await this.wslOk(wslCommands.unregister(this.distro), 'unregister', 120_000);
    }
    await this.host.remove(this.paths.dir);
  }

  /** WSL's disk is a sparse vhdx that grows by itself up to WSL's limit: nothing for Berth to size. */
  async disk(): Promise<DiskInfo> {
    return { sizeGiB: null };
  }

  async growDisk(): Promise<void> {
    throw new MachineError('disk.not_applicable', "WSL sizes its own disk (see WSL's .wslconfig)");
  }

  private async registered(): Promise<boolean> {
    const r = await this.host.run(this.wsl, wslCommands.list(), { timeoutMs: 30_000 });
    return r.code === 0 && parseWslList(r.stdout).includes(this.distro);
  }

  private async terminate(): Promise<void> {
    await this.host.run(this.wsl, wslCommands.terminate(this.distro), { timeoutMs: 30_000 });
  }

  private async wslOk(args: string[], what: string, timeoutMs: number): Promise<void> {
    const r = await this.host.run(this.wsl, args, { timeoutMs });
    if (r.code !== 0) {
      const said = (r.stderr || r.stdout).replace(/\0/g, '').trim();
      throw new MachineError(
        `wsl.${what}_failed`,
        `wsl ${args.join(' ')}: ${said || `exit status ${r.code}`}`,
      );
    }
  }
}
