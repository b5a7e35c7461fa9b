// Live resource use of a container from `GET /containers/{id}/stats?stream=true`, turned into the
// numbers `docker stats` prints (the same formulas as the docker CLI's stats helpers).
import type { Readable } from 'node:stream';
import type { ContainerStatsSample } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { forEachJsonLine } from '../engine/json-lines.ts';
import type { StreamHandlers } from '../ipc/handlers.ts';

/** The part of the engine's stats object used here. */
export interface EngineStats {
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
  pids_stats?: { current?: number };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export function onlineCpus(s: EngineStats): number {
  return s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
}

/** The container's share of the host's CPU time since the sample before, × online CPUs × 100. */
export function cpuPercent(s: EngineStats): number {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  if (systemDelta <= 0 || cpuDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * onlineCpus(s) * 100;
}

/** Usage less the inactive page cache: `total_inactive_file` on cgroup v1, `inactive_file` on v2. */
export function memoryUsage(m: EngineStats['memory_stats']): number {
  const usage = m?.usage ?? 0;
  const v1 = m?.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m?.stats?.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function networkTotals(n: EngineStats['networks']): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const iface of Object.values(n ?? {})) {
    rx += iface.rx_bytes ?? 0;
    tx += iface.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** Bytes read and written, summed over devices from the `Read`/`Write` entries. */
export function blockTotals(b: EngineStats['blkio_stats']): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of b?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op.startsWith('r')) read += e.value ?? 0;
    else if (op.startsWith('w')) write += e.value ?? 0;
  }
  return { read, write };
}

/** Engines write Go's zero time for a container that is not running. */
function readTime(read: string | undefined, fallback: number): number {
  const t = read ? Date.parse(read) : Number.NaN;
  return Number.isNaN(t) || t <= 0 ? fallback : t;
}

/** Bytes per second from two totals; a counter that went back (a restart) counts as 0. */
function rate(now: number, before: number | undefined, seconds: number): number {
  if (before === undefined || seconds <= 0 || now < before) return 0;
  return (now - before) / seconds;
}

export function toStatsSample(
  s: EngineStats,
  prev?: ContainerStatsSample,
  now = Date.now(),
): ContainerStatsSample {
  const time = readTime(s.read, now);
  const seconds = prev ? (time - prev.time) / 1000 : 0;
  const memory = memoryUsage(s.memory_stats);
  const limit = s.memory_stats?.limit ?? 0;
  const net = networkTotals(s.networks);
  const blk = blockTotals(s.blkio_stats);
  return {
    time,
    cpuPercent: cpuPercent(s),
    onlineCpus: onlineCpus(s),
    memoryUsage: memory,
    memoryLimit: limit,
    memoryPercent: limit > 0 ? (memory / limit) * 100 : 0,
    networkRx: net.rx,
    networkTx: net.tx,
    blockRead: blk.read,
    blockWrite: blk.write,
    networkRxRate: rate(net.rx, prev?.networkRx, seconds),
    networkTxRate: rate(net.tx, prev?.networkTx, seconds),
    blockReadRate: rate(blk.read, prev?.blockRead, seconds),
    blockWriteRate: rate(blk.write, prev?.blockWrite, seconds),
    pids: s.pids_stats?.current ?? 0,
  };
}

export function containerStatsStreams(client: EngineClient): Pick<StreamHandlers, 'containers.stats'> {
  return {
    async 'containers.stats'({ id }, emit, signal) {
      const stream = (await client.docker
        .getContainer(id)
        // dockerode's types omit abortSignal, which it passes on to the request.
        .stats({ stream: true, abortSignal: signal } as { stream: true })) as unknown as Readable;
      let prev: ContainerStatsSample | undefined;
      await forEachJsonLine<EngineStats>(stream, signal, (raw) => {
        prev = toStatsSample(raw, prev);
        emit(prev);
      });
    },
  };
}
