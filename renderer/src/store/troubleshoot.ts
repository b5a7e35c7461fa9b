// The troubleshoot slice: where the engine is and whether the app started it, its log, restart, and
// the reset to factory defaults (after which settings and lists are loaded afresh).
import type { ContractError, EngineLogTail, TroubleshootInfo } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface TroubleshootSlice {
  troubleshoot: TroubleshootInfo | null;
  troubleshootError: ContractError | null;
  engineLog: EngineLogTail | null;
  engineLogError: ContractError | null;
  loadTroubleshoot(): Promise<void>;
  restartEngine(): Promise<ContractError | null>;
  resetToDefaults(): Promise<{ deleted: string[] } | ContractError>;
}

export const troubleshootSlice: Slice<TroubleshootSlice> = (set, get) => ({
  troubleshoot: null,
  troubleshootError: null,
  engineLog: null,
  engineLogError: null,
  async loadTroubleshoot() {
    const r = await api().invoke('troubleshoot.info', undefined);
    if (!r.ok) return set({ troubleshootError: r.error });
    set({ troubleshoot: r.value, troubleshootError: null });
    if (!r.value.managed) return set({ engineLog: null, engineLogError: null });
    const logs = await api().invoke('troubleshoot.engineLogs', { lines: 2000 });
    set(logs.ok ? { engineLog: logs.value, engineLogError: null } : { engineLogError: logs.error });
  },
  async restartEngine() {
    const r = await api().invoke('troubleshoot.restartEngine', undefined);
    await Promise.all([get().loadTroubleshoot(), get().refreshEngine()]);
    return r.ok ? null : r.error;
  },
  async resetToDefaults() {
    const r = await api().invoke('troubleshoot.reset', undefined);
    const s = get();
    await Promise.all([
      s.loadSettings(),
      s.loadTroubleshoot(),
      s.refreshEngine(),
      s.refreshContainers(),
      s.refreshImages(),
    ]);
    return r.ok ? r.value : r.error;
  },
});
