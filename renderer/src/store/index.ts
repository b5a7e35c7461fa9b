// One store of typed slices; components read it with selectors.
import { create, type StateCreator } from 'zustand';
import type {
  ContainerSummary,
  ContractError,
  EngineInfo,
  RunContainerRequest,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { type ImagesSlice, imagesSlice } from './images.ts';
import { type NetworksSlice, networksSlice } from './networks.ts';
import { type SettingsSlice, settingsSlice } from './settings.ts';
import { type TroubleshootSlice, troubleshootSlice } from './troubleshoot.ts';
import { type VolumesSlice, volumesSlice } from './volumes.ts';

export type Route =
  | { screen: 'dashboard' }
  | { screen: 'containers' }
  | { screen: 'container'; id: string }
  | { screen: 'images' }
  | { screen: 'image'; id: string }
  | { screen: 'terminal' }
  | { screen: 'volumes' }
  | { screen: 'volume'; name: string }
  | { screen: 'networks' }
  | { screen: 'settings' }
  | { screen: 'troubleshoot' };
export type Theme = 'dark' | 'light';

export interface EngineSlice {
  engine: EngineInfo | null;
  engineError: ContractError | null;
  engineLoaded: boolean;
  refreshEngine(): Promise<void>;
}

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

export interface UiSlice {
  route: Route;
  navigate(route: Route): void;
}

export type State = EngineSlice &
  ContainersSlice &
  ImagesSlice &
  VolumesSlice &
  NetworksSlice &
  SettingsSlice &
  TroubleshootSlice &
  UiSlice;
export type Slice<T> = StateCreator<State, [], [], T>;

const engineSlice: Slice<EngineSlice> = (set) => ({
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

const containersSlice: Slice<ContainersSlice> = (set, get) => ({
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

export function parseRoute(hash: string): Route {
  const [, screen, id] = hash.replace(/^#/, '').split('/');
  if (screen === 'containers' && id) return { screen: 'container', id: decodeURIComponent(id) };
  if (screen === 'volumes' && id) return { screen: 'volume', name: decodeURIComponent(id) };
  if (screen === 'images' && id) return { screen: 'image', id: decodeURIComponent(id) };
  if (
    screen === 'containers' ||
    screen === 'images' ||
    screen === 'volumes' ||
    screen === 'networks' ||
    screen === 'terminal' ||
    screen === 'settings' ||
    screen === 'troubleshoot'
  )
    return { screen };
  return { screen: 'dashboard' };
}

export function routeHash(r: Route): string {
  if (r.screen === 'container') return `#/containers/${encodeURIComponent(r.id)}`;
  if (r.screen === 'volume') return `#/volumes/${encodeURIComponent(r.name)}`;
  if (r.screen === 'image') return `#/images/${encodeURIComponent(r.id)}`;
  return `#/${r.screen}`;
}

const inBrowser = typeof window !== 'undefined' && typeof localStorage !== 'undefined';

const uiSlice: Slice<UiSlice> = (set) => ({
  route: inBrowser ? parseRoute(location.hash) : { screen: 'dashboard' },
  navigate(route) {
    if (inBrowser && location.hash !== routeHash(route)) history.pushState(null, '', routeHash(route));
    set({ route });
  },
});

export const useStore = create<State>()((...a) => ({
  ...engineSlice(...a),
  ...containersSlice(...a),
  ...imagesSlice(...a),
  ...volumesSlice(...a),
  ...networksSlice(...a),
  ...settingsSlice(...a),
  ...troubleshootSlice(...a),
  ...uiSlice(...a),
}));

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
