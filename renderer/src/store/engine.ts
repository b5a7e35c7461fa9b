// The engine slice: what the engine says about itself, or why it cannot be reached and who runs it
// (the app restarts the berthd it started, and says when).
import type { ContractError, EngineInfo, EngineStatus } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface EngineSlice {
  engine: EngineInfo | null;
  engineError: ContractError | null;
  engineLoaded: boolean;
  /** Fetched while the engine does not answer: whether the app runs it, and its automatic restart. */
  engineStatus: EngineStatus | null;
  /** When engineStatus arrived (ms, this clock): its `inMs` counts from here. */
  engineStatusAt: number;
  engineRestarting: boolean;
  refreshEngine(): Promise<void>;
  /** Restarts the berthd the app started, with a toast saying how it went. */
  restartManagedEngine(): Promise<void>;
}

export const engineSlice: Slice<EngineSlice> = (set, get) => ({
  engine: null,
  engineError: null,
  engineLoaded: false,
  engineStatus: null,
  engineStatusAt: 0,
  engineRestarting: false,
  async refreshEngine() {
    const r = await api().invoke('engine.info', undefined);
    if (r.ok) return set({ engine: r.value, engineError: null, engineLoaded: true });
    const status = await api().invoke('engine.status', undefined);
    set({
      engineError: r.error,
      engineLoaded: true,
      ...(status.ok ? { engineStatus: status.value, engineStatusAt: Date.now() } : {}),
    });
  },
  async restartManagedEngine() {
    if (get().engineRestarting) return;
    set({ engineRestarting: true });
    const r = await api().invoke('troubleshoot.restartEngine', undefined);
    set({ engineRestarting: false });
    await get().refreshEngine();
    get().report(
      'The engine restarted and answers again',
      r.ok ? null : r.error,
      'Cannot restart the engine',
    );
  },
});

/** The engine answers (a starting engine does not yet). */
export const engineUp = (s: { engineError: ContractError | null; engineLoaded: boolean }) =>
  s.engineLoaded && s.engineError === null;

/** The engine is known not to answer (down or still starting): lists on screen are stale. */
export const engineDown = (s: { engineError: ContractError | null; engineLoaded: boolean }) =>
  s.engineLoaded && s.engineError !== null;
