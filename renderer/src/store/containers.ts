// The containers slice: the list, the selection, and the actions on one container or on the selection
// (each answers with the engine's error for the screen to show).
import type {
  ContainerSummary,
  ContractError,
  RunContainerRequest,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice } from './types.ts';

export interface ContainersSlice {
  containers: ContainerSummary[];
  containersError: ContractError | null;
  containersLoaded: boolean;
  search: string;
  selected: Record<string, true>;
  busy: Record<string, true>;
  refreshContainers(): Promise<void>;
  setSearch(s: string): void;
  toggleSelected(id: string): void;
  setSelected(ids: string[]): void;
  containerAction(
    action: 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove',
    id: string,
  ): Promise<ContractError | null>;
  removeSelected(): Promise<ContractError | null>;
  runContainer(req: RunContainerRequest): Promise<{ id: string } | ContractError>;
}

export const containersSlice: Slice<ContainersSlice> = (set, get) => ({
  containers: [],
  containersError: null,
  containersLoaded: false,
  search: '',
  selected: {},
  busy: {},
  async refreshContainers() {
    const r = await api().invoke('containers.list', { all: true });
    if (!r.ok) return set({ containersError: r.error, containersLoaded: true });
    const ids = new Set(r.value.map((c) => c.id));
    const selected = Object.fromEntries(
      Object.keys(get().selected)
        .filter((id) => ids.has(id))
        .map((id) => [id, true as const]),
    );
    set({ containers: r.value, containersError: null, containersLoaded: true, selected });
  },
  setSearch: (search) => set({ search }),
  toggleSelected(id) {
    const selected = { ...get().selected };
    if (selected[id]) delete selected[id];
    else selected[id] = true;
    set({ selected });
  },
  setSelected: (ids) => set({ selected: Object.fromEntries(ids.map((id) => [id, true as const])) }),
  async containerAction(action, id) {
    set({ busy: { ...get().busy, [id]: true } });
    const r =
      action === 'remove'
        ? await api().invoke('containers.remove', { id, force: true })
        : await api().invoke(`containers.${action}`, { id });
    const { [id]: _, ...busy } = get().busy;
    set({ busy });
    await get().refreshContainers();
    return r.ok ? null : r.error;
  },
  async removeSelected() {
    const ids = Object.keys(get().selected);
    const results = await Promise.all(
      ids.map((id) => api().invoke('containers.remove', { id, force: true })),
    );
    set({ selected: {} });
    await get().refreshContainers();
    const failed = results.find((r) => !r.ok);
    return failed && !failed.ok ? failed.error : null;
  },
  async runContainer(req) {
    const r = await api().invoke('containers.run', req);
    await get().refreshContainers();
    return r.ok ? r.value : r.error;
  },
});

/** Containers matching the search box (name, image, id prefix, state). */
export function filterContainers(list: ContainerSummary[], search: string): ContainerSummary[] {
  const q = search.trim().toLowerCase();
  if (!q) return list;
  return list.filter(
    (c) =>
      c.name.toLowerCase().includes(q) ||
      c.image.toLowerCase().includes(q) ||
      c.id.startsWith(q) ||
      c.state === q,
  );
}
