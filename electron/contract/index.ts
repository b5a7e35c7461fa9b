// The typed contract between the UI and main (Electron IPC or web mode). Channel names and types live
// here and nowhere else. No runtime dependencies: only types and a few constant lists.

export const errorKinds = [
  'unreachable',
  'not_found',
  'conflict',
  'invalid_argument',
  'forbidden',
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
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: string;
}

export interface RunContainerRequest {
  image: string;
  name?: string;
  /** Command to run, split into argv; default is the image's. */
  cmd?: string[];
  /** `KEY=value` strings. */
  env?: string[];
  ports?: { containerPort: number; hostPort?: number; protocol?: 'tcp' | 'udp' }[];
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
  'volumes.list': { req: undefined; res: VolumeSummary[] };
  'networks.list': { req: undefined; res: NetworkSummary[] };
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
  'networks.list',
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
