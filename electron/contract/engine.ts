// The engine as the app sees it: what it is, whether the app runs it, what it uses, and cleaning it up.
import type { ManagedEngineInfo } from './app.ts';
import type { ChannelList } from './channel-list.ts';

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

/** Who runs the engine in use: answers even when the engine does not. */
export interface EngineStatus {
  endpoint: string;
  /** The berthd the app started, when that is the engine in use (the app restarts it); else null. */
  managed: ManagedEngineInfo | null;
}

/** What the engine has and what its containers use now (`docker info` plus one-shot `docker stats`). */
export interface EngineResources {
  /** The engine's CPUs and memory (bytes), as `docker info` reports them. */
  cpus: number;
  memory: number;
  /** The running containers' CPU use summed; 100 is one CPU fully busy (as `docker stats`). */
  containersCpuPercent: number;
  /** Their memory in use, summed, without the page cache (as `docker stats`). */
  containersMemory: number;
  /** How many running containers the sums cover. */
  sampled: number;
  counts: {
    containers: number;
    running: number;
    paused: number;
    stopped: number;
    images: number;
    volumes: number;
    networks: number;
  };
}

/** One line of `docker system df`, in bytes. */
export interface DiskUsageRow {
  type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/** What `docker system prune` removed (stopped containers, unused networks, dangling images, build cache). */
export interface PruneReport {
  containers: string[];
  networks: string[];
  images: string[];
  spaceReclaimed: number;
}

export interface EngineInvoke {
  'engine.info': { req: undefined; res: EngineInfo };
  'engine.status': { req: undefined; res: EngineStatus };
  /**
   * Costs one `GET /info`, `/volumes`, `/networks`, and a one-shot `GET /containers/{id}/stats` per running
   * container (a read of its cgroup files; a container seen for the first time is read twice, 0.5 s apart,
   * for its CPU rate).
   */
  'engine.resources': { req: undefined; res: EngineResources };
  /** `GET /system/df`: the engine measures every container's writable layer, so ask sparingly. */
  'engine.diskUsage': { req: undefined; res: DiskUsageRow[] };
  /** `docker system prune`, without volumes. */
  'engine.prune': { req: undefined; res: PruneReport };
}

export const engineChannels: ChannelList<EngineInvoke> = {
  'engine.info': true,
  'engine.status': true,
  'engine.resources': true,
  'engine.diskUsage': true,
  'engine.prune': true,
};
