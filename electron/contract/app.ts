// The app itself: its settings, the engine it manages, troubleshooting, and the desktop shell.
import type { ChannelList } from './channel-list.ts';

export type ThemePreference = 'light' | 'dark' | 'system';

/** What the app keeps in its settings file. */
export interface AppSettings {
  /** The Docker endpoint the app talks to (`unix:///path`, `tcp://host:port`); null: the default one. */
  endpoint: string | null;
  theme: ThemePreference;
  /** The app starts the machine (the VM, or the native engine) when it starts. */
  startMachineOnLaunch: boolean;
  /** The Kubernetes context the app shows (its own choice: the kubeconfig's current-context is kubectl's). */
  kubeContext?: string;
}

/** Something the app can do here, or why it cannot. */
export type Availability<T> = ({ available: true } & T) | { available: false; reason: string };

export interface SettingsView {
  settings: AppSettings;
  /** The endpoint in use now. */
  endpoint: string;
  /**
   * What `endpoint: null` stands for: DOCKER_HOST when it was set, else Berth's own engine, else
   * Docker's standard socket when only that exists.
   */
  defaultEndpoint: { endpoint: string; source: 'DOCKER_HOST' | 'berth' | 'docker' };
  startAtLogin: Availability<{ enabled: boolean }>;
  /** The settings file. */
  file: string;
}

/** The berthd this app started itself (and so can show the log of, restart and reset). */
export interface ManagedEngineInfo {
  endpoint: string;
  running: boolean;
  /** Spawned by the app and not answering yet. */
  starting: boolean;
  pid?: number;
  logFile: string;
  /** Its containers, images, volumes and networks. */
  dataRoot: string;
  /**
   * After it died by itself: the app starts it again, `inMs` from now (0: starting now), waiting longer
   * after each death (1 s, 2 s, 4 s … 30 s; back to 1 s once it stays up). `lastExit` says how it ended.
   */
  autoRestart?: { attempt: number; inMs: number; lastExit: string } | null;
}

export interface TroubleshootInfo {
  endpoint: string;
  managed: ManagedEngineInfo | null;
  /** Where the engine's logs are, in words (for an engine the app did not start). */
  logsHint: string;
  settingsFile: string;
}

export interface EngineLogTail {
  file: string;
  lines: string[];
  /** Older lines exist in the file. */
  truncated: boolean;
}

export interface AppInvoke {
  /** Opens an http(s) URL in the user's browser (Electron; web mode opens links itself). */
  'app.openExternal': { req: { url: string }; res: undefined };
  'settings.get': { req: undefined; res: SettingsView };
  'settings.setTheme': { req: { theme: ThemePreference }; res: SettingsView };
  /** Pings the endpoint first: one that does not answer is refused (`unreachable`) and nothing changes. */
  'settings.setEndpoint': { req: { endpoint: string | null }; res: SettingsView };
  /** The desktop app only; web mode answers `unsupported`. */
  'settings.setStartAtLogin': { req: { enabled: boolean }; res: SettingsView };
  'troubleshoot.info': { req: undefined; res: TroubleshootInfo };
  /** The log of the engine the app started; `unsupported`, saying where to look, for any other. */
  'troubleshoot.engineLogs': { req: { lines?: number }; res: EngineLogTail };
  /** Only for the engine the app started. */
  'troubleshoot.restartEngine': { req: undefined; res: undefined };
  /**
   * Deletes the app's settings and, when the app started the engine, its data root (every container,
   * image, volume and network): the engine is stopped first and started again after.
   */
  'troubleshoot.reset': { req: undefined; res: { deleted: string[] } };
}

export const appChannels: ChannelList<AppInvoke> = {
  'app.openExternal': true,
  'settings.get': true,
  'settings.setTheme': true,
  'settings.setEndpoint': true,
  'settings.setStartAtLogin': true,
  'troubleshoot.info': true,
  'troubleshoot.engineLogs': true,
  'troubleshoot.restartEngine': true,
  'troubleshoot.reset': true,
};
