// The machine's vocabulary, shared by MachineManager, the providers and their callers (the app, the CLI):
// states, settings, events and the one interface every provider implements.

export type MachineState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

export type ProviderKind = 'qemu' | 'native' | 'wsl';

export type GuestArch = 'x86_64' | 'aarch64';

/** What the user sets; each provider uses what applies to it (native ignores all of it). */
export interface MachineSettings {
  cpus: number;
  memoryMiB: number;
  /** Size of the data disk; it can grow after creation, never shrink. */
  diskGiB: number;
  kubernetes: boolean;
  /** Share the user's home at the same path inside the guest. */
  shareHome: boolean;
}

export const defaultSettings: MachineSettings = {
  cpus: 2,
  memoryMiB: 2048,
  diskGiB: 60,
  kubernetes: false,
  shareHome: true,
};

/** A boot step the guest reported on its `berth.progress` channel (or a provider's own step). */
export interface ProgressLine {
  kind: 'stage' | 'ready' | 'error';
  /** The stage's name (`init`, `modules`, … `berthd`); for `error` the stage that failed; `ready` for ready. */
  stage: string;
  text: string;
}

export type NoticeCode =
  /** A hardware accelerator exists but the guest did not run under it; the machine runs under TCG. */
  | 'accel.fallback'
  /** No hardware accelerator at all: TCG from the start. */
  | 'accel.none'
  /** A setting that applies at the next start. */
  | 'settings.restart_needed';

export type MachineEvent =
  | { type: 'state'; state: MachineState; previous: MachineState; reason?: string }
  | { type: 'progress'; line: ProgressLine }
  | { type: 'log'; source: 'console' | 'provider'; line: string }
  | { type: 'notice'; level: 'info' | 'warning'; code: NoticeCode; message: string }
  /**
   * The machine can be reached over SSH before its engine is ready (qemu: the guest's boot has started
   * its SSH server and gone on to berthd's start), so the host may connect while berthd starts.
   */
  | { type: 'reachable'; endpoint: MachineEndpoint };

/** How the engine inside is reached once the machine runs. */
export interface MachineEndpoint {
  /** The engine's Docker API as the host reaches it directly (native), or null when it goes over SSH. */
  dockerSocket: string | null;
  /** SSH to the guest (127.0.0.1:port, user root, the machine's key): null for native. */
  ssh: {
    host: string;
    port: number;
    user: string;
    privateKeyFile: string;
    /** Where the guest's host key is pinned (in the machine dir: a factory reset forgets it with the disk). */
    knownHostFile: string;
  } | null;
}

/** Where the events of one start go: the manager turns them into MachineEvents. */
export interface DriverSink {
  progress(line: ProgressLine): void;
  log(source: 'console' | 'provider', line: string): void;
  notice(level: 'info' | 'warning', code: NoticeCode, message: string): void;
  /** The machine's SSH is up while the start goes on (see the `reachable` event). */
  reachable(endpoint: MachineEndpoint): void;
}

export interface StartOptions {
  /** Forget a remembered "this accelerator does not run guests" verdict and try it again. */
  retryAccel?: boolean;
  /** Aborted when the user stops a start under way: the provider ends what it started and rejects. */
  signal?: AbortSignal;
}

/** One running machine, as a provider started it. */
export interface VmSession {
  readonly endpoint: MachineEndpoint;
  readonly pid: number | null;
  /** The accelerator it runs under (qemu: kvm, hvf, whpx, tcg), or the provider's kind. */
  readonly accel: string;
  /**
   * Settles when the machine ends for whatever reason, with why; `clean` when it ended on its own terms
   * (the guest powered off, berthd exited 0), which is a stop, not a failure.
   */
  readonly exited: Promise<{ why: string; clean: boolean }>;
  /** A graceful shutdown, then a kill once `timeoutMs` has passed; resolves once it is gone. */
  stop(timeoutMs: number): Promise<void>;
  /** Ends it at once. */
  kill(): Promise<void>;
}

/** What a provider says about its data disk: its current size, or null before it exists. */
export interface DiskInfo {
  sizeGiB: number | null;
}

/**
 * A provider. `start` resolves once the engine inside answers (the guest's `ready`), and rejects with a
 * MachineError (the reason, with the console's last lines) on any failure or timeout; it never hangs.
 */
export interface VmDriver {
  readonly kind: ProviderKind;
  start(settings: MachineSettings, sink: DriverSink, opts?: StartOptions): Promise<VmSession>;
  /** Back to a new machine: its disk and state go, the image stays. The machine is stopped. */
  reset(): Promise<void>;
  disk(): Promise<DiskInfo>;
  /** Grows the data disk of a stopped machine (the guest grows its filesystem at the next boot). */
  growDisk(sizeGiB: number): Promise<void>;
  /** The machine an earlier process started and left running, if there is one (qemu: runtime.json). */
  attach?(sink: DriverSink): Promise<VmSession | null>;
}

/** A failure with what the user needs to read: the reason and the last console lines. */
export class MachineError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly logTail: string[] = [],
  ) {
    super(logTail.length ? `${reason}\n--- last lines of the console ---\n${logTail.join('\n')}` : reason);
    this.name = 'MachineError';
  }
}
