// The typed contract between the UI and main (Electron IPC or web mode). Channel names and types live
// here and nowhere else. No runtime dependencies: only types and a few constant lists.

export const errorKinds = [
  'unreachable',
  'not_found',
  'conflict',
  'invalid_argument',
  'forbidden',
  /** The endpoint cannot do this (e.g. a Berth-only API on another Docker engine). */
  'unsupported',
  'internal',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

export interface ContractError {
  kind: ErrorKind;
  /** A stable machine code, e.g. `engine.unreachable`, `container.not_found`, or an HTTP status. */
  code: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export interface EngineInfo {
  reachable: true;
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
}

export interface PortMapping {
  privatePort: number;
  publicPort?: number;
  type: string;
  ip?: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  status: string;
  created: number;
  ports: PortMapping[];
  composeProject?: string;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  size: number;
  created: number;
  containers: number;
}

export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  /** RFC 3339, when the engine reports it. */
  created?: string;
  labels: Record<string, string>;
  /** Bytes used, when asked for and the engine reports it (`docker system df -v`). */
  size?: number;
  /** Names of the containers (running or not) that mount the volume. */
  usedBy: string[];
}

/** One entry of a directory in a volume (Berth's engine only). */
export interface VolumeFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  /** RFC 3339. */
  mtime: string;
  /** Symlinks: where they point, as written. */
  linkTarget?: string;
}

/** A file's bytes for download, base64-encoded (the contract carries JSON). */
export interface FileDownload {
  name: string;
  size: number;
  base64: string;
}

export interface NetworkEndpoint {
  containerId: string;
  containerName: string;
  /** Without the prefix length, e.g. `172.30.0.2`. */
  ipv4?: string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: string;
  /** The first IPv4 subnet and gateway of its IPAM configuration. */
  subnet?: string;
  gateway?: string;
  internal: boolean;
  /** bridge, host and none: the engine's own, which cannot be removed. */
  builtin: boolean;
  created?: string;
  containers: NetworkEndpoint[];
}

export interface CreateNetworkRequest {
  name: string;
  /** IPv4 CIDR, e.g. `172.30.0.0/24`; the engine picks one when absent. */
  subnet?: string;
  gateway?: string;
  internal?: boolean;
}

export interface RunContainerRequest {
  image: string;
  name?: string;
  /** Command to run, split into argv; default is the image's. */
  cmd?: string[];
  /** `KEY=value` strings. */
  env?: string[];
  ports?: { containerPort: number; hostPort?: number; protocol?: 'tcp' | 'udp' }[];
  /** A volume name or an absolute host path, mounted at an absolute path in the container. */
  volumes?: { source: string; target: string; readOnly?: boolean }[];
  tty?: boolean;
}

export interface IdRequest {
  id: string;
}

/** One sample of a container's resource use, computed as `docker stats` computes it. */
export interface ContainerStatsSample {
  /** When the engine read it, ms since the epoch. */
  time: number;
  /** 100 is one CPU fully busy; up to 100 × onlineCpus. */
  cpuPercent: number;
  onlineCpus: number;
  /** Bytes in use without the page cache (inactive files), as `docker stats` shows. */
  memoryUsage: number;
  memoryLimit: number;
  memoryPercent: number;
  /** Totals since the container started, over all its interfaces. */
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  /** Bytes per second since the sample before (0 for the first one). */
  networkRxRate: number;
  networkTxRate: number;
  blockReadRate: number;
  blockWriteRate: number;
  pids: number;
}

/** A folder of a container's filesystem, from the archive API. */
export interface ContainerFileListing {
  /** The folder listed, absolute. */
  path: string;
  entries: VolumeFileEntry[];
  /** The folder was too big to list whole: some entries are missing. */
  truncated: boolean;
}

/** One step of an image's history, newest first (`docker history`). */
export interface ImageHistoryEntry {
  /** The image ID on the top step; `<missing>` below it, as Docker reports. */
  id: string;
  /** Unix seconds. */
  created: number;
  createdBy: string;
  /** Bytes the step added; 0 for steps that change only the configuration. */
  size: number;
  comment: string;
  tags: string[];
}

/** What one layer does to the filesystem (Berth's engine only), bottom layer first. */
export interface ImageLayerFiles {
  diffId: string;
  size: number;
  createdBy: string;
  added: string[];
  changed: string[];
  deleted: string[];
}

/** One message of a pull or a push: about a layer when `layer` is set, else about the whole image. */
export interface TransferProgress {
  status: string;
  /** Docker's short layer id (12 hex digits). */
  layer?: string;
  current?: number;
  total?: number;
}

/** A terminal session's events: it is ready for input and resize, then bytes of output. */
export type TerminalEvent = { type: 'ready'; session: string } | { type: 'data'; data: string };

export type ThemePreference = 'light' | 'dark' | 'system';

/** What the app keeps in its settings file. */
export interface AppSettings {
  /** The Docker endpoint the app talks to (`unix:///path`, `tcp://host:port`); null: the default one. */
  endpoint: string | null;
  theme: ThemePreference;
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

/** Request/response types of each invoke channel. */
export interface InvokeMap {
  'engine.info': { req: undefined; res: EngineInfo };
  'containers.list': { req: { all?: boolean }; res: ContainerSummary[] };
  'containers.inspect': { req: IdRequest; res: Record<string, unknown> };
  'containers.start': { req: IdRequest; res: undefined };
  'containers.stop': { req: IdRequest & { timeoutSeconds?: number }; res: undefined };
  'containers.restart': { req: IdRequest & { timeoutSeconds?: number }; res: undefined };
  'containers.pause': { req: IdRequest; res: undefined };
  'containers.unpause': { req: IdRequest; res: undefined };
  'containers.remove': { req: IdRequest & { force?: boolean }; res: undefined };
  'containers.run': { req: RunContainerRequest; res: { id: string } };
  /** Lists a folder of a container (running or not); symbolic links to folders are followed. */
  'containers.files': { req: IdRequest & { path: string }; res: ContainerFileListing };
  'containers.download': { req: IdRequest & { path: string }; res: FileDownload };
  'images.list': { req: undefined; res: ImageSummary[] };
  'images.remove': { req: IdRequest & { force?: boolean }; res: undefined };
  /** Gives an image another name, `repository[:tag]` (tag `latest` when it has none). */
  'images.tag': { req: IdRequest & { ref: string }; res: undefined };
  'images.history': { req: IdRequest; res: ImageHistoryEntry[] };
  /** Berth's engine only; other engines answer with an `unsupported` error. */
  'images.layers': { req: IdRequest; res: ImageLayerFiles[] };
  /** Removes dangling images, or every image no container uses with `all`. */
  'images.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
  /** `sizes` asks the engine for disk usage too (slower: it walks every volume). */
  'volumes.list': { req: { sizes?: boolean }; res: VolumeSummary[] };
  'volumes.create': { req: { name?: string; labels?: Record<string, string> }; res: { name: string } };
  'volumes.remove': { req: { name: string; force?: boolean }; res: undefined };
  /** Removes unused volumes: anonymous ones, or every unused one with `all`. */
  'volumes.prune': { req: { all?: boolean }; res: { deleted: string[]; spaceReclaimed: number } };
  /** Berth's engine only; other engines answer with an `unsupported` error. */
  'volumes.files': { req: { name: string; path: string }; res: VolumeFileEntry[] };
  'volumes.download': { req: { name: string; path: string }; res: FileDownload };
  'networks.list': { req: undefined; res: NetworkSummary[] };
  'networks.create': { req: CreateNetworkRequest; res: { id: string } };
  'networks.remove': { req: IdRequest; res: undefined };
  'networks.prune': { req: undefined; res: { deleted: string[] } };
  /** Opens an http(s) URL in the user's browser (Electron; web mode opens links itself). */
  'app.openExternal': { req: { url: string }; res: undefined };
  /** Sends input bytes (UTF-8 text) to an open terminal session. */
  'terminal.input': { req: { session: string; data: string }; res: undefined };
  'terminal.resize': { req: { session: string; cols: number; rows: number }; res: undefined };
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
export type InvokeChannel = keyof InvokeMap;
export type InvokeRequest<C extends InvokeChannel> = InvokeMap[C]['req'];
export type InvokeResponse<C extends InvokeChannel> = InvokeMap[C]['res'];

/**
 * Lines of a container's log, in order, batched for speed (a million lines must open at once): `text`
 * holds `count` lines joined by '\n'. With timestamps asked for, each line starts with its RFC 3339
 * timestamp and a space.
 */
export interface LogBatch {
  text: string;
  count: number;
  /** The lines that came from stderr, as [start, end) index pairs within the batch, flattened. */
  stderr: number[];
}

/**
 * Streams: subscribe with params, receive events until the stream ends or the subscriber unsubscribes.
 * A stream ends with an `end` event (and an error when it failed).
 */
export interface EventMap {
  'containers.logs': {
    params: { id: string; follow: boolean; tail?: number; timestamps?: boolean };
    event: LogBatch;
  };
  /** One sample a second while the container runs. */
  'containers.stats': { params: { id: string }; event: ContainerStatsSample };
  /** Pulls `ref` (tag `latest` when it names none); ends with an error when the pull fails. */
  'images.pull': { params: { ref: string }; event: TransferProgress };
  /** Pushes `ref` (one tag) to its registry. */
  'images.push': { params: { ref: string }; event: TransferProgress };
  /** Opens an exec session (with a TTY) in a running container; bytes flow both ways. */
  'terminal.exec': {
    params: { id: string; cmd?: string[]; cols?: number; rows?: number };
    event: TerminalEvent;
  };
  /** Opens a shell on the user's machine with DOCKER_HOST set to the engine the app uses. */
  'terminal.host': { params: { cols?: number; rows?: number }; event: TerminalEvent };
}
export type EventChannel = keyof EventMap;
export type EventParams<C extends EventChannel> = EventMap[C]['params'];
export type EventPayload<C extends EventChannel> = EventMap[C]['event'];

export type StreamMessage<C extends EventChannel> =
  | { type: 'event'; event: EventPayload<C> }
  | { type: 'end'; error?: ContractError };

export const invokeChannels = [
  'engine.info',
  'containers.list',
  'containers.inspect',
  'containers.start',
  'containers.stop',
  'containers.restart',
  'containers.pause',
  'containers.unpause',
  'containers.remove',
  'containers.run',
  'containers.files',
  'containers.download',
  'images.list',
  'images.remove',
  'images.tag',
  'images.history',
  'images.layers',
  'images.prune',
  'volumes.list',
  'volumes.create',
  'volumes.remove',
  'volumes.prune',
  'volumes.files',
  'volumes.download',
  'networks.list',
  'networks.create',
  'networks.remove',
  'networks.prune',
  'app.openExternal',
  'terminal.input',
  'terminal.resize',
  'settings.get',
  'settings.setTheme',
  'settings.setEndpoint',
  'settings.setStartAtLogin',
  'troubleshoot.info',
  'troubleshoot.engineLogs',
  'troubleshoot.restartEngine',
  'troubleshoot.reset',
] as const satisfies readonly InvokeChannel[];

export const eventChannels = [
  'containers.logs',
  'containers.stats',
  'images.pull',
  'images.push',
  'terminal.exec',
  'terminal.host',
] as const satisfies readonly EventChannel[];

export function isInvokeChannel(c: string): c is InvokeChannel {
  return (invokeChannels as readonly string[]).includes(c);
}
export function isEventChannel(c: string): c is EventChannel {
  return (eventChannels as readonly string[]).includes(c);
}

/** What the renderer sees as `window.berth` (preload) or the web-mode client: the same shape. */
export interface BerthApi {
  invoke<C extends InvokeChannel>(channel: C, req: InvokeRequest<C>): Promise<Result<InvokeResponse<C>>>;
  /** Returns an unsubscribe function. */
  subscribe<C extends EventChannel>(
    channel: C,
    params: EventParams<C>,
    onMessage: (msg: StreamMessage<C>) => void,
  ): () => void;
}

// Wire messages for transports that multiplex over one connection (web mode WebSocket, Electron ports).
export type ClientMessage =
  | { op: 'invoke'; id: number; channel: string; req: unknown }
  | { op: 'subscribe'; id: number; channel: string; params: unknown }
  | { op: 'unsubscribe'; id: number };
export type ServerMessage =
  | { op: 'result'; id: number; result: Result<unknown> }
  | { op: 'stream'; id: number; msg: StreamMessage<EventChannel> };
