// The machine as the app drives it: through the Berth agent's control socket (vm/cli), the one the
// `berth` command uses, so that the app and the CLI always see and drive the same machine. When no
// agent runs, start launches one the way `berth start` does (vm/cli/launch.ts); status, settings and
// reset then work on the machine's files, as the CLI's do. The app keeps one connection to the agent
// for its events and replays them to every view that subscribes (boot progress, boot log).
import path from 'node:path';
import type { AgentEvent, AgentStatus } from '../../../vm/cli/agent.ts';
import { ControlClient } from '../../../vm/cli/control.ts';
import {
  cliMachine,
  launchAgent,
  nativeRoots,
  rememberProvider,
  savedProvider,
} from '../../../vm/cli/launch.ts';
import type { CliPaths } from '../../../vm/cli/paths.ts';
import { type LinkState, linkText } from '../../../vm/forward/link-state.ts';
import type { MachineManager, MachineSettings, ProviderKind } from '../../../vm/machine/index.ts';
import type {
  MachineEventView,
  MachineLinkView,
  MachineSettingsView,
  MachineStateName,
  MachineStatusView,
} from '../../contract/index.ts';
import type { SettingsStore } from '../app/settings-store.ts';
import { HandlerError } from '../ipc/errors.ts';

export interface AgentCommand {
  /** node, or Electron's binary with ELECTRON_RUN_AS_NODE=1 in `env`. */
  command: string;
  execArgv?: string[];
  /** dist/berth.mjs, or vm/cli/berth.mjs from the sources. */
  entry: string;
  env?: NodeJS.ProcessEnv;
}

export interface MachineServiceOptions {
  paths: CliPaths;
  /** How the agent is launched when none runs. */
  agent: AgentCommand;
  /** The app's settings file: start on launch lives there. */
  appSettings: SettingsStore;
  inUse: boolean;
  notInUse?: string;
  /** The machine's files while no agent runs (tests give their own). */
  local?: (provider: ProviderKind) => { manager: MachineManager };
  env?: NodeJS.ProcessEnv;
  /** The Docker endpoint of the machine, each time the agent connects the host to it. */
  onEndpoint?: (docker: string) => void;
}

const historySize = 1000;
const machineKeys: readonly (keyof MachineSettings)[] = [
  'cpus',
  'memoryMiB',
  'diskGiB',
  'kubernetes',
  'shareHome',
];

export class MachineService {
  private client: ControlClient | undefined;
  private connecting: Promise<ControlClient | undefined> | undefined;
  private readonly history: MachineEventView[] = [];
  private readonly listeners = new Set<(e: MachineEventView) => void>();
  private restartNeeded = false;
  private lastState: MachineStateName = 'stopped';

  constructor(private readonly o: MachineServiceOptions) {}

  get inUse(): boolean {
    return this.o.inUse;
  }

  /** The state last heard of (from the agent's events or a status call): no socket round trip. */
  get state(): MachineStateName {
    return this.lastState;
  }

  /** The Docker endpoint the machine's provider will offer: its native socket, or the forwarded one. */
  async expectedEndpoint(): Promise<string> {
    const provider = await savedProvider(this.o.paths.home);
    if (provider === 'native') return `unix://${path.join(nativeRoots(this.o.env).execRoot, 'docker.sock')}`;
    return `unix://${this.o.paths.dockerSocket}`;
  }

  /** Every event so far, then each new one; returns the unsubscribe. */
  subscribe(listener: (e: MachineEventView) => void): () => void {
    for (const e of this.history) listener(e);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects to an agent that runs already (one `berth start` launched): its events and endpoint. */
  async attach(): Promise<boolean> {
    return (await this.agent()) !== undefined;
  }

  async status(): Promise<MachineStatusView> {
    const client = await this.agent();
    const provider = client ? undefined : await savedProvider(this.o.paths.home);
    let s: Omit<AgentStatus, 'ports'>;
    if (client) {
      s = await client.request<AgentStatus>('status').catch(async () => this.localStatus(provider));
    } else s = await this.localStatus(provider);
    this.lastState = s.state;
    if (s.state !== 'running') this.restartNeeded = false;
    if (s.docker) this.o.onEndpoint?.(s.docker);
    const kind = s.provider as ProviderKind;
    return {
      inUse: this.o.inUse,
      ...(this.o.notInUse ? { notInUse: this.o.notInUse } : {}),
      state: s.state,
      ...(s.reason ? { reason: s.reason } : {}),
      provider: kind,
      ...(s.accel ? { accel: s.accel } : {}),
      ...(s.docker ? { docker: s.docker } : {}),
      ...(s.kubernetes ? { kubernetes: s.kubernetes } : {}),
      ...(s.link ? { link: linkView(s.link) } : {}),
      agent: client !== undefined,
      restartNeeded: this.restartNeeded,
      reset: this.resetScope(kind),
      agentLog: this.o.paths.agentLog,
    };
  }

  async start(opts: { retryAccel?: boolean } = {}): Promise<MachineStatusView> {
    let client = await this.agent();
    if (!client) {
      const provider = await savedProvider(this.o.paths.home);
      this.note(`launching the Berth agent (${provider}); its log: ${this.o.paths.agentLog}`);
      client = await this.launch(provider);
    }
    try {
      await client.request('start', { retryAccel: opts.retryAccel === true });
    } catch (err) {
      throw new HandlerError(
        'internal',
        'machine.start_failed',
        `the machine did not start: ${message(err)}`,
      );
    }
    this.restartNeeded = false;
    return this.status();
  }

  async stop(): Promise<MachineStatusView> {
    const client = await this.agent();
    if (client) {
      // The agent exits once the machine stopped: a connection closed on the answer is the expected end.
      await client.request('stop').catch((err: Error) => {
        if (!/closed the connection/.test(err.message)) throw stopFailed(err);
      });
      await this.agentGone();
    }
    return this.status();
  }

  /**
   * Resets Berth's cluster in the running machine: its agent has the guest wipe the cluster's state
   * (certificates kept) and restart berthd; images, volumes and containers stay.
   */
  async resetCluster(): Promise<void> {
    const client = await this.agent();
    if (!client)
      throw new HandlerError(
        'unreachable',
        'machine.not_running',
        'the machine is not running: start it first',
      );
    try {
      await client.request('cluster-reset');
    } catch (err) {
      throw new HandlerError('internal', 'kube.reset_failed', `the cluster was not reset: ${message(err)}`);
    }
  }

  async restart(): Promise<MachineStatusView> {
    const client = await this.agent();
    if (!client) return this.start();
    try {
      await client.request('restart');
    } catch (err) {
      throw new HandlerError(
        'internal',
        'machine.start_failed',
        `the machine did not restart: ${message(err)}`,
      );
    }
    this.restartNeeded = false;
    return this.status();
  }

  /** Stops the machine (and its agent), then deletes it; its settings and the image stay. */
  async reset(): Promise<MachineStatusView> {
    await this.stop();
    const { manager } = this.local(await savedProvider(this.o.paths.home));
    try {
      await manager.reset();
    } catch (err) {
      throw new HandlerError('internal', 'machine.reset_failed', `factory reset failed: ${message(err)}`);
    }
    this.note('factory reset: the machine was deleted; its settings stay');
    return this.status();
  }

  async settings(): Promise<MachineSettingsView> {
    const client = await this.agent();
    const machine = client
      ? await client.request<MachineSettings>('settings')
      : (await this.local(await savedProvider(this.o.paths.home)).manager.status()).settings;
    const app = await this.o.appSettings.read();
    return { ...machine, startOnLaunch: app.startMachineOnLaunch };
  }

  async updateSettings(
    change: Partial<MachineSettingsView>,
  ): Promise<{ settings: MachineSettingsView; restartNeeded: boolean }> {
    const c = (typeof change === 'object' && change !== null ? change : {}) as Record<string, unknown>;
    const machine: Partial<MachineSettings> = {};
    for (const k of machineKeys) if (c[k] !== undefined) Object.assign(machine, { [k]: c[k] });
    if (c.startOnLaunch !== undefined && typeof c.startOnLaunch !== 'boolean')
      throw refused('start on launch is true or false');
    for (const k of ['kubernetes', 'shareHome'] as const)
      if (machine[k] !== undefined && typeof machine[k] !== 'boolean') throw refused(`${k} is true or false`);
    const before = await this.settings();
    if (Object.keys(machine).length) {
      const client = await this.agent();
      try {
        if (client) await client.request('configure', { settings: machine });
        else await this.local(await savedProvider(this.o.paths.home)).manager.updateSettings(machine);
      } catch (err) {
        throw refused(message(err));
      }
    }
    if (typeof c.startOnLaunch === 'boolean')
      await this.o.appSettings.update({ startMachineOnLaunch: c.startOnLaunch });
    const settings = await this.settings();
    const changed = machineKeys.some((k) => settings[k] !== before[k]);
    if (changed && (this.lastState === 'running' || this.lastState === 'starting')) this.restartNeeded = true;
    return { settings, restartNeeded: this.restartNeeded };
  }

  /** Ends the app's connection (the machine and its agent live on). */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private local(provider: ProviderKind): { manager: MachineManager } {
    return this.o.local ? this.o.local(provider) : cliMachine(this.o.paths, provider, undefined, this.o.env);
  }

  private async localStatus(provider?: ProviderKind): Promise<Omit<AgentStatus, 'ports'>> {
    const p = provider ?? (await savedProvider(this.o.paths.home));
    const s = await this.local(p).manager.status();
    return { ...s, state: s.state === 'error' ? 'error' : 'stopped' };
  }

  private resetScope(provider: ProviderKind): MachineStatusView['reset'] {
    const keeps = [
      'the machine settings (CPUs, memory, disk size, Kubernetes, share home)',
      "Berth's app settings",
    ];
    if (provider === 'native') {
      return {
        deletes: [
          `${nativeRoots(this.o.env).dataRoot}: every container, image, volume and network of the engine`,
        ],
        keeps,
      };
    }
    const dir = path.join(this.o.paths.home, 'machines', provider === 'qemu' ? 'default' : provider);
    return {
      deletes: [`${dir}: the machine's disk (every container, image and volume in it), its keys and logs`],
      keeps: [...keeps, 'the VM image it boots from'],
    };
  }

  /** The connection to the running agent, made once; undefined when none runs. */
  private agent(): Promise<ControlClient | undefined> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= ControlClient.connect(this.o.paths.agentSocket)
      .then((c) => (c ? this.adopt(c) : undefined))
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private async launch(provider: ProviderKind): Promise<ControlClient> {
    const a = this.o.agent;
    const client = await launchAgent({
      paths: this.o.paths,
      provider,
      command: a.command,
      execArgv: a.execArgv,
      entry: a.entry,
      env: a.env,
    }).catch((err: Error) => {
      throw new HandlerError('internal', 'machine.agent_failed', err.message);
    });
    await rememberProvider(this.o.paths.home, provider);
    return this.adopt(client);
  }

  private adopt(client: ControlClient): ControlClient {
    this.client = client;
    client.onEvent((e) => this.fromAgent(e as AgentEvent));
    // The events request stays open until the agent goes (it exits after a stop).
    void client.request('events').then(
      () => this.lost(client),
      () => this.lost(client),
    );
    return client;
  }

  private lost(client: ControlClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.close();
    if (this.lastState !== 'stopped' && this.lastState !== 'error') {
      this.lastState = 'stopped';
      this.emit({ type: 'state', state: 'stopped', reason: 'the Berth agent exited', at: Date.now() });
    }
  }

  private async agentGone(): Promise<void> {
    for (let i = 0; i < 150; i++) {
      const c = await ControlClient.connect(this.o.paths.agentSocket);
      if (!c) break;
      c.close();
      await new Promise((r) => setTimeout(r, 100));
    }
    const c = this.client;
    if (c) this.lost(c);
  }

  private fromAgent(e: AgentEvent): void {
    if (e.type === 'state') {
      this.lastState = e.state;
      if (e.state === 'starting') this.restartNeeded = false;
    }
    if (e.type === 'connected') this.o.onEndpoint?.(e.docker);
    const view = eventView(e, Date.now());
    if (view) this.emit(view);
  }

  private note(line: string): void {
    this.emit({ type: 'log', source: 'agent', line, at: Date.now() });
  }

  private emit(e: MachineEventView): void {
    this.history.push(e);
    if (this.history.length > historySize) this.history.splice(0, this.history.length - historySize);
    for (const l of this.listeners) l(e);
  }
}

/** The app's view of an agent's event; the forwarder's port chatter stays in the agent's log. */
export function eventView(e: AgentEvent, at: number): MachineEventView | undefined {
  switch (e.type) {
    case 'state':
      return { type: 'state', state: e.state, ...(e.reason ? { reason: e.reason } : {}), at };
    case 'progress':
      return { type: 'progress', ...e.line, at };
    case 'log':
      return { type: 'log', source: e.source, line: e.line, at };
    case 'notice':
      return { type: 'notice', level: e.level, code: e.code, message: e.message, at };
    case 'reachable':
      return undefined;
    case 'agent':
      return { type: 'log', source: 'agent', line: e.message, at };
    case 'connected':
      return {
        type: 'connected',
        docker: e.docker,
        ...(e.kubernetes ? { kubernetes: e.kubernetes } : {}),
        at,
      };
    case 'forward':
      if (e.event.kind === 'link') return { type: 'link', link: linkView(e.event.state), at };
      return e.event.kind === 'error'
        ? { type: 'log', source: 'agent', line: e.event.message, at }
        : undefined;
  }
}

const linkView = (l: LinkState): MachineLinkView => ({ state: l.state, text: linkText(l) });

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const refused = (why: string) => new HandlerError('invalid_argument', 'machine.settings_refused', why);
const stopFailed = (err: Error) =>
  new HandlerError('internal', 'machine.stop_failed', `the machine did not stop: ${err.message}`);
