import type { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import type { CgroupInfo } from '../runtime/cgroups.ts';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import type { ContainerHealth, ContainerNetwork, ContainerVolumes } from './containers/hooks.ts';
import type { ContainerStore } from './containers/store.ts';
import type { EventBus } from './events.ts';
import type { ImageService } from './images/service.ts';

export interface EnginePaths {
  dataRoot: string;
  execRoot: string;
  containers: string;
  image: string;
  runtimeState: string;
  bundles: string;
  exits: string;
  execBundles: string;
  sockets: string;
  /** FIFOs made ahead for conmon's sync pipe (runtime/fifo-pool.ts). */
  fifos: string;
}

export function enginePaths(dataRoot: string, execRoot: string): EnginePaths {
  return {
    dataRoot,
    execRoot,
    containers: path.join(dataRoot, 'containers'),
    image: path.join(dataRoot, 'image'),
    runtimeState: path.join(execRoot, 'runtime'),
    bundles: path.join(execRoot, 'c'),
    exits: path.join(execRoot, 'exits'),
    execBundles: path.join(execRoot, 'x'),
    sockets: path.join(execRoot, 's'),
    fifos: path.join(execRoot, 'fifos'),
  };
}

/** Everything a container operation needs, passed explicitly rather than reached for. */
export interface ContainerContext {
  sys: Sys;
  log: Logger;
  clock: Clock;
  events: EventBus;
  store: ContainerStore;
  images: ImageService;
  runtime: OciRuntime;
  conmon: string;
  cgroups: CgroupInfo;
  paths: EnginePaths;
  /** tini-static or docker-init on the host, for --init. */
  initBinary: string | undefined;
  /** Lifecycle signals: `exit:<id>`, `removed:<id>`, `started:<id>`. */
  lifecycle: EventEmitter;
  /** Attach requests waiting for the next start of a container. */
  pendingAttach: Map<string, Array<() => Promise<void>>>;
  /** Per-container operation lock, so that start/stop/remove never interleave on one container. */
  locks: Map<string, Promise<unknown>>;
  /** Cancels a pending restart-policy restart (set by the exit monitor). */
  cancelRestart: (id: string) => void;
  /** Volumes and mounts, networks and healthchecks: the parts other services own. */
  volumes: ContainerVolumes;
  network: ContainerNetwork;
  health: ContainerHealth;
}

export function bundleDir(ctx: ContainerContext, id: string): string {
  return path.join(ctx.paths.bundles, id);
}

export function cgroupsPath(id: string): string {
  return `/berth/${id}`;
}

/** Runs `fn` after any operation already under way on the same container. */
export async function withLock<T>(ctx: ContainerContext, id: string, fn: () => Promise<T>): Promise<T> {
  const prev = ctx.locks.get(id) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  ctx.locks.set(id, settled);
  try {
    return await next;
  } finally {
    if (ctx.locks.get(id) === settled) ctx.locks.delete(id);
  }
}
