// The engine's container interface: the one narrow set of operations that every front end calls in
// process — the Docker routes, the builder (as Moby's classic builder calls its Backend) and the
// kubelet (as a kubelet calls CRI). It knows no transport: arguments and results are plain values,
// promises and async iterables of tagged chunks; Docker's stream frames, hijacking and HTTP stay in
// native/dockerapi. Front ends depend on this file (types only), never on the service files behind
// it, so that a test can hand them a fake. The engine's implementation is engine-operations.ts.
import type { ImageRuntimeConfig } from '../../storage/image-config.ts';
import type { HeldImages } from '../images/operations.ts';
import type { StdioChunk } from '../stdio.ts';

/** HostConfig.Runtime of a container with no process that holds a pod's namespaces (pinned.ts). */
export { pinnedRuntime } from './model.ts';

/** A process's stdio as tagged chunks; an exec's ends with `{stream: 'exit', code, error?}`. */
export type ProcessChunk = StdioChunk;

/** A piece of a container's output. */
export type OutputChunk = Extract<StdioChunk, { stream: 'stdout' | 'stderr' }>;

/** A log record: its stream, its text and its RFC 3339 timestamp as the log file has it. */
export interface LogChunk {
  stream: 'stdout' | 'stderr';
  text: string;
  time: string;
}

/**
 * What a front end that manages containers of its own (the kubelet) needs to know of one: who it is,
 * how it is labelled, what it runs and how it is doing. Narrower than `docker inspect`, on purpose.
 */
export interface ContainerInfo {
  Id: string;
  /** Without Docker's leading slash. */
  Name: string;
  /** The image ID it runs. */
  Image: string;
  /** The image reference it was created from (Config.Image). */
  ImageRef: string;
  Labels: Record<string, string>;
  Created: string;
  State: {
    Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
    Pid: number;
    ExitCode: number;
    OOMKilled: boolean;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  /** Its address on the first network that gave it one ('' when none, or while stopped). */
  IPAddress: string;
}

export interface ListFilter {
  /** Only containers with every one of these labels (and values). */
  labels?: Record<string, string>;
}

export interface CreateOptions {
  name?: string;
  /** Docker's container create body (Config with HostConfig and NetworkingConfig), validated as dockerd does. */
  config: unknown;
}

export interface StopOptions {
  /** Seconds between the stop signal and SIGKILL; the container's own (or 10) when unset, -1 waits for ever. */
  timeoutS?: number;
  signal?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  StatusCode: number;
  Error: null | { Message: string };
}

export interface ExecOptions {
  cmd: string[];
  /** Copied to the command's stdin; its end closes it. */
  stdin?: AsyncIterable<Buffer>;
  env?: string[];
  user?: string;
  workdir?: string;
  tty?: boolean;
  privileged?: boolean;
  /** With a TTY: the terminal's sizes as the client's window changes. */
  resize?: AsyncIterable<{ width: number; height: number }>;
}

export interface AttachOptions {
  /** Copied to the container's stdin (when it has one open); its end closes the container's stdin. */
  stdin?: AsyncIterable<Buffer>;
  /** Begin with what the container has logged so far. */
  logs?: boolean;
}

export interface LogsOptions {
  follow?: boolean;
  /** The last n records only. */
  tail?: number;
  sinceNs?: bigint;
  untilNs?: bigint;
}

export interface StatsOptions {
  /** One sample a second until the container is removed or the caller stops reading. */
  stream: boolean;
  /** Without streaming: one sample at once, without waiting a second for a CPU delta (precpu_stats empty). */
  oneShot?: boolean;
  /** Stops a stream (the reader went away). */
  signal?: AbortSignal;
}

export interface ArchivePutOptions {
  noOverwriteDirNonDir?: boolean;
  copyUIDGID?: boolean;
}

export interface CommitOptions {
  /** Freeze a running container while its changes are read (docker commit's default). */
  pause?: boolean;
  /** The image's runtime config; by default the container's own with `changes` applied. */
  config?: ImageRuntimeConfig;
  /** Dockerfile-like lines applied to the container's config (`docker commit --change`). */
  changes?: string[];
  /** The history line's created_by; by default the container's command. */
  createdBy?: string;
  comment?: string;
  author?: string;
  /** Tag the image as repo[:tag]. */
  repo?: string;
  tag?: string;
  /** Keep the new image in this held set (a build's), pinned until its holder releases it. */
  into?: HeldImages;
  /** Send the container `commit` event (docker commit does; the builder's steps do not). */
  event?: boolean;
}

/**
 * What a front end may do with containers. Every method takes the container's ID or name and throws
 * the engine's errors (core/errors.ts kinds, dockerd's messages): not-found for an unknown container,
 * conflict for one in a state that refuses the operation (see state.ts).
 */
export interface ContainerOperations {
  /** Every container (running or not) that matches the filter. */
  list(filter?: ListFilter): Promise<ContainerInfo[]>;
  inspect(id: string): Promise<ContainerInfo>;
  create(opts: CreateOptions): Promise<{ Id: string; Warnings: string[] }>;
  /** Starts the container's process; resolves once it runs. A running container: not-modified. */
  start(id: string): Promise<void>;
  /** The stop signal, a grace period, then SIGKILL; resolves once the process has exited. */
  stop(id: string, opts?: StopOptions): Promise<void>;
  /** Sends a signal (SIGKILL by default) to the container's process. */
  kill(id: string, signal?: string): Promise<void>;
  /**
   * Waits for the condition. The wait is registered before this resolves, so a caller can wait for
   * `next-exit`, then start the container, then await `exited` without missing a quick exit.
   */
  wait(id: string, condition?: WaitCondition): Promise<{ exited: Promise<WaitResult> }>;
  remove(id: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Runs a command in the running container: its output, then one exit chunk (with dockerd's reason if it never ran). */
  exec(id: string, opts: ExecOptions): AsyncIterable<ProcessChunk>;
  /** The container's output from now (or from its next start) until it exits. */
  attach(id: string, opts?: AttachOptions): AsyncIterable<OutputChunk>;
  logs(id: string, opts?: LogsOptions): AsyncIterable<LogChunk>;
  /** Samples as dockerd's stats API has them (cpu_stats, precpu_stats, memory_stats…). */
  stats(id: string, opts: StatsOptions): AsyncIterable<Record<string, unknown>>;
  /**
   * The tar of a path in the container (docker cp from it), handed to `read` with its path-stat
   * header value while the container's filesystem is held.
   */
  archiveGet(
    id: string,
    path: string,
    read: (stat: string, tar: AsyncIterable<Buffer>) => Promise<void>,
  ): Promise<void>;
  /** Extracts a tar into a folder of the container (docker cp into it). */
  archivePut(id: string, path: string, tar: AsyncIterable<Buffer>, opts?: ArchivePutOptions): Promise<void>;
  /** The container's changes as a new image on top of its own; resolves with the image ID. */
  commit(id: string, opts?: CommitOptions): Promise<string>;
}
