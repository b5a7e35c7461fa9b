// CPU and memory use of the pods' containers and of the node, as metrics-server reports them through
// metrics.k8s.io: CPU as a rate (cores, from two readings of the cumulative CPU time), memory as the
// working set (usage less inactive file pages, what the kubelet and `kubectl top` call memory).
//
// Nothing samples in the background: a request reads the counters, and the rate is taken against the
// reading kept from the request before when it is recent; otherwise (the first `kubectl top`, or one
// after a long pause) it reads again a second later, as `docker stats` does for its first sample.
import os from 'node:os';
import type { ContainerOperations } from '../../services/containers/operations.ts';

/** A reading of cumulative CPU time (ns) and current working set (bytes), at a time (ms). */
export interface Reading {
  cpuNs: number;
  memoryBytes: number;
  atMs: number;
}

/** Where readings come from: the engine's container stats and the machine's counters. */
export interface UsageReader {
  /** undefined when the container is gone or not running. */
  container(id: string): Promise<Reading | undefined>;
  node(): Promise<Reading>;
}

export interface Usage {
  /** Cores, in nanocores (what a quantity like `1234n` says). */
  cpuNanoCores: number;
  memoryBytes: number;
  /** The interval the rate covers. */
  windowMs: number;
  /** When the later reading was taken. */
  atMs: number;
}

/** A reading older than this is not used as the start of a rate: read twice instead. */
const maxAgeMs = 5 * 60_000;
/** The shortest interval a rate is taken over. */
const minWindowMs = 1000;

export class UsageMeter {
  private readonly last = new Map<string, Reading>();

  constructor(
    private readonly reader: UsageReader,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Usage per key (`node` or a container ID); keys with no reading (gone, stopped) are left out. */
  async usage(keys: string[]): Promise<Map<string, Usage>> {
    const read = (k: string) => (k === 'node' ? this.reader.node() : this.reader.container(k));
    const current = new Map<string, Reading>();
    await Promise.all(
      keys.map(async (k) => {
        const r = await read(k).catch(() => undefined);
        if (r) current.set(k, r);
      }),
    );
    const fresh = (k: string) => {
      const prev = this.last.get(k);
      const cur = current.get(k)!;
      return prev !== undefined && cur.atMs - prev.atMs >= minWindowMs && cur.atMs - prev.atMs <= maxAgeMs;
    };
    const again = [...current.keys()].filter((k) => !fresh(k));
    if (again.length) {
      for (const k of again) this.last.set(k, current.get(k)!);
      await this.sleep(minWindowMs);
      await Promise.all(
        again.map(async (k) => {
          const r = await read(k).catch(() => undefined);
          if (r) current.set(k, r);
          else current.delete(k);
        }),
      );
    }
    const out = new Map<string, Usage>();
    for (const [k, cur] of current) {
      const prev = this.last.get(k)!;
      const windowMs = cur.atMs - prev.atMs;
      // ns of CPU per ms of wall time, times 1000: nanocores.
      const cpu = windowMs > 0 ? ((cur.cpuNs - prev.cpuNs) / windowMs) * 1e3 : 0;
      out.set(k, {
        cpuNanoCores: Math.max(0, Math.round(cpu)),
        memoryBytes: cur.memoryBytes,
        windowMs,
        atMs: cur.atMs,
      });
      this.last.set(k, cur);
    }
    // Readings of containers that went are forgotten with them.
    for (const k of this.last.keys())
      if (k !== 'node' && !current.has(k) && keys.includes(k)) this.last.delete(k);
    return out;
  }
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

/** Working set from Docker-format memory stats: usage less inactive file pages (v1 or v2 names). */
export function workingSet(memoryStats: unknown): number {
  const m = obj(memoryStats);
  const stats = obj(m.stats);
  const usage = Number(m.usage ?? 0);
  const inactive = Number(stats.total_inactive_file ?? stats.inactive_file ?? 0);
  return Math.max(0, usage - (inactive < usage ? inactive : 0));
}

/** Readings from the engine's stats (one sample, no second for a delta) and the machine's counters. */
export function engineReader(containers: ContainerOperations, now: () => number = Date.now): UsageReader {
  return {
    async container(id) {
      for await (const s of containers.stats(id, { stream: false, oneShot: true })) {
        const cpu = Number(obj(obj(s.cpu_stats).cpu_usage).total_usage ?? Number.NaN);
        if (!Number.isFinite(cpu)) return undefined;
        return { cpuNs: cpu, memoryBytes: workingSet(s.memory_stats), atMs: now() };
      }
      return undefined;
    },
    async node() {
      const ms = os.cpus().reduce((n, c) => n + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
      return { cpuNs: ms * 1e6, memoryBytes: os.totalmem() - os.freemem(), atMs: now() };
    },
  };
}

/** Nanocores as metrics-server writes them (`1234567n`). */
export const cpuQuantity = (nanoCores: number) => `${Math.round(nanoCores)}n`;
/** Bytes as metrics-server writes them (`2048Ki`). */
export const memoryQuantity = (bytes: number) => `${Math.round(bytes / 1024)}Ki`;
/** A Go duration as metrics-server writes a window (`1.002s`). */
export const goSeconds = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;
