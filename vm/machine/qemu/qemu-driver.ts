// The qemu provider: prepares the machine dir (key, data disk, guest config), picks the accelerator, boots
// qemu and follows its console and the guest's progress channel until the guest says `ready`. A hardware
// accelerator whose guest stays silent (or whose qemu dies before the guest prints a line) is given up for
// TCG at once, with a notice, and remembered. Every wait ends: in `ready`, or in a MachineError with the
// reason and the console's last lines.
import path from 'node:path';
import { type Clock, systemClock } from '../clock.ts';
import { FileTail } from '../file-tail.ts';
import { guestEnv } from '../guest-env.ts';
import type { Host, HostProcess } from '../host.ts';
import {
  ensureSshKey,
  type GuestConfig,
  type MachinePaths,
  machinePaths,
  tailLines,
} from '../machine-dir.ts';
import { parseProgress } from '../progress.ts';
import { checkDiskChange } from '../settings.ts';
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
import { describeExit, within } from '../wait.ts';
import { brokenVerdict, forgetBroken, hardwareAccel, rememberBroken, verdictFile } from './accel.ts';
import { kernelForQemu, readImage } from './image.ts';
import {
  type Accel,
  type HomeShare,
  type QemuPlan,
  qemuArgs,
  qemuBinaryName,
  type Virtiofsd,
  type VmImage,
  virtiofsdArgs,
} from './qemu-command.ts';
import { qemuSession, sshEndpoint } from './qemu-session.ts';

export interface QemuDriverOptions {
  host: Host;
  clock?: Clock;
  /** `~/.berth`: machines live in `<berthHome>/machines/<name>/`. */
  berthHome: string;
  name?: string;
  /** The image builder's output: manifest.json and the files it names. */
  imageDir: string;
  /** Searched for qemu-system-*, qemu-img and virtiofsd before PATH (the app's bundled binaries). */
  binDirs?: string[];
  /** How long a hardware-accelerated guest may print nothing before it counts as not running. */
  accelProbeMs?: number;
  /** From qemu's start to the guest's `ready`. */
  bootTimeoutMs?: { accel: number; tcg: number };
  tailIntervalMs?: number;
  dockerTcpPort?: number;
}

const console10 = 12;
/**
 * The guest's step by which its SSH server runs: the boot starts it as its last step (boot.sh), and
 * init then starts berthd, whose script says this stage first. From here the host may connect while
 * berthd starts (its Node start is most of the boot's last seconds under TCG).
 */
const sshUpStage = 'berthd';

/** How often the console and progress files are read once the machine runs. */
const runningTailMs = 1000;
/**
 * How often the progress file is read during a boot: its `ready` ends the start, so it is looked for
 * every 50 ms (a read of a few bytes), not every 200 ms like the console.
 */
const bootProgressTailMs = 50;
const qemuLogMaxBytes = 1024 * 1024;
const legacyVirtiofsd = '/usr/lib/qemu/virtiofsd';

/** What runtime.json holds while the machine runs. */
interface Runtime {
  pid: number;
  sshPort: number;
  accel: string;
  startedAtMs: number;
}

/** The guest never ran under the hardware accelerator: the caller starts it again under TCG. */
class AccelDoesNotRun extends Error {}

interface BootOutcome {
  kind: 'ready' | 'exited' | 'silent' | 'timeout' | 'guest-error' | 'aborted';
  status?: { code: number | null; signal: string | null };
  line?: ProgressLine;
}

export class QemuDriver implements VmDriver {
  readonly kind = 'qemu' as const;
  readonly paths: MachinePaths;
  private readonly host: Host;
  private readonly clock: Clock;

  constructor(private readonly o: QemuDriverOptions) {
    this.host = o.host;
    this.clock = o.clock ?? systemClock;
    this.paths = machinePaths(o.berthHome, o.name ?? 'default');
  }

  async start(settings: MachineSettings, sink: DriverSink, opts: StartOptions = {}): Promise<VmSession> {
    const found = await readImage(this.host, this.o.imageDir);
    const binary = qemuBinaryName(found.arch, this.host.platform);
    const qemu = await this.findBinary(binary);
    if (!qemu) {
      throw new MachineError(
        'qemu.missing',
        `${binary} was not found${this.o.binDirs?.length ? ` in ${this.o.binDirs.join(', ')} or` : ''} on PATH: ` +
          `install qemu (Debian/Ubuntu: apt-get install ${found.arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm'} qemu-utils; macOS: brew install qemu)`,
      );
    }
    await this.host.mkdir(this.paths.dir);
    await this.endStale(sink);
    // A new machine's kernel is unpacked (a third of a second of zlib) while its key and disk are made.
    const [kernel, { key, share }] = await Promise.all([
      kernelForQemu(this.host, found, this.paths),
      (async () => {
        const key = await ensureSshKey(this.host, this.paths);
        await this.prepareDisk(settings.diskGiB);
        return { key, share: settings.shareHome ? await this.homeShare() : null };
      })(),
    ]);
    const image = { ...found, kernel };
    const config: GuestConfig = {
      hostname: 'berth',
      sshAuthorizedKey: key,
      timeMs: this.clock.now(),
      share: share ? { tag: share.tag, path: share.path, type: share.type } : null,
      kubernetes: settings.kubernetes,
      dockerTcpPort: this.o.dockerTcpPort ?? 2375,
    };
    await this.host.writeFile(this.paths.guestConfig, `${JSON.stringify(config, null, 2)}\n`);
    await this.host.writeFile(this.paths.guestEnv, guestEnv(config));

    const accel = await this.chooseAccel(image, sink, opts);
    const plan = { name: this.o.name ?? 'default', image, settings, paths: this.paths, share };
    if (accel === 'tcg') return this.boot(qemu, { ...plan, accel, sshPort: 0 }, sink, false, opts.signal);
    try {
      return await this.boot(qemu, { ...plan, accel, sshPort: 0 }, sink, true, opts.signal);
    } catch (err) {
      if (!(err instanceof AccelDoesNotRun)) throw err;
      await rememberBroken(this.host, verdictFile(this.o.berthHome), {
        accel,
        kernelRelease: this.host.kernelRelease,
        atMs: this.clock.now(),
        reason: err.message,
      });
      sink.notice(
        'warning',
        'accel.fallback',
        `${accel.toUpperCase()} is present but does not run guests on this host (${err.message}). ` +
          'Berth restarted the machine under TCG, software emulation: it works, but much slower ' +
          '(a boot takes tens of seconds instead of a few, and containers run several times slower). ' +
          `Later starts use TCG directly; \`berth start --retry-accel\` tries ${accel.toUpperCase()} again.`,
      );
      return this.boot(qemu, { ...plan, accel: 'tcg', sshPort: 0 }, sink, false, opts.signal);
    }
  }

  /** The qemu of this machine that an earlier process started (runtime.json, a live pid of ours), if any. */
  async attach(sink: DriverSink): Promise<VmSession | null> {
    const p = this.paths;
    let runtime: Runtime;
    try {
      runtime = JSON.parse((await this.host.readText(p.runtime)) ?? '') as Runtime;
    } catch {
      return null;
    }
    if (!(await this.ours(runtime.pid))) {
      await this.host.remove(p.runtime);
      return null;
    }
    const { host, clock } = this;
    // Not our child: its end is seen by polling, and its exit status is not known.
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const look = () =>
        host.alive(runtime.pid) ? clock.setTimeout(look, 1000) : resolve({ code: null, signal: null });
      look();
    });
    const proc: HostProcess = { pid: runtime.pid, exited, kill: (signal) => host.kill(runtime.pid, signal) };
    const follow = (file: string, onLine: (line: string) => void) => {
      const tail = new FileTail(host, clock, file, onLine, runningTailMs);
      return host.readFrom(file, 0).then((b) => {
        tail.start(b.length);
        return tail;
      });
    };
    const serial = await follow(p.serialLog, (line) => sink.log('console', line));
    const progress = await follow(p.progressLog, (raw) => {
      const line = parseProgress(raw);
      if (line) sink.progress(line);
    });
    sink.log(
      'provider',
      `attached to the running machine (qemu pid ${runtime.pid}, SSH on 127.0.0.1:${runtime.sshPort})`,
    );
    const tails = async () => {
      await serial.stop();
      await progress.stop();
    };
    return qemuSession({ host, clock, paths: p, proc, virtiofsd: null, sink, tails, ...runtime });
  }

  /** Whether pid is a live qemu of this machine (its command line names the machine dir). */
  private async ours(pid: number): Promise<boolean> {
    if (!pid || !this.host.alive(pid)) return false;
    if (this.host.platform !== 'linux') return true;
    const cmdline = await this.host.readText(`/proc/${pid}/cmdline`);
    return Boolean(cmdline?.includes(this.paths.dir));
  }

  async reset(): Promise<void> {
    await this.endStale(null);
    await this.host.remove(this.paths.dir);
  }

  async disk(): Promise<DiskInfo> {
    if (!(await this.host.exists(this.paths.dataDisk))) return { sizeGiB: null };
    const img = await this.qemuImg();
    // -U: the image may be open in a running qemu, which holds its lock.
    const r = await this.host.run(img, ['info', '-U', '--output=json', this.paths.dataDisk], {
      timeoutMs: 30_000,
    });
    if (r.code !== 0) {
      throw new MachineError('disk.info_failed', `qemu-img info ${this.paths.dataDisk}: ${r.stderr.trim()}`);
    }
    const bytes = (JSON.parse(r.stdout) as { 'virtual-size': number })['virtual-size'];
    return { sizeGiB: bytes / 2 ** 30 };
  }

  async growDisk(sizeGiB: number): Promise<void> {
    const { sizeGiB: current } = await this.disk();
    if (checkDiskChange(current, sizeGiB) !== 'grow') return;
    const img = await this.qemuImg();
    const r = await this.host.run(img, ['resize', this.paths.dataDisk, `${sizeGiB}G`], { timeoutMs: 60_000 });
    if (r.code !== 0) {
      throw new MachineError(
        'disk.resize_failed',
        `cannot grow ${this.paths.dataDisk} to ${sizeGiB} GiB: ${r.stderr.trim() || r.stdout.trim()}`,
      );
    }
  }

  private async prepareDisk(sizeGiB: number): Promise<void> {
    if (await this.host.exists(this.paths.dataDisk)) return this.growDisk(sizeGiB);
    const img = await this.qemuImg();
    const r = await this.host.run(img, ['create', '-f', 'qcow2', this.paths.dataDisk, `${sizeGiB}G`], {
      timeoutMs: 60_000,
    });
    if (r.code !== 0) {
      throw new MachineError(
        'disk.create_failed',
        `qemu-img create ${this.paths.dataDisk}: ${r.stderr.trim()}`,
      );
    }
  }

  private async qemuImg(): Promise<string> {
    const name = this.host.platform === 'win32' ? 'qemu-img.exe' : 'qemu-img';
    const found = await this.findBinary(name);
    if (!found) {
      throw new MachineError(
        'qemu.missing',
        `${name} was not found: install qemu (Debian: apt-get install qemu-utils)`,
      );
    }
    return found;
  }

  private async findBinary(name: string): Promise<string | null> {
    for (const dir of this.o.binDirs ?? []) {
      const candidate = path.join(dir, name);
      if (await this.host.exists(candidate)) return candidate;
    }
    return this.host.which(name);
  }

  /** virtiofs where a virtiofsd exists (Linux), else 9p. */
  private async homeShare(): Promise<HomeShare> {
    const base = { path: this.host.homedir, tag: 'home' };
    if (this.host.platform === 'linux' && (await this.virtiofsd())) return { ...base, type: 'virtiofs' };
    return { ...base, type: '9p', securityModel: this.host.isRoot ? 'passthrough' : 'mapped-xattr' };
  }

  private async virtiofsd(): Promise<Virtiofsd | null> {
    const found =
      (await this.findBinary('virtiofsd')) ??
      ((await this.host.exists('/usr/libexec/virtiofsd')) ? '/usr/libexec/virtiofsd' : null);
    if (found) return { path: found, flavour: found === legacyVirtiofsd ? 'c' : 'rust' };
    // The C one cannot run without root.
    if (this.host.isRoot && (await this.host.exists(legacyVirtiofsd)))
      return { path: legacyVirtiofsd, flavour: 'c' };
    return null;
  }

  private async chooseAccel(image: VmImage, sink: DriverSink, opts: StartOptions): Promise<Accel> {
    const hw = await hardwareAccel(this.host, image.arch);
    if (!hw.accel) {
      sink.notice(
        'warning',
        'accel.none',
        `No hardware acceleration (${hw.why}): the machine runs under TCG, software emulation, which is much slower.`,
      );
      return 'tcg';
    }
    const file = verdictFile(this.o.berthHome);
    if (opts.retryAccel) await forgetBroken(this.host, file, hw.accel);
    const verdict = await brokenVerdict(this.host, file, hw.accel);
    if (!verdict) return hw.accel;
    sink.notice(
      'warning',
      'accel.fallback',
      `${hw.accel.toUpperCase()} did not run guests on this host before (${verdict.reason}): the machine runs under TCG, ` +
        `software emulation, which is much slower. \`berth start --retry-accel\` tries ${hw.accel.toUpperCase()} again.`,
    );
    return 'tcg';
  }

  /** A qemu of this machine left running by an app that went away (its pid file), ended before a new one. */
  private async endStale(sink: DriverSink | null): Promise<void> {
    const pid = Number.parseInt((await this.host.readText(this.paths.pidFile))?.trim() ?? '', 10);
    if (!(await this.ours(pid))) return;
    sink?.log('provider', `ending the qemu (pid ${pid}) left running by an earlier start`);
    this.host.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && this.host.alive(pid); i++) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 100));
    }
  }

  private async boot(
    qemu: string,
    plan: QemuPlan,
    sink: DriverSink,
    probe: boolean,
    signal?: AbortSignal,
  ): Promise<VmSession> {
    if (signal?.aborted) throw new MachineError('start.cancelled', 'the start was cancelled');
    const p = this.paths;
    for (const f of [p.serialLog, p.progressLog, p.qmpSocket, p.pidFile, p.virtiofsSocket])
      await this.host.remove(f);
    plan.sshPort = await this.host.freePort();
    const args = qemuArgs(plan);
    // qemu.log keeps the command lines of earlier starts, up to a point.
    if ((await this.host.readFrom(p.qemuLog, 0)).length > qemuLogMaxBytes) await this.host.remove(p.qemuLog);
    const logStart = (await this.host.readFrom(p.qemuLog, 0)).length;
    const stamp = new Date(this.clock.now()).toISOString();
    await this.host.appendFile(p.qemuLog, `--- ${stamp} ${qemu} ${args.join(' ')}\n`);
    sink.log(
      'provider',
      `starting qemu (${plan.accel}, ${plan.settings.cpus} CPUs, ${plan.settings.memoryMiB} MiB)`,
    );

    const virtiofsd = plan.share?.type === 'virtiofs' ? await this.startVirtiofsd(plan.share) : null;
    const proc = this.host.spawn(qemu, args, { outputFile: p.qemuLog, detached: true });

    let guestRuns = false;
    let lastStage = '';
    let reachable = false;
    let settle: (o: BootOutcome) => void = () => undefined;
    const outcome = new Promise<BootOutcome>((resolve) => {
      settle = resolve;
    });
    const serial = new FileTail(
      this.host,
      this.clock,
      p.serialLog,
      (line) => {
        if (/Linux version/.test(line)) guestRuns = true;
        sink.log('console', line);
      },
      this.o.tailIntervalMs,
    );
    const progress = new FileTail(
      this.host,
      this.clock,
      p.progressLog,
      (raw) => {
        const line = parseProgress(raw);
        if (!line) return;
        guestRuns = true;
        sink.progress(line);
        if (line.kind === 'stage') lastStage = line.stage;
        if (line.kind === 'stage' && line.stage === sshUpStage && !reachable) {
          reachable = true;
          sink.reachable(sshEndpoint(p, plan.sshPort));
        }
        if (line.kind === 'ready') settle({ kind: 'ready' });
        if (line.kind === 'error') settle({ kind: 'guest-error', line });
      },
      this.o.tailIntervalMs ?? bootProgressTailMs,
    );
    serial.start();
    progress.start();
    const tails = async () => {
      await serial.stop();
      await progress.stop();
    };

    void proc.exited.then((status) => settle({ kind: 'exited', status }));
    const onAbort = () => settle({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort);
    const probeMs = this.o.accelProbeMs ?? 6000;
    const probeTimer = probe
      ? this.clock.setTimeout(() => {
          // One last look first: the line may be in the file and not read yet.
          void serial.poll().then(() => {
            if (!guestRuns) settle({ kind: 'silent' });
          });
        }, probeMs)
      : null;
    const limits = this.o.bootTimeoutMs ?? { accel: 120_000, tcg: 600_000 };
    const bootMs = plan.accel === 'tcg' ? limits.tcg : limits.accel;
    const bootTimer = this.clock.setTimeout(() => settle({ kind: 'timeout' }), bootMs);
    const result = await outcome;
    probeTimer?.cancel();
    bootTimer.cancel();
    signal?.removeEventListener('abort', onAbort);

    const endNow = async () => {
      proc.kill('SIGKILL');
      await within(this.clock, 10_000, proc.exited);
      virtiofsd?.kill('SIGKILL');
      await tails();
    };
    const consoleTail = () => tailLines(this.host, p.serialLog, console10);

    if (result.kind === 'ready') {
      // The console up to the ready line is in the log before the start ends (its tail looks less often).
      await serial.poll();
      serial.setInterval(runningTailMs);
      progress.setInterval(runningTailMs);
      sink.log('provider', `the machine is ready (qemu pid ${proc.pid}, SSH on 127.0.0.1:${plan.sshPort})`);
      const runtime: Runtime = {
        pid: proc.pid,
        sshPort: plan.sshPort,
        accel: plan.accel,
        startedAtMs: this.clock.now(),
      };
      await this.host.writeFile(p.runtime, `${JSON.stringify(runtime)}\n`);
      return qemuSession({
        host: this.host,
        clock: this.clock,
        paths: p,
        proc,
        virtiofsd,
        sink,
        tails,
        ...runtime,
      });
    }
    if (result.kind === 'silent') {
      await endNow();
      throw new AccelDoesNotRun(`its console stayed silent for ${probeMs / 1000} s under ${plan.accel}`);
    }
    if (result.kind === 'exited') {
      await tails();
      virtiofsd?.kill('SIGKILL');
      const qemuSaid = (await this.host.readFrom(p.qemuLog, logStart)).toString('utf8').split('\n').slice(1);
      const said = qemuSaid.filter((l) => l.trim()).slice(-3);
      if (probe && !guestRuns && accelFailure(result.status, said)) {
        throw new AccelDoesNotRun(
          `qemu ${describeExit(result.status ?? { code: null, signal: null })} under ${plan.accel} before the guest printed a line${said.length ? `: ${said.at(-1)}` : ''}`,
        );
      }
      throw new MachineError(
        'qemu.exited',
        `qemu ${describeExit(result.status ?? { code: null, signal: null })} before the machine was ready` +
          (lastStage ? ` (its last step: ${lastStage})` : '') +
          (said.length ? `; qemu said: ${said.join(' / ')}` : ''),
        await consoleTail(),
      );
    }
    await endNow();
    if (result.kind === 'aborted') {
      sink.log('provider', 'the start was cancelled; qemu was ended');
      throw new MachineError('start.cancelled', 'the start was cancelled');
    }
    if (result.kind === 'guest-error') {
      const line = result.line as ProgressLine;
      throw new MachineError(
        'boot.guest_error',
        `the guest's ${line.stage} step failed: ${line.text}`,
        await consoleTail(),
      );
    }
    throw new MachineError(
      'boot.timeout',
      `the machine did not get ready within ${bootMs / 1000} s under ${plan.accel}` +
        (lastStage
          ? `; its last step was ${lastStage}`
          : guestRuns
            ? '; the guest reported no step'
            : '; the guest printed nothing'),
      await consoleTail(),
    );
  }

  private async startVirtiofsd(share: HomeShare): Promise<HostProcess> {
    const bin = (await this.virtiofsd()) as Virtiofsd;
    const proc = this.host.spawn(bin.path, virtiofsdArgs(this.paths, share, bin.flavour, this.host.isRoot), {
      outputFile: this.paths.qemuLog,
      detached: true,
    });
    // qemu connects to its socket at start: wait (briefly) until it is there.
    for (let i = 0; i < 50 && !(await this.host.exists(this.paths.virtiofsSocket)); i++) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 100));
    }
    return proc;
  }
}

/**
 * Whether an early qemu exit is the accelerator's fault: it could not open it, or aborted in it (KVM on
 * nested hosts: `-cpu host` aborts setting MSR 0x10a).
 */
function accelFailure(status: { signal: string | null } | undefined, said: string[]): boolean {
  if (status?.signal === 'SIGABRT') return true;
  return said.some((l) => /kvm|hvf|whpx|hypervisor|accelerat|MSR/i.test(l));
}
