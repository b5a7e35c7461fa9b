// The networks slice: the list with attached containers, its search, filter and selection, and the
// actions, which answer with the engine's error for the screen to report.
import type {
  ContractError,
  CreateNetworkRequest,
  NetworkSummary,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { type BulkOutcome, kept, type Selection, selectionOf, toggled, type UseFilter } from './lists.ts';
import type { Slice } from './types.ts';

export interface NetworksSlice {
  networks: NetworkSummary[];
  networksError: ContractError | null;
  networksLoaded: boolean;
  networkSearch: string;
  networkFilter: UseFilter;
  /** By id; the engine's own networks (bridge, host, none) are never selected. */
  selectedNetworks: Selection;
  refreshNetworks(): Promise<void>;
  setNetworkSearch(s: string): void;
  setNetworkFilter(f: UseFilter): void;
  toggleNetwork(id: string): void;
  setSelectedNetworks(ids: string[]): void;
  createNetwork(req: CreateNetworkRequest): Promise<ContractError | null>;
  removeNetwork(id: string): Promise<ContractError | null>;
  /** `done` and `failed` name the networks. */
  removeNetworks(ids: string[]): Promise<BulkOutcome>;
  pruneNetworks(): Promise<{ deleted: string[] } | ContractError>;
}

/** Networks matching the search (name, id, driver, subnet, gateway or a container) and the use filter. */
export function filterNetworks(list: NetworkSummary[], search: string, filter: UseFilter): NetworkSummary[] {
  const q = search.trim().toLowerCase();
  return list.filter((n) => {
    if (filter === 'used' && n.containers.length === 0) return false;
    if (filter === 'unused' && n.containers.length > 0) return false;
    if (!q) return true;
    return (
      n.name.toLowerCase().includes(q) ||
      n.id.startsWith(q) ||
      n.driver.toLowerCase() === q ||
      (n.subnet ?? '').includes(q) ||
      (n.gateway ?? '').includes(q) ||
      n.containers.some((c) => c.containerName.toLowerCase().includes(q))
    );
  });
}

export const networksSlice: Slice<NetworksSlice> = (set, get) => ({
  networks: [],
  networksError: null,
  networksLoaded: false,
  networkSearch: '',
  networkFilter: 'all',
  selectedNetworks: {},
  async refreshNetworks() {
    const r = await api().invoke('networks.list', undefined);
    if (!r.ok) return set({ networksError: r.error, networksLoaded: true });
    const ids = new Set(r.value.filter((n) => !n.builtin).map((n) => n.id));
    const selectedNetworks = kept(get().selectedNetworks, (id) => ids.has(id));
    set({ networks: r.value, networksError: null, networksLoaded: true, selectedNetworks });
  },
  setNetworkSearch: (networkSearch) => set({ networkSearch }),
  setNetworkFilter: (networkFilter) => set({ networkFilter }),
  toggleNetwork(id) {
    if (get().networks.find((n) => n.id === id)?.builtin) return;
    set({ selectedNetworks: toggled(get().selectedNetworks, id) });
  },
  setSelectedNetworks(ids) {
    const builtin = new Set(
      get()
        .networks.filter((n) => n.builtin)
        .map((n) => n.id),
    );
    set({ selectedNetworks: selectionOf(ids.filter((id) => !builtin.has(id))) });
  },
  async createNetwork(req) {
    const r = await api().invoke('networks.create', req);
    await get().refreshNetworks();
    return r.ok ? null : r.error;
  },
  async removeNetwork(id) {
    const r = await api().invoke('networks.remove', { id });
    await get().refreshNetworks();
    return r.ok ? null : r.error;
  },
  async removeNetworks(ids) {
    const names = new Map(get().networks.map((n) => [n.id, n.name]));
    const out: BulkOutcome = { done: [], failed: [] };
    for (const id of ids) {
      const r = await api().invoke('networks.remove', { id });
      const name = names.get(id) ?? id;
      if (r.ok) out.done.push(name);
      else out.failed.push({ name, error: r.error });
    }
    await get().refreshNetworks();
    return out;
  },
  async pruneNetworks() {
    const r = await api().invoke('networks.prune', undefined);
    await get().refreshNetworks();
    return r.ok ? r.value : r.error;
  },
});
