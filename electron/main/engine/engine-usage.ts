// What the engine uses: its disk by type (the rows `docker system df` prints, computed as the docker
// CLI computes them) and its containers' CPU and memory now (one-shot stats, summed).
import type { DiskUsageRow, EngineResources } from '../../contract/index.ts';
import { type EngineStats, memoryUsage, onlineCpus } from '../containers/container-stats.ts';
import type { EngineClient } from './engine-client.ts';

/** The parts of `GET /system/df` the rows are made of. */
export interface SystemDf {
  LayersSize?: number;
  Images?: { Containers?: number; Size?: number; SharedSize?: number }[] | null;
  Containers?: { State?: string; SizeRw?: number }[] | null;
  Volumes?: { UsageData?: { Size?: number; RefCount?: number } | null }[] | null;
  BuildCache?: { Size?: number; InUse?: boolean; Shared?: boolean }[] | null;
}

/** The docker CLI counts running, paused and restarting containers as active. */
const activeState = /running|paused|restarting/;

export function diskUsageRows(df: SystemDf): DiskUsageRow[] {
  const images = df.Images ?? [];
  const layers = df.LayersSize ?? 0;
  let imagesUsed = 0;
  for (const i of images) {
    if (!i.Containers) continue;
    if (i.Size === undefined || i.Size === -1 || i.SharedSize === -1) continue;
    imagesUsed += i.Size - (i.SharedSize ?? 0);
  }
  const containers = df.Containers ?? [];
  const activeContainers = containers.filter((c) => activeState.test(c.State ?? ''));
  const sizeRw = (list: typeof containers) => list.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const volumes = (df.Volumes ?? []).map((v) => v.UsageData ?? {});
  const volumeSize = (list: typeof volumes) =>
    list.reduce((n, u) => n + (u.Size !== undefined && u.Size >= 0 ? u.Size : 0), 0);
  const cache = (df.BuildCache ?? []).filter((b) => !b.Shared);
  const cacheSize = (list: typeof cache) => list.reduce((n, b) => n + (b.Size ?? 0), 0);
  return [
    {
      type: 'Images',
      total: images.length,
      active: images.filter((i) => (i.Containers ?? 0) > 0).length,
      size: layers,
      reclaimable: layers - imagesUsed,
    },
    {
      type: 'Containers',
      total: containers.length,
      active: activeContainers.length,
      size: sizeRw(containers),
      reclaimable: sizeRw(containers) - sizeRw(activeContainers),
    },
    {
      type: 'Local Volumes',
      total: volumes.length,
      active: volumes.filter((u) => (u.RefCount ?? 0) > 0).length,
      size: volumeSize(volumes),
      reclaimable: volumeSize(volumes.filter((u) => (u.RefCount ?? 0) === 0)),
    },
    {
      type: 'Build Cache',
      total: (df.BuildCache ?? []).length,
      active: (df.BuildCache ?? []).filter((b) => b.InUse).length,
      size: cacheSize(cache),
      reclaimable: cacheSize(cache.filter((b) => !b.InUse)),
    },
  ];
}

interface CpuReading {
  total: number;
  system: number;
  cpus: number;
}

const cpuReading = (s: EngineStats): CpuReading | null =>
  s.cpu_stats?.system_cpu_usage
    ? {
        total: s.cpu_stats.cpu_usage?.total_usage ?? 0,
        system: s.cpu_stats.system_cpu_usage,
        cpus: onlineCpus(s),
      }
    : null;

/** `docker stats`' formula between two readings of one container. */
function cpuBetween(before: CpuReading, now: CpuReading): number {
  const cpu = now.total - before.total;
  const system = now.system - before.system;
  return system > 0 && cpu > 0 ? (cpu / system) * now.cpus * 100 : 0;
}

const firstReadingGapMs = 500;
const statsConcurrency = 8;

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Keeps each running container's last CPU reading between calls, so that one one-shot stats request
 * per container gives its CPU rate since the call before. A container seen for the first time is read
 * twice, 0.5 s apart.
 */
export class ResourceSampler {
  private last = new Map<string, CpuReading>();

  constructor(private readonly client: EngineClient) {}

  async sample(): Promise<EngineResources> {
    const { docker } = this.client;
    const [info, running, volumes, networks] = await Promise.all([
      docker.info() as Promise<Record<string, number | undefined>>,
      docker.listContainers(),
      docker.listVolumes(),
      docker.listNetworks(),
    ]);
    const oneShot = async (id: string): Promise<EngineStats | null> => {
      try {
        const s = (await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as {
          stream: false;
        })) as EngineStats;
        return s;
      } catch {
        return null; // gone between the list and the read
      }
    };
    const ids = running.map((c) => c.Id);
    const firstSeen = ids.filter((id) => !this.last.has(id));
    if (firstSeen.length) {
      const before = await mapLimit(firstSeen, statsConcurrency, oneShot);
      firstSeen.forEach((id, i) => {
        const r = before[i] && cpuReading(before[i]);
        if (r) this.last.set(id, r);
      });
      await new Promise((resolve) => setTimeout(resolve, firstReadingGapMs));
    }
    const now = await mapLimit(ids, statsConcurrency, oneShot);
    let cpu = 0;
    let memory = 0;
    let sampled = 0;
    const seen = new Map<string, CpuReading>();
    ids.forEach((id, i) => {
      const s = now[i];
      if (!s) return;
      sampled++;
      memory += memoryUsage(s.memory_stats);
      const reading = cpuReading(s);
      const before = this.last.get(id);
      if (reading) {
        if (before) cpu += cpuBetween(before, reading);
        seen.set(id, reading);
      }
    });
    this.last = seen;
    return {
      cpus: info.NCPU ?? 0,
      memory: info.MemTotal ?? 0,
      containersCpuPercent: cpu,
      containersMemory: memory,
      sampled,
      counts: {
        containers: info.Containers ?? 0,
        running: info.ContainersRunning ?? 0,
        paused: info.ContainersPaused ?? 0,
        stopped: info.ContainersStopped ?? 0,
        images: info.Images ?? 0,
        volumes: volumes.Volumes?.length ?? 0,
        networks: networks.length,
      },
    };
  }
}
