// The native provider: on Linux as root there is no VM; berthd (the built dist/berthd.js bundle) runs on the
// host itself, as the app's managed engine does (electron/main/managed-engine). Its "boot" is the engine
// answering `_ping` on its socket; its console is berthd's log; a reset deletes its data root.
import path from 'node:path';
import { type Clock, sleep, systemClock } from '../clock.ts';
import { FileTail } from '../file-tail.ts';
import type { Host, HostProcess } from '../host.ts';
import { tailLines } from '../machine-dir.ts';
import {
  type DiskInfo,
  type DriverSink,
  MachineError,
  type MachineSettings,
  type StartOptions,
  type VmDriver,
  type VmSession,
} from '../types.ts';
import { describeExit, timedOut, within } from '../wait.ts';

export interface NativeDriverOptions {
  host: Host;
  clock?: Clock;
  /** What runs the bundle: node, or Electron's binary with ELECTRON_RUN_AS_NODE=1 in `env`. */
  node: string;
  /** dist/berthd.js. */
  script: string;
  dataRoot?: string;
  execRoot?: string;
  logFile: string;
  /** Where the running berthd's pid is kept for a later process to attach to. */
  runtimeFile: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** More berthd flags (its own bridge name when beside another engine, a log level…). */
  extraArgs?: string[];
}

/** berthd's command line (the managed engine's). */
export function berthdArgs(script: string, dataRoot: string, execRoot: string): string[] {
  return [
    script,
    '--data-root',
    dataRoot,
    '--exec-root',
    execRoot,
    '-H',
    `unix://${path.join(execRoot, 'docker.sock')}`,
  ];
}

export class NativeDriver implements VmDriver {
  readonly kind = 'native' as const;
  private readonly host: Host;
  private readonly clock: Clock;
  private readonly dataRoot: string;
  private readonly execRoot: string;
  readonly socket: string;
  private readonly runtimeFile: string;

  constructor(private readonly o: NativeDriverOptions) {
    this.host = o.host;
    this.clock = o.clock ?? systemClock;
    this.dataRoot = o.dataRoot ?? '/var/lib/berth';
    this.execRoot = o.execRoot ?? '/run/berth';
    this.socket = path.join(this.execRoot, 'docker.sock');
    this.runtimeFile = o.runtimeFile;
  }

  async start(
    settings: Partial<MachineSettings>,
    sink: DriverSink,
    opts: StartOptions = {},
  ): Promise<VmSession> {
    if (this.host.platform !== 'linux' || !this.host.isRoot) {
      throw new MachineError(
        'native.unsupported',
        'the native provider runs berthd on the host itself, which needs Linux and root; use the qemu provider',
      );
    }
    if (await this.host.pingDocker(this.socket, 1000)) {
      throw new MachineError(
        'native.taken',
        `an engine already answers at ${this.socket}; Berth does not start a second one on the same socket`,
      );
    }
    const offset = (await this.host.readFrom(this.o.logFile, 0)).length;
    await this.host.appendFile(
      this.o.logFile,
      `--- berthd started by Berth at ${new Date(this.clock.now()).toISOString()} ---\n`,
    );
    sink.progress({ kind: 'stage', stage: 'berthd', text: `starting berthd on the host (${this.socket})` });
    const args = [
      ...berthdArgs(this.o.script, this.dataRoot, this.execRoot),
      ...(settings.kubernetes ? ['--kubernetes'] : []),
      ...(this.o.extraArgs ?? []),
    ];
    const proc = this.host.spawn(this.o.node, args, {
      outputFile: this.o.logFile,
      env: this.o.env,
      detached: true,
    });
    const log = new FileTail(this.host, this.clock, this.o.logFile, (line) => sink.log('console', line));
    log.start(offset);
    let exit: string | null = null;
    void proc.exited.then((st) => {
      exit = describeExit(st);
    });
    const deadline = this.clock.now() + (this.o.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (exit !== null) {
        await log.stop();
        throw new MachineError(
          'berthd.exited',
          `berthd ${exit} before it answered`,
          await tailLines(this.host, this.o.logFile, 12),
        );
      }
      if (await this.host.pingDocker(this.socket, 1000)) break;
      if (opts.signal?.aborted || this.clock.now() >= deadline) {
        proc.kill('SIGKILL');
        await within(this.clock, 10_000, proc.exited);
        await log.stop();
        if (opts.signal?.aborted) throw new MachineError('start.cancelled', 'the start was cancelled');
        throw new MachineError(
          'berthd.timeout',
          `berthd did not answer at ${this.socket} within ${(this.o.readyTimeoutMs ?? 60_000) / 1000} s`,
          await tailLines(this.host, this.o.logFile, 12),
        );
      }
      await sleep(this.clock, 200);
    }
    sink.progress({ kind: 'ready', stage: 'ready', text: `berthd answers at ${this.socket}` });
    await this.host.writeFile(this.runtimeFile, `${JSON.stringify({ pid: proc.pid })}\n`);
    return this.session(proc, log, sink);
  }

  /** The berthd an earlier process started (its pid in runtime.json, alive, answering), if any. */
  async attach(sink: DriverSink): Promise<VmSession | null> {
    let pid = 0;
    try {
      pid = (JSON.parse((await this.host.readText(this.runtimeFile)) ?? '') as { pid: number }).pid;
    } catch {
      return null;
    }
    if (!pid || !this.host.alive(pid) || !(await this.host.pingDocker(this.socket, 1000))) {
      await this.host.remove(this.runtimeFile);
      return null;
    }
    const { host, clock } = this;
    // Not our child: its end is seen by polling, its exit status is not known.
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const look = () =>
        host.alive(pid) ? clock.setTimeout(look, 1000) : resolve({ code: null, signal: null });
      look();
    });
    const log = new FileTail(host, clock, this.o.logFile, (line) => sink.log('console', line));
    log.start((await host.readFrom(this.o.logFile, 0)).length);
    sink.log('provider', `attached to the running berthd (pid ${pid})`);
    return this.session({ pid, exited, kill: (signal) => host.kill(pid, signal) }, log, sink);
  }

  private session(proc: HostProcess, log: FileTail, sink: DriverSink): VmSession {
    const clock = this.clock;
    let gone = false;
    const exited = proc.exited.then(async (st) => {
      gone = true;
      await log.stop();
      await this.host.remove(this.runtimeFile);
      return { why: `berthd ${describeExit(st)}`, clean: st.code === 0 };
    });
    const end = async (signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number) => {
      if (gone) return;
      proc.kill(signal);
      if ((await within(clock, timeoutMs, proc.exited)) !== timedOut) return;
      if (signal === 'SIGTERM') {
        sink.log('provider', `berthd did not end within ${timeoutMs / 1000} s of SIGTERM; killing it`);
        return end('SIGKILL', 10_000);
      }
      throw new MachineError('stop.kill_failed', `berthd (pid ${proc.pid}) did not end after SIGKILL`);
    };
    return {
      endpoint: { dockerSocket: this.socket, ssh: null },
      pid: proc.pid,
      accel: 'native',
      exited,
      // Containers outlive berthd under their conmon (live restore), as with the managed engine.
      stop: (timeoutMs) => end('SIGTERM', timeoutMs),
      kill: () => end('SIGKILL', 10_000),
    };
  }

  /** Deletes the engine's data root after unmounting what is still mounted under it. */
  async reset(): Promise<void> {
    const root = path.resolve(this.dataRoot);
    if (root.split(path.sep).filter(Boolean).length < 2) {
      throw new MachineError('reset.unsafe_root', `refusing to delete ${root}`);
    }
    const mounted = async () =>
      ((await this.host.readText('/proc/self/mountinfo')) ?? '')
        .split('\n')
        .map((l) => l.split(' ')[4])
        .filter((p): p is string => Boolean(p))
        .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
        .filter((p) => p === root || p.startsWith(`${root}/`))
        .sort((a, b) => b.length - a.length);
    for (const p of await mounted()) await this.host.run('umount', ['-l', p]);
    const left = (await mounted())[0];
    if (left) throw new MachineError('reset.still_mounted', `${left} is still mounted; nothing was deleted`);
    await this.host.remove(root);
  }

  async disk(): Promise<DiskInfo> {
    return { sizeGiB: null };
  }

  async growDisk(): Promise<void> {
    throw new MachineError(
      'disk.not_applicable',
      'the native provider uses the host disk; it has no disk size',
    );
  }
}
