// The machine as the app and the CLI see it: one state (stopped → starting → running → stopping, or error
// with a reason), events for each change, boot step and log line, and the actions start, stop, restart,
// factory reset and settings. The provider behind it is a VmDriver; the manager holds no qemu, WSL or
// process knowledge of its own.
import type { Host } from './host.ts';
import { checkDiskChange, type HostLimits, validateSettings } from './settings.ts';
import {
  type DriverSink,
  defaultSettings,
  type MachineEndpoint,
  MachineError,
  type MachineEvent,
  type MachineSettings,
  type MachineState,
  type StartOptions,
  type VmDriver,
  type VmSession,
} from './types.ts';

export interface MachineManagerOptions {
  driver: VmDriver;
  host: Host;
  /** Where the settings are kept (the machine dir's settings.json for qemu); they survive a reset. */
  settingsFile: string;
  limits: HostLimits;
  /** How long a graceful stop may take before the machine is killed. */
  stopTimeoutMs?: number;
}

export interface MachineStatus {
  state: MachineState;
  reason?: string;
  provider: string;
  settings: MachineSettings;
  accel?: string;
  pid?: number;
  endpoint?: MachineEndpoint;
}

export type MachineListener = (event: MachineEvent) => void;

export class MachineManager {
  private state: MachineState = 'stopped';
  private reason: string | undefined;
  private session: VmSession | null = null;
  private settings: MachineSettings | null = null;
  private readonly listeners = new Set<MachineListener>();
  /** Aborts the start under way (stop and reset do, rather than wait for a slow boot to finish). */
  private starting: AbortController | null = null;
  /** The action under way (start, stop, reset): the next one waits for it. */
  private busy: Promise<unknown> = Promise.resolve();
  private readonly driver: VmDriver;

  constructor(private readonly o: MachineManagerOptions) {
    this.driver = o.driver;
  }

  on(listener: MachineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<MachineStatus> {
    const s = this.session;
    return {
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
      provider: this.driver.kind,
      settings: await this.currentSettings(),
      ...(s ? { accel: s.accel, endpoint: s.endpoint, ...(s.pid ? { pid: s.pid } : {}) } : {}),
    };
  }

  /** Starts it from stopped or error; resolves once the engine inside answers. */
  start(opts: StartOptions = {}): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'running') return;
      // From error, what may be left of the failed machine goes first.
      await this.endSession();
      // One that an earlier process started is running already: take it over rather than start another.
      const running = await this.driver.attach?.(this.sink());
      if (running) return this.adopt(running);
      const settings = await this.currentSettings();
      this.setState('starting');
      const abort = new AbortController();
      this.starting = abort;
      let session: VmSession;
      try {
        session = await this.driver.start(settings, this.sink(), { ...opts, signal: abort.signal });
      } catch (err) {
        if (abort.signal.aborted) this.setState('stopped', 'the start was cancelled');
        else this.setState('error', reasonOf(err));
        throw err;
      } finally {
        this.starting = null;
      }
      this.adopt(session);
    });
  }

  /**
   * Takes over a machine an earlier process (`berth start`, an app that quit) left running; false when
   * there is none. Call it before status() in a process that did not start the machine itself.
   */
  attach(): Promise<boolean> {
    return this.serial(async () => {
      if (this.state === 'running') return true;
      if (this.state !== 'stopped' && this.state !== 'error') return false;
      const session = await this.driver.attach?.(this.sink());
      if (!session) return false;
      this.adopt(session);
      return true;
    });
  }

  private adopt(session: VmSession): void {
    this.session = session;
    this.setState('running');
    void session.exited.then(({ why, clean }) => {
      if (this.session !== session) return;
      this.session = null;
      if (this.state !== 'running') return;
      if (clean) this.setState('stopped', why);
      else this.setState('error', `the machine stopped unexpectedly: ${why}`);
    });
  }

  /**
   * A graceful stop (the guest powers off), then a kill once the stop timeout has passed. A start under
   * way is cancelled (its promise rejects) rather than waited for.
   */
  stop(): Promise<void> {
    this.starting?.abort();
    return this.serial(async () => {
      if (this.state === 'stopped') return;
      if (this.state === 'error') {
        await this.endSession();
        this.setState('stopped');
        return;
      }
      const session = this.session;
      this.setState('stopping');
      this.session = null;
      try {
        await session?.stop(this.o.stopTimeoutMs ?? 30_000);
      } catch (err) {
        this.setState('error', reasonOf(err));
        throw err;
      }
      this.setState('stopped');
    });
  }

  async restart(opts: StartOptions = {}): Promise<void> {
    await this.stop();
    await this.start(opts);
  }

  /** Factory reset: stops the machine and deletes it (disk, keys, logs); settings and the image stay. */
  reset(): Promise<void> {
    this.starting?.abort();
    return this.serial(async () => {
      if (this.state === 'running' || this.state === 'starting') {
        const session = this.session;
        this.setState('stopping');
        this.session = null;
        await session?.stop(this.o.stopTimeoutMs ?? 30_000).catch(() => session.kill());
      }
      await this.endSession();
      const settings = await this.currentSettings();
      try {
        await this.driver.reset();
      } catch (err) {
        this.setState('error', `factory reset failed: ${reasonOf(err)}`);
        throw err;
      }
      await this.saveSettings(settings);
      this.setState('stopped');
      this.emit({ type: 'log', source: 'provider', line: 'factory reset: the machine was deleted' });
    });
  }

  /**
   * Checks and saves new settings. A bigger disk is grown now when the machine is stopped, at its next
   * start otherwise; a smaller one is refused. Returns whether a restart is needed for them to apply.
   */
  updateSettings(change: Partial<MachineSettings>): Promise<{ restartNeeded: boolean }> {
    return this.serial(async () => {
      const before = await this.currentSettings();
      const next = { ...before, ...change };
      validateSettings(next, this.o.limits);
      const { sizeGiB } = await this.driver.disk();
      const disk = checkDiskChange(sizeGiB === null ? null : Math.round(sizeGiB), next.diskGiB);
      const idle = this.state === 'stopped' || this.state === 'error';
      if (disk === 'grow' && idle) await this.driver.growDisk(next.diskGiB);
      await this.saveSettings(next);
      const changed = (Object.keys(next) as (keyof MachineSettings)[]).some((k) => next[k] !== before[k]);
      const restartNeeded = changed && !idle && this.driver.kind !== 'native';
      if (restartNeeded) {
        this.emit({
          type: 'notice',
          level: 'info',
          code: 'settings.restart_needed',
          message: 'the new settings apply when the machine restarts',
        });
      }
      return { restartNeeded };
    });
  }

  private sink(): DriverSink {
    return {
      progress: (line) => this.emit({ type: 'progress', line }),
      log: (source, line) => this.emit({ type: 'log', source, line }),
      notice: (level, code, message) => this.emit({ type: 'notice', level, code, message }),
      reachable: (endpoint) => this.emit({ type: 'reachable', endpoint }),
    };
  }

  private async endSession(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.kill().catch(() => undefined);
  }

  private setState(state: MachineState, reason?: string): void {
    const previous = this.state;
    this.state = state;
    this.reason = reason;
    this.emit({ type: 'state', state, previous, ...(reason ? { reason } : {}) });
  }

  private emit(event: MachineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private serial<T>(action: () => Promise<T>): Promise<T> {
    const run = this.busy.then(action, action);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async currentSettings(): Promise<MachineSettings> {
    if (this.settings) return { ...this.settings };
    const text = await this.o.host.readText(this.o.settingsFile);
    let saved: Partial<MachineSettings> = {};
    try {
      saved = text ? (JSON.parse(text) as Partial<MachineSettings>) : {};
    } catch {
      saved = {};
    }
    this.settings = { ...defaultSettings, ...saved };
    return { ...this.settings };
  }

  private async saveSettings(s: MachineSettings): Promise<void> {
    this.settings = { ...s };
    await this.o.host.writeFile(this.o.settingsFile, `${JSON.stringify(s, null, 2)}\n`);
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof MachineError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
