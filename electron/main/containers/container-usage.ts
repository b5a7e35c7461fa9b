// The containers list's CPU and memory columns: one `containers.usage` call answers for every running
// container. What it costs, per running container and call: one
// `GET /containers/{id}/stats?stream=false&one-shot=true`. berthd answers it from a handful of small
// cgroup files and /proc/<pid>/net/dev (well under a millisecond); one-shot spares dockerd the second
// sample a second later that a plain stream=false waits for. CPU% is therefore the change since this
// sampler's previous call, so a container's first call has no CPU figure yet (null).
import type { ContainerUsage } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { type EngineStats, memoryUsage, onlineCpus } from './container-stats.ts';

/** Requests in flight at once, so that hundreds of running containers do not flood the engine. */
const concurrency = 8;

export interface CpuReading {
  total: number;
  system: number;
}

/** Usage from one one-shot sample and the reading of the call before. */
export function usageFrom(
  id: string,
  s: EngineStats,
  prev: CpuReading | undefined,
): { usage: ContainerUsage; reading: CpuReading } {
  const reading = {
    total: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
    system: s.cpu_stats?.system_cpu_usage ?? 0,
  };
  let cpuPercent: number | null = null;
  if (prev) {
    const cpu = reading.total - prev.total;
    const system = reading.system - prev.system;
    // A counter that went back is a restarted container: no rate this time.
    cpuPercent = system > 0 && cpu >= 0 ? (cpu / system) * onlineCpus(s) * 100 : null;
  }
  return {
    usage: {
      id,
      cpuPercent,
      memoryUsage: memoryUsage(s.memory_stats),
      memoryLimit: s.memory_stats?.limit ?? 0,
    },
    reading,
  };
}

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

export class UsageSampler {
  private readings = new Map<string, CpuReading>();

  constructor(private readonly client: EngineClient) {}

  async sample(): Promise<ContainerUsage[]> {
    const running = await this.client.docker.listContainers({ filters: { status: ['running'] } });
    const next = new Map<string, CpuReading>();
    const results = await mapLimit(running, concurrency, async (c) => {
      try {
        const raw = (await this.client.docker
          .getContainer(c.Id)
          // dockerode's types do not know one-shot; it passes every option on as the query.
          .stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as EngineStats;
        const { usage, reading } = usageFrom(c.Id, raw, this.readings.get(c.Id));
        next.set(c.Id, reading);
        return usage;
      } catch {
        // Stopped or removed between the list and its stats: it simply has no figures.
        return null;
      }
    });
    this.readings = next;
    return results.filter((u): u is ContainerUsage => u !== null);
  }
}
