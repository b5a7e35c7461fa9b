// The machine slice: the machine's state (and why, when in error), its boot progress and console as
// they come from main's `machine.events` stream, start/stop/restart/reset, and its settings. When it
// connects, the engine and the lists are fetched afresh: the app's endpoint follows the machine's.
import type {
  ContractError,
  MachineEventView,
  MachineSettingsView,
  MachineStatusView,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export type MachineAction = 'start' | 'stop' | 'restart' | 'reset';

export interface MachineSlice {
  machine: MachineStatusView | null;
  machineError: ContractError | null;
  /** Every event main replayed and sent since the page opened (the last `machineEventLimit`). */
  machineEvents: MachineEventView[];
  machineSettings: MachineSettingsView | null;
  machineBusy: MachineAction | null;
  loadMachine(): Promise<void>;
  /** Follows `machine.events`; returns the function that stops. */
  watchMachine(): () => void;
  machineAction(action: MachineAction): Promise<ContractError | null>;
  loadMachineSettings(): Promise<ContractError | null>;
  updateMachineSettings(change: Partial<MachineSettingsView>): Promise<ContractError | null>;
}

export const machineEventLimit = 2000;

const channel = {
  start: 'machine.start',
  stop: 'machine.stop',
  restart: 'machine.restart',
  reset: 'machine.reset',
} as const;

const done: Record<MachineAction, string> = {
  start: 'The machine runs',
  stop: 'The machine stopped',
  restart: 'The machine restarted',
  reset: 'The machine was reset',
};

const failed: Record<MachineAction, string> = {
  start: 'The machine did not start',
  stop: 'The machine did not stop',
  restart: 'The machine did not restart',
  reset: 'The machine was not reset',
};

export const machineSlice: Slice<MachineSlice> = (set, get) => ({
  machine: null,
  machineError: null,
  machineEvents: [],
  machineSettings: null,
  machineBusy: null,
  async loadMachine() {
    const r = await api().invoke('machine.status', undefined);
    set(r.ok ? { machine: r.value, machineError: null } : { machineError: r.error });
  },
  watchMachine() {
    set({ machineEvents: [] });
    return api().subscribe('machine.events', undefined, (m) => {
      if (m.type !== 'event') return;
      const e = m.event;
      const events = [...get().machineEvents, e];
      if (events.length > machineEventLimit) events.splice(0, events.length - machineEventLimit);
      const cur = get().machine;
      set({
        machineEvents: events,
        // The state shows at once; the rest of the status follows.
        ...(e.type === 'state' && cur
          ? {
              machine: {
                ...cur,
                state: e.state,
                ...(e.reason ? { reason: e.reason } : { reason: undefined }),
              },
            }
          : {}),
        // So does the SSH link's: a reconnect shows while it lasts, with no status call each time.
        ...(e.type === 'link' && cur ? { machine: { ...cur, link: e.link } } : {}),
      });
      if (e.type === 'state' || e.type === 'connected') void get().loadMachine();
      // The engine banner says whether the machine is starting, stopped or in error.
      if (e.type === 'state') void get().refreshEngine();
      if (e.type === 'connected') {
        const s = get();
        void Promise.all([s.refreshEngine(), s.refreshContainers(), s.refreshImages(), s.loadSettings()]);
      }
    });
  },
  async machineAction(action) {
    if (get().machineBusy) return null;
    set({ machineBusy: action });
    const r = await api().invoke(channel[action], undefined);
    set({ machineBusy: null, ...(r.ok ? { machine: r.value, machineError: null } : {}) });
    if (!r.ok) await get().loadMachine();
    else if (action === 'reset') await get().loadMachineSettings();
    await get().refreshEngine();
    get().report(done[action], r.ok ? null : r.error, failed[action]);
    return r.ok ? null : r.error;
  },
  async loadMachineSettings() {
    const r = await api().invoke('machine.settings', undefined);
    if (r.ok) set({ machineSettings: r.value });
    return r.ok ? null : r.error;
  },
  async updateMachineSettings(change) {
    const r = await api().invoke('machine.updateSettings', change);
    if (!r.ok) return r.error;
    const cur = get().machine;
    set({
      machineSettings: r.value.settings,
      ...(cur ? { machine: { ...cur, restartNeeded: r.value.restartNeeded } } : {}),
    });
    return null;
  },
});

/** The boot under way or last made: the stage lines and notices since the machine last began to start. */
export function bootLines(events: readonly MachineEventView[]): MachineEventView[] {
  let from = 0;
  events.forEach((e, i) => {
    if (e.type === 'state' && e.state === 'starting') from = i;
  });
  return events
    .slice(from)
    .filter(
      (e) => e.type === 'progress' || e.type === 'notice' || (e.type === 'state' && e.state === 'error'),
    );
}

/** The boot log: the console's lines, the boot's stages, and what the provider and the agent said. */
export function consoleLines(events: readonly MachineEventView[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const t = new Date(e.at).toISOString().slice(11, 19);
    if (e.type === 'log') out.push(e.source === 'console' ? e.line : `${t} [${e.source}] ${e.line}`);
    else if (e.type === 'state') out.push(`${t} [machine] ${e.state}${e.reason ? `: ${e.reason}` : ''}`);
    else if (e.type === 'notice') out.push(`${t} [${e.level}] ${e.message}`);
    else if (e.type === 'progress') out.push(`${t} [${e.kind === 'stage' ? e.stage : e.kind}] ${e.text}`);
    else if (e.type === 'link') out.push(`${t} [ssh] ${e.link.text}`);
  }
  return out;
}

/** The machine is what serves the app's engine and is not running: the dashboard says so first. */
export const machineNotRunning = (m: MachineStatusView | null) => !!m?.inUse && m.state !== 'running';
