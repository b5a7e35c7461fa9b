// One store of typed slices; components read it with selectors.
import { create, type StateCreator } from 'zustand';
import type {
  ContainerSummary,
  ContractError,
  EngineInfo,
  ImageSummary,
  RunContainerRequest,
} from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import { type NetworksSlice, networksSlice } from './networks.ts';
import { type VolumesSlice, volumesSlice } from './volumes.ts';

export type Route =
  | { screen: 'dashboard' }
  | { screen: 'containers' }
  | { screen: 'container'; id: string }
  | { screen: 'images' }
  | { screen: 'volumes' }
  | { screen: 'volume'; name: string }
  | { screen: 'networks' };
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

export interface ImagesSlice {
  images: ImageSummary[];
  imagesError: ContractError | null;
  imagesLoaded: boolean;
  refreshImages(): Promise<void>;
  removeImage(id: string): Promise<ContractError | null>;
}

export interface UiSlice {
  route: Route;
  theme: Theme;
  navigate(route: Route): void;
  toggleTheme(): void;
}

export type State = EngineSlice & ContainersSlice & ImagesSlice & VolumesSlice & NetworksSlice & UiSlice;
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

const imagesSlice: Slice<ImagesSlice> = (set, get) => ({
  images: [],
  imagesError: null,
  imagesLoaded: false,
  async refreshImages() {
    const r = await api().invoke('images.list', undefined);
    set(
      r.ok
        ? { images: r.value, imagesError: null, imagesLoaded: true }
        : { imagesError: r.error, imagesLoaded: true },
    );
  },
  async removeImage(id) {
    const r = await api().invoke('images.remove', { id });
    await get().refreshImages();
    return r.ok ? null : r.error;
  },
});

export function parseRoute(hash: string): Route {
  const [, screen, id] = hash.replace(/^#/, '').split('/');
  if (screen === 'containers' && id) return { screen: 'container', id: decodeURIComponent(id) };
  if (screen === 'volumes' && id) return { screen: 'volume', name: decodeURIComponent(id) };
  if (screen === 'containers' || screen === 'images' || screen === 'volumes' || screen === 'networks')
    return { screen };
  return { screen: 'dashboard' };
}

export function routeHash(r: Route): string {
  if (r.screen === 'container') return `#/containers/${encodeURIComponent(r.id)}`;
  if (r.screen === 'volume') return `#/volumes/${encodeURIComponent(r.name)}`;
  return `#/${r.screen}`;
}

const inBrowser = typeof window !== 'undefined' && typeof localStorage !== 'undefined';

function initialTheme(): Theme {
  if (!inBrowser) return 'dark';
  const saved = localStorage.getItem('berth.theme');
  if (saved === 'dark' || saved === 'light') return saved;
  return matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

const uiSlice: Slice<UiSlice> = (set, get) => ({
  route: inBrowser ? parseRoute(location.hash) : { screen: 'dashboard' },
  theme: initialTheme(),
  navigate(route) {
    if (inBrowser && location.hash !== routeHash(route)) history.pushState(null, '', routeHash(route));
    set({ route });
  },
  toggleTheme() {
    const theme = get().theme === 'dark' ? 'light' : 'dark';
    if (inBrowser) localStorage.setItem('berth.theme', theme);
    set({ theme });
  },
});

export const useStore = create<State>()((...a) => ({
  ...engineSlice(...a),
  ...containersSlice(...a),
  ...imagesSlice(...a),
  ...volumesSlice(...a),
  ...networksSlice(...a),
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
