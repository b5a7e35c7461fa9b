// The machine that hosts Berth's engine (a VM, or berthd on this host with the native provider), as
// the app drives it through the Berth agent, the same one the `berth` command drives: its state, boot
// progress and log, start/stop/restart, factory reset, and its settings.
import type { ChannelList } from './channel-list.ts';

export type MachineStateName = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

export interface MachineSettingsView {
  cpus: number;
  memoryMiB: number;
  /** The data disk grows, never shrinks. */
  diskGiB: number;
  kubernetes: boolean;
  /** The user's home shared at the same path inside the machine. */
  shareHome: boolean;
  /** The app starts the machine when it starts (kept in the app's own settings). */
  startOnLaunch: boolean;
}

export interface MachineStatusView {
  /**
   * Whether the app's engine is this machine's. Not when DOCKER_HOST is set or the app runs its own
   * berthd: then the machine's screens say so and the app never starts it by itself.
   */
  inUse: boolean;
  /** Why not in use, in words. */
  notInUse?: string;
  state: MachineStateName;
  /** Why it is in error (or why the last start was cancelled). */
  reason?: string;
  provider: 'qemu' | 'native' | 'wsl';
  /** What it runs under: kvm, hvf, whpx, tcg; `native` for the native provider. */
  accel?: string;
  /** The Docker endpoint the host reaches it at, once connected. */
  docker?: string;
  kubernetes?: string;
  /** A Berth agent owns the machine now (the app's or one `berth start` launched). */
  agent: boolean;
  /** Settings saved while it ran that apply when it restarts. */
  restartNeeded: boolean;
  /** What a factory reset deletes and what it keeps, for the confirmation. */
  reset: { deletes: string[]; keeps: string[] };
  /** The agent's log (what the CLI's `berth logs` shows). */
  agentLog: string;
  /** A VM's SSH connection, which carries the Docker socket, the Kubernetes API and the ports. */
  link?: MachineLinkView;
}

/** The SSH connection to a VM, as the agent keeps it: it reconnects by itself after a restart or sleep. */
export interface MachineLinkView {
  state: 'connecting' | 'connected' | 'reconnecting' | 'stopped';
  /** In words, as `berth status` says it: a reconnect says why and when it tries again. */
  text: string;
}

/** One line of what the machine did, as it happened (events are replayed from the app's start). */
export type MachineEventView =
  | { type: 'state'; state: MachineStateName; reason?: string; at: number }
  | { type: 'progress'; kind: 'stage' | 'ready' | 'error'; stage: string; text: string; at: number }
  | { type: 'log'; source: 'console' | 'provider' | 'agent'; line: string; at: number }
  | { type: 'notice'; level: 'info' | 'warning'; code: string; message: string; at: number }
  | { type: 'connected'; docker: string; kubernetes?: string; at: number }
  | { type: 'link'; link: MachineLinkView; at: number };

export interface MachineInvoke {
  'machine.status': { req: undefined; res: MachineStatusView };
  /** Launches the agent when none runs; resolves once the engine inside answers (minutes under TCG). */
  'machine.start': { req: { retryAccel?: boolean } | undefined; res: MachineStatusView };
  'machine.stop': { req: undefined; res: MachineStatusView };
  'machine.restart': { req: undefined; res: MachineStatusView };
  /** Stops the machine and deletes it (its disk: images, containers, volumes); settings and the image stay. */
  'machine.reset': { req: undefined; res: MachineStatusView };
  'machine.settings': { req: undefined; res: MachineSettingsView };
  /** Checks and saves; `invalid_argument` for a refused value (a smaller disk, more CPUs than the host). */
  'machine.updateSettings': {
    req: Partial<MachineSettingsView>;
    res: { settings: MachineSettingsView; restartNeeded: boolean };
  };
}

export const machineChannels: ChannelList<MachineInvoke> = {
  'machine.status': true,
  'machine.start': true,
  'machine.stop': true,
  'machine.restart': true,
  'machine.reset': true,
  'machine.settings': true,
  'machine.updateSettings': true,
};

export interface MachineEvents {
  /** What happened since the app started (the last few hundred lines), then each line as it comes. */
  'machine.events': { params: undefined; event: MachineEventView };
}

export const machineEventChannels: ChannelList<MachineEvents> = {
  'machine.events': true,
};
