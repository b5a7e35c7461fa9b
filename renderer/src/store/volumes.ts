// The volumes slice: the list (sizes refreshed less often: they cost the engine a walk of every volume),
// its search, filter and selection, and the actions, which answer with the engine's error for the
// screen to report.
import type { ContractError, VolumeSummary } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { receive, send } from '../api/transfers.ts';
import { type BulkOutcome, kept, type Selection, selectionOf, toggled, type UseFilter } from './lists.ts';
import type { Slice } from './types.ts';

export interface VolumesSlice {
  volumes: VolumeSummary[];
  volumesError: ContractError | null;
  volumesLoaded: boolean;
  volumeSearch: string;
  volumeFilter: UseFilter;
  selectedVolumes: Selection;
  /** Without `sizes`, each volume keeps the size it had. */
  refreshVolumes(opts?: { sizes?: boolean }): Promise<void>;
  setVolumeSearch(s: string): void;
  setVolumeFilter(f: UseFilter): void;
  toggleVolume(name: string): void;
  setSelectedVolumes(names: string[]): void;
  /** The volume with its size, asking the engine for sizes when the list has none yet. */
  volumeWithSize(name: string): Promise<VolumeSummary | undefined>;
  createVolume(req: { name?: string; labels?: Record<string, string> }): Promise<ContractError | null>;
  removeVolume(name: string): Promise<ContractError | null>;
  removeVolumes(names: string[]): Promise<BulkOutcome>;
  pruneVolumes(all: boolean): Promise<{ deleted: string[]; spaceReclaimed: number } | ContractError>;
  cloneVolume(name: string, target: string): Promise<ContractError | null>;
  /** Downloads the volume as `<name>.tar`; null bytes when the user cancelled the save. */
  exportVolume(name: string): Promise<{ bytes: number } | null | ContractError>;
  /** Sends a tar into the volume `name` (made when missing; an existing one must be empty). */
  importVolume(
    name: string,
    tar: Blob,
    onProgress?: (sent: number, total: number) => void,
  ): Promise<ContractError | null>;
}

/** Volumes matching the search (name, label, mountpoint or user) and the use filter. */
export function filterVolumes(list: VolumeSummary[], search: string, filter: UseFilter): VolumeSummary[] {
  const q = search.trim().toLowerCase();
  return list.filter((v) => {
    if (filter === 'used' && v.usedBy.length === 0) return false;
    if (filter === 'unused' && v.usedBy.length > 0) return false;
    if (!q) return true;
    return (
      v.name.toLowerCase().includes(q) ||
      v.mountpoint.toLowerCase().includes(q) ||
      v.usedBy.some((c) => c.toLowerCase().includes(q)) ||
      Object.entries(v.labels).some(([k, val]) => `${k}=${val}`.toLowerCase().includes(q))
    );
  });
}

export const volumesSlice: Slice<VolumesSlice> = (set, get) => ({
  volumes: [],
  volumesError: null,
  volumesLoaded: false,
  volumeSearch: '',
  volumeFilter: 'all',
  selectedVolumes: {},
  async refreshVolumes(opts) {
    const sizes = opts?.sizes ?? false;
    const r = await api().invoke('volumes.list', { sizes });
    if (!r.ok) return set({ volumesError: r.error, volumesLoaded: true });
    const known = new Map(get().volumes.map((v) => [v.name, v.size]));
    const volumes = sizes
      ? r.value
      : r.value.map((v) => (known.get(v.name) === undefined ? v : { ...v, size: known.get(v.name) }));
    const names = new Set(volumes.map((v) => v.name));
    const selectedVolumes = kept(get().selectedVolumes, (n) => names.has(n));
    set({ volumes, volumesError: null, volumesLoaded: true, selectedVolumes });
  },
  setVolumeSearch: (volumeSearch) => set({ volumeSearch }),
  setVolumeFilter: (volumeFilter) => set({ volumeFilter }),
  toggleVolume: (name) => set({ selectedVolumes: toggled(get().selectedVolumes, name) }),
  setSelectedVolumes: (names) => set({ selectedVolumes: selectionOf(names) }),
  async volumeWithSize(name) {
    const known = get().volumes.find((v) => v.name === name);
    if (known?.size !== undefined) return known;
    await get().refreshVolumes({ sizes: true });
    return get().volumes.find((v) => v.name === name);
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
  async removeVolumes(names) {
    const out: BulkOutcome = { done: [], failed: [] };
    for (const name of names) {
      const r = await api().invoke('volumes.remove', { name });
      if (r.ok) out.done.push(name);
      else out.failed.push({ name, error: r.error });
    }
    await get().refreshVolumes();
    return out;
  },
  async pruneVolumes(all) {
    const r = await api().invoke('volumes.prune', { all });
    await get().refreshVolumes({ sizes: true });
    return r.ok ? r.value : r.error;
  },
  async cloneVolume(name, target) {
    const r = await api().invoke('volumes.clone', { name, target });
    await get().refreshVolumes({ sizes: true });
    return r.ok ? null : r.error;
  },
  async exportVolume(name) {
    const t = await api().invoke('volumes.export', { name });
    if (!t.ok) return t.error;
    const r = await receive(t.value);
    return r.ok ? r.value : r.error;
  },
  async importVolume(name, tar, onProgress) {
    const t = await api().invoke('volumes.import', { name });
    const err = t.ok ? await send(t.value, tar, onProgress) : t.error;
    await get().refreshVolumes({ sizes: true });
    return err;
  },
});
