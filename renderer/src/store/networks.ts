// The networks slice: the list with attached containers, and the actions, which answer with the
// engine's error for the screen to show inline.
import type {
  ContractError,
  CreateNetworkRequest,
  NetworkSummary,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface NetworksSlice {
  networks: NetworkSummary[];
  networksError: ContractError | null;
  networksLoaded: boolean;
  refreshNetworks(): Promise<void>;
  createNetwork(req: CreateNetworkRequest): Promise<ContractError | null>;
  removeNetwork(id: string): Promise<ContractError | null>;
  pruneNetworks(): Promise<{ deleted: string[] } | ContractError>;
}

export const networksSlice: Slice<NetworksSlice> = (set, get) => ({
  networks: [],
  networksError: null,
  networksLoaded: false,
  async refreshNetworks() {
    const r = await api().invoke('networks.list', undefined);
    set(
      r.ok
        ? { networks: r.value, networksError: null, networksLoaded: true }
        : { networksError: r.error, networksLoaded: true },
    );
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
  async pruneNetworks() {
    const r = await api().invoke('networks.prune', undefined);
    await get().refreshNetworks();
    return r.ok ? r.value : r.error;
  },
});
