// The volumes slice: the list (sizes refreshed less often: they cost the engine a walk of every volume)
// and the actions, which answer with the engine's error for the screen to show inline.
import type { ContractError, VolumeSummary } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface VolumesSlice {
  volumes: VolumeSummary[];
  volumesError: ContractError | null;
  volumesLoaded: boolean;
  /** Without `sizes`, each volume keeps the size it had. */
  refreshVolumes(opts?: { sizes?: boolean }): Promise<void>;
  createVolume(req: { name?: string; labels?: Record<string, string> }): Promise<ContractError | null>;
  removeVolume(name: string): Promise<ContractError | null>;
  pruneVolumes(all: boolean): Promise<{ deleted: string[]; spaceReclaimed: number } | ContractError>;
}

export const volumesSlice: Slice<VolumesSlice> = (set, get) => ({
  volumes: [],
  volumesError: null,
  volumesLoaded: false,
  async refreshVolumes(opts) {
    const sizes = opts?.sizes ?? false;
    const r = await api().invoke('volumes.list', { sizes });
    if (!r.ok) return set({ volumesError: r.error, volumesLoaded: true });
    const known = new Map(get().volumes.map((v) => [v.name, v.size]));
    const volumes = sizes
      ? r.value
      : r.value.map((v) => (known.get(v.name) === undefined ? v : { ...v, size: known.get(v.name) }));
    set({ volumes, volumesError: null, volumesLoaded: true });
  },
  async createVolume(req) {
    const r = await api().invoke('volumes.create', req);
    await get().refreshVolumes({ sizes: true });
    return r.ok ? null : r.error;
  },
  async removeVolume(name) {
    const r = await api().invoke('volumes.remove', { name });
    await get().refreshVolumes();
    return r.ok ? null : r.error;
  },
  async pruneVolumes(all) {
    const r = await api().invoke('volumes.prune', { all });
    await get().refreshVolumes({ sizes: true });
    return r.ok ? r.value : r.error;
  },
});
