import { existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CgroupInfo {
  version: 1 | 2;
  driver: 'cgroupfs';
  /** v1 controllers with a v2 hierarchy beside them (at /sys/fs/cgroup/unified). */
  hybrid: boolean;
  root: string;
}

export function detectCgroups(root = '/sys/fs/cgroup'): CgroupInfo {
  if (existsSync(path.join(root, 'cgroup.controllers'))) return { version: 2, driver: 'cgroupfs', hybrid: false, root };
  return { version: 1, driver: 'cgroupfs', hybrid: existsSync(path.join(root, 'unified', 'cgroup.controllers')), root };
}

const v1Controllers = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'devices', 'freezer', 'hugetlb', 'net_cls', 'net_prio', 'perf_event', 'systemd', 'unified'];

/** Every directory that holds the cgroup of one container, on every hierarchy of the host. */
export function cgroupDirs(info: CgroupInfo, cgroupsPath: string): string[] {
  if (info.version === 2) return [path.join(info.root, cgroupsPath)];
  return v1Controllers.map((c) => path.join(info.root, c, cgroupsPath)).filter((d, i, all) => all.indexOf(d) === i);
}

export async function cgroupExists(info: CgroupInfo, cgroupsPath: string): Promise<boolean> {
  for (const d of cgroupDirs(info, cgroupsPath)) if (existsSync(d)) return true;
  return false;
}

/** Removes a container's cgroup leaf everywhere; a busy cgroup (exiting processes) is retried briefly. */
export async function removeCgroup(info: CgroupInfo, cgroupsPath: string): Promise<void> {
  for (const dir of cgroupDirs(info, cgroupsPath)) {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await fs.rmdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt === 19) throw err;
        await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
      }
    }
  }
}

async function read(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').then((s) => s.trim(), () => undefined);
}

async function readNum(file: string): Promise<number | undefined> {
  const s = await read(file);
  if (s === undefined || s === 'max') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

async function keyValues(file: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of ((await read(file)) ?? '').split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/** Host CPU time in nanoseconds, from /proc/stat (USER_HZ is 100 on Linux). */
export function systemCpuUsageNs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.split(/\s+/).slice(1, 8).map(Number).reduce((a, b) => a + b, 0);
  return Math.round((ticks * 1e9) / 100);
}

export interface CgroupStats {
  cpu_stats: Record<string, unknown>;
  memory_stats: Record<string, unknown>;
  pids_stats: Record<string, unknown>;
  blkio_stats: Record<string, unknown>;
}

type IoEntry = { major: number; minor: number; op: string; value: number };

async function v1Blkio(dir: string): Promise<IoEntry[] | null> {
  const text = await read(path.join(dir, 'blkio.throttle.io_service_bytes_recursive'));
  if (!text) return null;
  const out: IoEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line);
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3].toLowerCase(), value: Number(m[4]) });
  }
  return out;
}

/** Stats in the shapes of Docker's /containers/{id}/stats, read from cgroup v1 or v2 files. */
export async function readStats(info: CgroupInfo, cgroupsPath: string): Promise<CgroupStats> {
  const onlineCpus = os.cpus().length;
  const systemUsage = systemCpuUsageNs();
  if (info.version === 1) {
    const c = (ctl: string) => path.join(info.root, ctl, cgroupsPath);
    const total = (await readNum(path.join(c('cpuacct'), 'cpuacct.usage'))) ?? 0;
    const percpu = ((await read(path.join(c('cpuacct'), 'cpuacct.usage_percpu'))) ?? '').split(/\s+/).filter(Boolean).map(Number);
    const acct = await keyValues(path.join(c('cpuacct'), 'cpuacct.stat'));
    const throttle = await keyValues(path.join(c('cpu'), 'cpu.stat'));
    const mstat = await keyValues(path.join(c('memory'), 'memory.stat'));
    const limit = (await readNum(path.join(c('memory'), 'memory.limit_in_bytes'))) ?? 0;
    const hostMem = os.totalmem();
    return {
      cpu_stats: {
        cpu_usage: { total_usage: total, percpu_usage: percpu, usage_in_kernelmode: (acct.system ?? 0) * 1e7, usage_in_usermode: (acct.user ?? 0) * 1e7 },
        system_cpu_usage: systemUsage,
        online_cpus: onlineCpus,
        throttling_data: { periods: throttle.nr_periods ?? 0, throttled_periods: throttle.nr_throttled ?? 0, throttled_time: throttle.throttled_time ?? 0 },
      },
      memory_stats: {
        usage: (await readNum(path.join(c('memory'), 'memory.usage_in_bytes'))) ?? 0,
        max_usage: (await readNum(path.join(c('memory'), 'memory.max_usage_in_bytes'))) ?? 0,
        failcnt: (await readNum(path.join(c('memory'), 'memory.failcnt'))) ?? 0,
        limit: limit > 0 && limit < hostMem ? limit : hostMem,
        stats: mstat,
      },
      pids_stats: {
        current: (await readNum(path.join(c('pids'), 'pids.current'))) ?? 0,
        ...(await readNum(path.join(c('pids'), 'pids.max')).then((n) => (n ? { limit: n } : {}))),
      },
      blkio_stats: { io_service_bytes_recursive: await v1Blkio(c('blkio')), io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    };
  }
  const dir = path.join(info.root, cgroupsPath);
  const cpu = await keyValues(path.join(dir, 'cpu.stat'));
  const mstat = await keyValues(path.join(dir, 'memory.stat'));
  const max = await readNum(path.join(dir, 'memory.max'));
  const io: IoEntry[] = [];
  for (const line of ((await read(path.join(dir, 'io.stat'))) ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line);
    if (!m) continue;
    for (const kv of m[3].split(' ')) {
      const [k, v] = kv.split('=');
      if (k === 'rbytes' || k === 'wbytes') io.push({ major: Number(m[1]), minor: Number(m[2]), op: k === 'rbytes' ? 'read' : 'write', value: Number(v) });
    }
  }
  return {
    cpu_stats: {
      cpu_usage: { total_usage: (cpu.usage_usec ?? 0) * 1000, usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000, usage_in_usermode: (cpu.user_usec ?? 0) * 1000 },
      system_cpu_usage: systemUsage,
      online_cpus: onlineCpus,
      throttling_data: { periods: cpu.nr_periods ?? 0, throttled_periods: cpu.nr_throttled ?? 0, throttled_time: (cpu.throttled_usec ?? 0) * 1000 },
    },
    memory_stats: { usage: (await readNum(path.join(dir, 'memory.current'))) ?? 0, limit: max ?? os.totalmem(), stats: mstat },
    pids_stats: { current: (await readNum(path.join(dir, 'pids.current'))) ?? 0, ...(await readNum(path.join(dir, 'pids.max')).then((n) => (n ? { limit: n } : {}))) },
    blkio_stats: { io_service_bytes_recursive: io.length ? io : null },
  };
}
