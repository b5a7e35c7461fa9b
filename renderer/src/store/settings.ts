// The settings slice: what the settings file holds (through main), the theme in effect (a preference
// of light, dark or system; system follows prefers-color-scheme as it changes), the engine endpoint
// and start at login. The theme preference is cached in localStorage so the first paint is right.
import type { ContractError, SettingsView, ThemePreference } from '../../../electron/contract/index.ts';
import { api } from '../api/client.ts';
import type { Slice, Theme } from './types.ts';

export interface SettingsSlice {
  settings: SettingsView | null;
  settingsError: ContractError | null;
  themePreference: ThemePreference;
  systemTheme: Theme;
  /** The theme in effect. */
  theme: Theme;
  loadSettings(): Promise<void>;
  setThemePreference(theme: ThemePreference): Promise<ContractError | null>;
  /** The sidebar's switch: the theme not shown now, kept as an explicit choice. */
  toggleTheme(): void;
  setSystemTheme(theme: Theme): void;
  /** Follows the system's light/dark setting; returns the function that stops. */
  watchSystemTheme(): () => void;
  /** null: the default endpoint. Refreshes what the screens show once the app talks to the new one. */
  setEndpoint(endpoint: string | null): Promise<ContractError | null>;
  setStartAtLogin(enabled: boolean): Promise<ContractError | null>;
}

const cacheKey = 'berth.theme';
const inBrowser = typeof window !== 'undefined' && typeof localStorage !== 'undefined';
const lightQuery = '(prefers-color-scheme: light)';

export const resolveTheme = (pref: ThemePreference, system: Theme): Theme =>
  pref === 'system' ? system : pref;

function cachedPreference(): ThemePreference {
  const saved = inBrowser ? localStorage.getItem(cacheKey) : null;
  return saved === 'light' || saved === 'dark' || saved === 'system' ? saved : 'system';
}

function systemThemeNow(): Theme {
  return inBrowser && matchMedia(lightQuery).matches ? 'light' : 'dark';
}

export const settingsSlice: Slice<SettingsSlice> = (set, get) => {
  const applyPreference = (themePreference: ThemePreference) => {
    if (inBrowser) localStorage.setItem(cacheKey, themePreference);
    set({ themePreference, theme: resolveTheme(themePreference, get().systemTheme) });
  };
  const keep = (r: { ok: true; value: SettingsView } | { ok: false; error: ContractError }) => {
    if (!r.ok) return r.error;
    // A fake transport in tests may answer without a value.
    if (r.value) set({ settings: r.value, settingsError: null });
    return null;
  };
  const initialPreference = cachedPreference();
  const initialSystem = systemThemeNow();
  return {
    settings: null,
    settingsError: null,
    themePreference: initialPreference,
    systemTheme: initialSystem,
    theme: resolveTheme(initialPreference, initialSystem),
    async loadSettings() {
      const r = await api().invoke('settings.get', undefined);
      if (!r.ok) return set({ settingsError: r.error });
      set({ settings: r.value, settingsError: null });
      applyPreference(r.value.settings.theme);
    },
    async setThemePreference(theme) {
      applyPreference(theme); // shown at once; the file follows
      return keep(await api().invoke('settings.setTheme', { theme }));
    },
    toggleTheme() {
      void get().setThemePreference(get().theme === 'dark' ? 'light' : 'dark');
    },
    setSystemTheme(systemTheme) {
      set({ systemTheme, theme: resolveTheme(get().themePreference, systemTheme) });
    },
    watchSystemTheme() {
      if (!inBrowser) return () => undefined;
      const mq = matchMedia(lightQuery);
      const onChange = () => get().setSystemTheme(mq.matches ? 'light' : 'dark');
      mq.addEventListener('change', onChange);
      onChange();
      return () => mq.removeEventListener('change', onChange);
    },
    async setEndpoint(endpoint) {
      const err = keep(await api().invoke('settings.setEndpoint', { endpoint }));
      if (err) return err;
      const s = get();
      await Promise.all([s.refreshEngine(), s.refreshContainers(), s.refreshImages()]);
      return null;
    },
    async setStartAtLogin(enabled) {
      return keep(await api().invoke('settings.setStartAtLogin', { enabled }));
    },
  };
};
