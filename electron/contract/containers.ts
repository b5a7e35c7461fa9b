// Containers: the list, actions, run, inspect, files, logs and stats.
import type { ChannelList } from './channel-list.ts';
import type { TransferTicket } from './transfers.ts';
import type { FilePreview, VolumeFileEntry } from './volumes.ts';

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
  // --- Containers list, detail and compose projects (health, exit code, compose service) ---
  /** The healthcheck's verdict; absent when the container has no healthcheck (or is not running). */
  health?: ContainerHealth;
  /** The last exit code, for an exited or restarting container. */
  exitCode?: number;
  /** `com.docker.compose.service`. */
  composeService?: string;
  /** `com.docker.compose.project.working_dir`: where the project's compose file is. */
  composeWorkingDir?: string;
  // --- end ---
}

// --- Containers list, detail and compose projects ---
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting';

/** A running container's resource use now, for the list's CPU and memory columns. */
export interface ContainerUsage {
  id: string;
  /** 100 is one CPU fully busy; null until a second sample gives a rate. */
  cpuPercent: number | null;
  /** Bytes in use without the page cache, as `docker stats` shows. */
  memoryUsage: number;
  memoryLimit: number;
}

/** How a removal kept for a while (so that it can be undone) ended. */
export interface RemovalOutcome {
  id: string;
  name: string;
  outcome: 'removed' | 'failed' | 'restored';
  /** The engine's words, when it failed. */
  message?: string;
}
// --- end ---

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

/** `docker run -d`: what the run form asks for. */
export interface RunContainerRequest {
  image: string;
  name?: string;
  /** Command to run, split into argv; default is the image's. */
  cmd?: string[];
  /** Replaces the image's entrypoint, split into argv; default is the image's. */
  entrypoint?: string[];
  /** `KEY=value` strings. */
  env?: string[];
  /** One host port each; one container port may be published on several (`-p 8080:80 -p 8081:80`). */
  ports?: { containerPort: number; hostPort?: number; protocol?: 'tcp' | 'udp' }[];
  /** A volume name or an absolute host path, mounted at an absolute path in the container. */
  volumes?: { source: string; target: string; readOnly?: boolean }[];
  /** A network's name or ID (`--network`); default is the engine's `bridge`. */
  network?: string;
  /** `--restart`; `maxRetries` only with `on-failure`. */
  restart?: { name: RestartPolicyName; maxRetries?: number };
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

export interface ContainersInvoke {
  'containers.list': { req: { all?: boolean }; res: ContainerSummary[] };
  'containers.inspect': { req: IdRequest; res: Record<string, unknown> };
  'containers.start': { req: IdRequest; res: undefined };
  'containers.stop': { req: IdRequest & { timeoutSeconds?: number }; res: undefined };
  'containers.restart': { req: IdRequest & { timeoutSeconds?: number }; res: undefined };
  'containers.pause': { req: IdRequest; res: undefined };
  'containers.unpause': { req: IdRequest; res: undefined };
  'containers.remove': { req: IdRequest & { force?: boolean }; res: undefined };
  'containers.run': { req: RunContainerRequest; res: { id: string } };
  // The Files tab, through the archive API (running or stopped containers alike), except deletion.
  /** Lists a folder of a container; symbolic links to folders are followed. */
  'containers.files': { req: IdRequest & { path: string }; res: ContainerFileListing };
  'containers.preview': { req: IdRequest & { path: string }; res: FilePreview };
  'containers.download': { req: IdRequest & { path: string }; res: TransferTicket };
  /** Starts an upload: the tar sent (transfers.write/finish) is extracted into the folder `path`. */
  'containers.upload': { req: IdRequest & { path: string }; res: TransferTicket };
  'containers.mkdir': { req: IdRequest & { path: string }; res: undefined };
  /** Deletes a file or a folder (`rm -rf` run in the container): only while the container runs. */
  'containers.deletePath': { req: IdRequest & { path: string }; res: undefined };
  // --- Containers list, detail and compose projects ---
  /** Current CPU and memory of every running container, in one call (the list polls it). */
  'containers.usage': { req: undefined; res: ContainerUsage[] };
  /**
   * Removes stopped containers after `delayMs`, in main (so it happens even if the page goes away);
   * until then the list leaves them out and `containers.undoRemove` brings them back. A running one
   * is refused: it takes `containers.remove` with force.
   */
  'containers.removeLater': { req: { ids: string[] }; res: { delayMs: number } };
  /** The ids still waiting to be removed are kept; answers which were. */
  'containers.undoRemove': { req: { ids: string[] }; res: { restored: string[] } };
  // --- end ---
}

export const containersChannels: ChannelList<ContainersInvoke> = {
  'containers.list': true,
  'containers.inspect': true,
  'containers.start': true,
  'containers.stop': true,
  'containers.restart': true,
  'containers.pause': true,
  'containers.unpause': true,
  'containers.remove': true,
  'containers.run': true,
  'containers.files': true,
  'containers.preview': true,
  'containers.download': true,
  'containers.usage': true,
  'containers.removeLater': true,
  'containers.undoRemove': true,
  'containers.upload': true,
  'containers.mkdir': true,
  'containers.deletePath': true,
};

export interface ContainersEvents {
  'containers.logs': {
    params: {
      id: string;
      follow: boolean;
      tail?: number;
      timestamps?: boolean;
      /** Only lines from this time on: Docker's `since`, unix seconds with up to nine decimals. */
      since?: string;
    };
    event: LogBatch;
  };
  /** One sample a second while the container runs. */
  'containers.stats': { params: { id: string }; event: ContainerStatsSample };
  /** Each removal kept for undo, as it ends (removed, failed, or restored by undo). */
  'containers.removals': { params: undefined; event: RemovalOutcome };
}

export const containersEventChannels: ChannelList<ContainersEvents> = {
  'containers.logs': true,
  'containers.stats': true,
  'containers.removals': true,
};
