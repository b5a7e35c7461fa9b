import { promises as fs } from 'node:fs';
import os from 'node:os';
import { readStats } from '../../runtime/cgroups.ts';
import { type ContainerContext, cgroupsPath } from '../context.ts';
import type { ContainerRecord } from './model.ts';
import { hasProcess } from './state.ts';

type Sample = Record<string, unknown> & { read: string };

async function networkStats(pid: number): Promise<Record<string, object> | undefined> {
  if (!pid) return undefined;
  const text = await fs.readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => '');
  const out: Record<string, object> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = {
      rx_bytes: f[0],
      rx_packets: f[1],
      rx_errors: f[2],
      rx_dropped: f[3],
      tx_bytes: f[8],
      tx_packets: f[9],
      tx_errors: f[10],
      tx_dropped: f[11],
    };
  }
  return Object.keys(out).length ? out : undefined;
}

async function sample(ctx: ContainerContext, rec: ContainerRecord): Promise<Sample> {
  const running = hasProcess(rec.State.Status);
  const base: Sample = {
    read: new Date().toISOString(),
    name: rec.Name,
    id: rec.Id,
    num_procs: 0,
    storage_stats: {},
  };
  if (!running) {
    return {
      ...base,
      read: '0001-01-01T00:00:00Z',
      pids_stats: {},
      blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null },
      cpu_stats: {
        cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
        throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
      },
      memory_stats: {},
    };
  }
  const s = await readStats(ctx.cgroups, cgroupsPath(rec.Id));
  const networks = await networkStats(rec.State.Pid);
  return { ...base, ...s, ...(networks ? { networks } : {}) };
}

export interface StatsOptions {
  /** One sample a second until the container is removed or the caller stops; else one sample. */
  stream: boolean;
  /** A single sample without the second one that fills `precpu_stats`. */
  oneShot: boolean;
  signal?: AbortSignal;
}

/**
 * A container's resource usage as Docker's stats objects: one sample (with precpu, a second apart)
 * or one a second. The container is looked up now, so that a missing one fails before any sample.
 */
export function containerStats(
  ctx: ContainerContext,
  ref: string,
  opts: StatsOptions,
): AsyncIterable<Record<string, unknown>> {
  const rec = ctx.store.get(ref);
  return samples(ctx, rec, opts);
}

async function* samples(
  ctx: ContainerContext,
  rec: ContainerRecord,
  { stream, oneShot, signal }: StatsOptions,
): AsyncGenerator<Record<string, unknown>> {
  const empty = {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
  let prev: Sample | undefined;
  if (!stream && !oneShot && hasProcess(rec.State.Status)) {
    prev = await sample(ctx, rec);
    await pause(1000, signal);
  }
  for (;;) {
    if (signal?.aborted) return;
    const cur = await sample(ctx, rec);
    yield {
      ...cur,
      preread: prev?.read ?? '0001-01-01T00:00:00Z',
      precpu_stats: prev?.cpu_stats ?? { ...empty, online_cpus: os.cpus().length },
    };
    if (!stream || signal?.aborted) return;
    prev = cur;
    await pause(1000, signal);
    if (signal?.aborted || !ctx.store.find(rec.Id)) return;
  }
}

/** Waits, or less when the caller stops listening. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
