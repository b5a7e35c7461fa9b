// The terminals slice: the sessions main keeps open (live, from `terminal.sessions`), which session each
// place shows (a container's Terminal tab, the Terminal screen), and opening and closing sessions.
// Sessions outlive the views: a place that comes back shows the session it showed.
import type { ContractError, TerminalSessionInfo, TerminalTarget } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

/** Where a terminal is shown: `screen` (the Terminal screen), `container:<id>` or `pod:<context>/<ns>/<pod>/<container>`. */
export type TerminalPlace = 'screen' | `container:${string}` | `pod:${string}`;

export interface TerminalsSlice {
  terminalSessions: TerminalSessionInfo[];
  terminalSessionsLoaded: boolean;
  terminalSessionsError: ContractError | null;
  /** The session each place shows; kept while the app runs, also after the session ended. */
  terminalFocus: Partial<Record<TerminalPlace, string>>;
  /** Shows `session` at `place` (null: none, until one opens). */
  focusTerminal(place: TerminalPlace, session: string | null): void;
  /** Follows the session list while a view needs it; returns what stops following. */
  watchTerminalSessions(): () => void;
  /**
   * Opens a session and shows it at `place`; answers the error, if any. One at a time per place: a
   * second call while one is opening gets the same answer.
   */
  openTerminal(
    place: TerminalPlace,
    target: TerminalTarget,
    size: { cols: number; rows: number },
  ): Promise<ContractError | null>;
  /** Asks, then ends the session's process for real, and says how that went. */
  closeTerminal(session: TerminalSessionInfo): Promise<void>;
}

let watchers = 0;
let stopWatching: (() => void) | null = null;
const opening = new Map<TerminalPlace, Promise<ContractError | null>>();

export const terminalsSlice: Slice<TerminalsSlice> = (set, get) => ({
  terminalSessions: [],
  terminalSessionsLoaded: false,
  terminalSessionsError: null,
  terminalFocus: {},
  focusTerminal(place, session) {
    const terminalFocus = { ...get().terminalFocus };
    if (session) terminalFocus[place] = session;
    else delete terminalFocus[place];
    set({ terminalFocus });
  },
  watchTerminalSessions() {
    watchers++;
    if (!stopWatching) {
      stopWatching = api().subscribe('terminal.sessions', {}, (m) => {
        if (m.type === 'event') {
          set({ terminalSessions: m.event, terminalSessionsLoaded: true, terminalSessionsError: null });
        } else {
          stopWatching = null;
          if (m.error) set({ terminalSessionsError: m.error, terminalSessionsLoaded: true });
        }
      });
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      watchers--;
      if (watchers === 0) {
        stopWatching?.();
        stopWatching = null;
        // Sessions go on ending while no one follows: the next view waits for a fresh list.
        set({ terminalSessionsLoaded: false });
      }
    };
  },
  openTerminal(place, target, size) {
    const pending = opening.get(place);
    if (pending) return pending;
    const run = (async () => {
      const r = await api().invoke('terminal.open', { target, ...size });
      if (!r.ok) return r.error;
      // The list stream may not have told of it yet: the views need it now.
      if (!get().terminalSessions.some((s) => s.id === r.value.id)) {
        set({ terminalSessions: [...get().terminalSessions, r.value] });
      }
      get().focusTerminal(place, r.value.id);
      return null;
    })().finally(() => opening.delete(place));
    opening.set(place, run);
    return run;
  },
  async closeTerminal(session) {
    const ok = await get().confirm({
      title: `Close ${session.title}?`,
      body: 'Its shell ends, with every program it started. What it printed is gone.',
      confirmLabel: 'Close session',
    });
    if (!ok) return;
    const r = await api().invoke('terminal.close', { session: session.id });
    if (r.ok) set({ terminalSessions: get().terminalSessions.filter((s) => s.id !== session.id) });
    get().report(`Closed ${session.title}`, r.ok ? null : r.error, `Cannot close ${session.title}`);
  },
});
