// A Host for unit tests: files in memory, processes the test drives by hand (exit, write their output),
// qemu-img answered from the sizes it recorded, QMP calls recorded and answered by a handler.

import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExitStatus, Host, HostProcess, RunResult, SpawnOptions } from './host.ts';

export class FakeProcess implements HostProcess {
  readonly exited: Promise<ExitStatus>;
  readonly signals: string[] = [];
  /** What SIGTERM does (qemu and berthd end on it; a hung one does not). */
  endsOnTerm = true;
  /** What SIGKILL does (false: a process stuck in the kernel). */
  endsOnKill = true;
  private done = false;
  private resolveExit: (s: ExitStatus) => void = () => undefined;

  constructor(
    readonly pid: number,
    readonly command: string,
    readonly args: string[],
    readonly opts: SpawnOptions,
  ) {
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  get running(): boolean {
    return !this.done;
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit({ code, signal });
  }

  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' ? this.endsOnKill : this.endsOnTerm) this.exit(null, signal);
  }

  /** The value of an option (`-accel kvm` → `kvm`). */
  arg(option: string): string | undefined {
    const i = this.args.indexOf(option);
    return i >= 0 ? this.args[i + 1] : undefined;
  }
}

export class FakeHost implements Host {
  platform: 'linux' | 'darwin' | 'win32' = 'linux';
  arch: 'x64' | 'arm64' = 'x64';
  isRoot = false;
  homedir = '/home/alice';
  kernelRelease = '6.1.0-test';

  readonly files = new Map<string, Buffer>();
  /** Paths readable and writable by us (exists() also holds for them): `/dev/kvm`. */
  readonly devices = new Set<string>();
  readonly onPath = new Map<string, string>();
  readonly processes: FakeProcess[] = [];
  readonly runs: { command: string; args: string[] }[] = [];
  readonly qmpCalls: { socket: string; command: string }[] = [];
  /** Answers QMP; throws to say qemu does not listen. */
  onQmp: (socket: string, command: string) => unknown = () => ({});
  /** Called at each spawn, after the process is recorded. */
  onSpawn: (p: FakeProcess) => void = () => undefined;
  onRun: ((command: string, args: string[]) => RunResult | null) | null = null;
  /** Sockets where a Docker API answers. */
  readonly dockerSockets = new Set<string>();
  private nextPid = 1000;
  private nextPort = 40_000;

  /** Virtual sizes of the qcow2 disks qemu-img made or resized, in bytes. */
  readonly diskBytes = new Map<string, number>();

  text(file: string): string | null {
    return this.files.get(file)?.toString('utf8') ?? null;
  }

  append(file: string, data: string): void {
    this.files.set(file, Buffer.concat([this.files.get(file) ?? Buffer.alloc(0), Buffer.from(data)]));
  }

  lastProcess(): FakeProcess {
    const p = this.processes.at(-1);
    if (!p) throw new Error('nothing was spawned');
    return p;
  }

  async readText(file: string) {
    return this.text(file);
  }
  async readFrom(file: string, offset: number) {
    const buf = this.files.get(file);
    return buf && buf.length > offset ? Buffer.from(buf.subarray(offset)) : Buffer.alloc(0);
  }
  async writeFile(file: string, data: string | Buffer) {
    this.files.set(file, Buffer.from(data));
  }
  async gunzipFile(source: string, file: string) {
    const packed = this.files.get(source);
    if (!packed) throw Object.assign(new Error(`ENOENT: no such file, open '${source}'`), { code: 'ENOENT' });
    this.files.set(file, gunzipSync(packed));
  }
  async appendFile(file: string, data: string) {
    this.append(file, data);
  }
  async exists(file: string) {
    if (this.files.has(file) || this.devices.has(file)) return true;
    const prefix = `${file}/`;
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  async readWrite(file: string) {
    return this.devices.has(file);
  }
  async mkdir(_dir: string) {}
  async remove(file: string) {
    const prefix = `${file}/`;
    for (const k of [...this.files.keys()]) if (k === file || k.startsWith(prefix)) this.files.delete(k);
    for (const k of [...this.diskBytes.keys()])
      if (k === file || k.startsWith(prefix)) this.diskBytes.delete(k);
  }

  async which(command: string) {
    return this.onPath.get(command) ?? null;
  }

  async run(command: string, args: string[]): Promise<RunResult> {
    this.runs.push({ command, args });
    const answered = this.onRun?.(command, args);
    if (answered) return answered;
    if (path.basename(command) === 'qemu-img') return this.qemuImg(args);
    return { code: 127, stdout: '', stderr: `${command}: not found` };
  }

  spawn(command: string, args: string[], opts: SpawnOptions = {}): HostProcess {
    const p = new FakeProcess(this.nextPid++, command, args, opts);
    this.processes.push(p);
    this.onSpawn(p);
    return p;
  }

  alive(pid: number) {
    return this.processes.some((p) => p.pid === pid && p.running);
  }
  kill(pid: number, signal: 'SIGTERM' | 'SIGKILL') {
    this.processes.find((p) => p.pid === pid)?.kill(signal);
  }

  async qmp(socket: string, command: string) {
    this.qmpCalls.push({ socket, command });
    return this.onQmp(socket, command);
  }
  async freePort() {
    return this.nextPort++;
  }
  async pingDocker(socket: string) {
    return this.dockerSockets.has(socket);
  }

  /** qemu-img create / resize / info, as far as the driver uses it. */
  private qemuImg(args: string[]): RunResult {
    const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
    const size = (s: string) => Number.parseInt(s, 10) * 2 ** 30;
    const [sub] = args;
    if (sub === 'create') {
      const file = args.at(-2) as string;
      this.files.set(file, Buffer.from('QFI\xfb'));
      this.diskBytes.set(file, size(args.at(-1) as string));
      return ok();
    }
    if (sub === 'resize') {
      const [, file, to] = args;
      const before = this.diskBytes.get(file);
      if (before === undefined) return { code: 1, stdout: '', stderr: `Could not open '${file}'` };
      if (size(to) < before)
        return { code: 1, stdout: '', stderr: 'Use the --shrink option to perform a shrink operation.' };
      this.diskBytes.set(file, size(to));
      return ok('Image resized.\n');
    }
    if (sub === 'info') {
      const file = args.at(-1) as string;
      const bytes = this.diskBytes.get(file);
      if (bytes === undefined) return { code: 1, stdout: '', stderr: `Could not open '${file}'` };
      return ok(JSON.stringify({ 'virtual-size': bytes, format: 'qcow2' }));
    }
    return { code: 1, stdout: '', stderr: `qemu-img ${sub}: not faked` };
  }
}
