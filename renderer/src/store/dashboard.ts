// The dashboard slice: what the engine and its containers use now, its disk use by type (as
// `docker system df`), and cleaning the engine up (as `docker system prune`).
import type {
  ContractError,
  DiskUsageRow,
  EngineResources,
  PruneReport,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface DashboardSlice {
  resources: EngineResources | null;
  resourcesError: ContractError | null;
  diskUsage: DiskUsageRow[] | null;
  diskUsageError: ContractError | null;
  refreshResources(): Promise<void>;
  refreshDiskUsage(): Promise<void>;
  /** Then everything it changed is loaded afresh. */
  pruneEngine(): Promise<PruneReport | ContractError>;
}

export const dashboardSlice: Slice<DashboardSlice> = (set, get) => ({
  resources: null,
  resourcesError: null,
  diskUsage: null,
  diskUsageError: null,
  async refreshResources() {
    const r = await api().invoke('engine.resources', undefined);
    set(r.ok ? { resources: r.value, resourcesError: null } : { resourcesError: r.error });
  },
  async refreshDiskUsage() {
    const r = await api().invoke('engine.diskUsage', undefined);
    set(r.ok ? { diskUsage: r.value, diskUsageError: null } : { diskUsageError: r.error });
  },
  async pruneEngine() {
    const r = await api().invoke('engine.prune', undefined);
    const s = get();
    await Promise.all([
      s.refreshDiskUsage(),
      s.refreshResources(),
      s.refreshContainers(),
      s.refreshImages(),
      s.refreshNetworks(),
    ]);
    return r.ok ? r.value : r.error;
  },
});
