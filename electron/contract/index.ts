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
  'images.list': { req: undefined; res: ImageSummary[] };
  'images.remove': { req: IdRequest & { force?: boolean }; res: undefined };
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
}
export type InvokeChannel = keyof InvokeMap;
export type InvokeRequest<C extends InvokeChannel> = InvokeMap[C]['req'];
export type InvokeResponse<C extends InvokeChannel> = InvokeMap[C]['res'];

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 timestamp from the engine, when asked for. */
  timestamp?: string;
  text: string;
}

/**
 * Streams: subscribe with params, receive events until the stream ends or the subscriber unsubscribes.
 * A stream ends with an `end` event (and an error when it failed).
 */
export interface EventMap {
  'containers.logs': {
    params: { id: string; follow: boolean; tail?: number; timestamps?: boolean };
    event: { lines: LogLine[] };
  };
  /** Opens an exec session (with a TTY) in a running container; bytes flow both ways. */
  'terminal.exec': {
    params: { id: string; cmd?: string[]; cols?: number; rows?: number };
    event: { type: 'ready'; session: string } | { type: 'data'; data: string };
  };
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
  'images.list',
  'images.remove',
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
] as const satisfies readonly InvokeChannel[];

export const eventChannels = ['containers.logs', 'terminal.exec'] as const satisfies readonly EventChannel[];

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
