// The engine slice: what the engine says about itself, or why it cannot be reached.
import type { ContractError, EngineInfo } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface EngineSlice {
  engine: EngineInfo | null;
  engineError: ContractError | null;
  engineLoaded: boolean;
  refreshEngine(): Promise<void>;
}

export const engineSlice: Slice<EngineSlice> = (set) => ({
  engine: null,
  engineError: null,
  engineLoaded: false,
  async refreshEngine() {
    const r = await api().invoke('engine.info', undefined);
    set(
      r.ok
        ? { engine: r.value, engineError: null, engineLoaded: true }
        : { engineError: r.error, engineLoaded: true },
    );
  },
});

/** The engine answers (a starting engine does not yet). */
export const engineUp = (s: { engineError: ContractError | null; engineLoaded: boolean }) =>
  s.engineLoaded && s.engineError === null;
