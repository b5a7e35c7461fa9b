import { existsSync, promises as fs, readdirSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CgroupInfo {
  version: 1 | 2;
  driver: 'cgroupfs';
  /** v1 controllers with a v2 hierarchy beside them at <root>/unified; stats are then read from v1. */
  hybrid: boolean;
  root: string;
}

export function detectCgroups(root = '/sys/fs/cgroup'): CgroupInfo {
  if (existsSync(path.join(root, 'cgroup.controllers')))
    return { version: 2, driver: 'cgroupfs', hybrid: false, root };
  return {
    version: 1,
    driver: 'cgroupfs',
    hybrid: existsSync(path.join(root, 'unified', 'cgroup.controllers')),
    root,
  };
}

/** Whether a memory+swap limit can be set: v1 needs swap accounting (memory.memsw.*). */
export function swapLimitSupported(info: CgroupInfo): boolean {
  if (info.version === 2) return true;
  return existsSync(path.join(info.root, 'memory', 'memory.memsw.limit_in_bytes'));
}

/** The hierarchies mounted under root (v1 controllers, name=systemd, unified), one per real directory. */
function hierarchies(info: CgroupInfo): string[] {
  if (info.version === 2) return [info.root];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of readdirSync(info.root).sort()) {
    const dir = path.join(info.root, name);
    try {
      const real = realpathSync(dir); // cpu and cpuacct are often links to cpu,cpuacct
      if (seen.has(real) || !statSync(real).isDirectory()) continue;
      seen.add(real);
      out.push(dir);
    } catch {
      // a dangling link or a file: not a hierarchy
    }
  }
  return out;
}

/** Every directory holding the cgroup of one container, on every hierarchy of the host. */
export function cgroupDirs(info: CgroupInfo, cgroupsPath: string): string[] {
  return hierarchies(info).map((h) => path.join(h, cgroupsPath));
}

export async function cgroupExists(info: CgroupInfo, cgroupsPath: string): Promise<boolean> {
  return cgroupDirs(info, cgroupsPath).some((d) => existsSync(d));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Removes a container's cgroup leaf from every hierarchy. A leaf whose last process is still exiting
 * answers EBUSY for a moment, so that is retried briefly; a missing leaf is fine.
 */
export async function removeCgroup(info: CgroupInfo, cgroupsPath: string, retries = 20): Promise<void> {
  if (!cgroupsPath.replace(/\/+/g, '')) throw new Error('refusing to remove the root cgroup');
  for (const dir of cgroupDirs(info, cgroupsPath)) {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.rmdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt >= retries) {
          throw new Error(`cannot remove cgroup ${dir}: ${(err as Error).message}`, { cause: err });
        }
        await sleep(Math.min(25 * (attempt + 1), 200));
      }
    }
  }
}

async function read(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => undefined,
  );
}

/** A number from a one-value file; `max` and a missing file are undefined. */
async function readNum(file: string): Promise<number | undefined> {
  const s = await read(file);
  if (s === undefined || s === 'max' || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). */
async function keyValues(file: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of ((await read(file)) ?? '').split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/**
 * How many processes of a container the kernel's OOM killer killed: `oom_kill` of memory.events (v2)
 * or of memory.oom_control (v1, kernel 4.13 and later). Read before the cgroup is removed.
 */
export async function oomKillCount(info: CgroupInfo, cgroupsPath: string): Promise<number> {
  const file =
    info.version === 2
      ? path.join(info.root, cgroupsPath, 'memory.events')
      : path.join(info.root, 'memory', cgroupsPath, 'memory.oom_control');
  return (await keyValues(file)).oom_kill ?? 0;
}

export interface HostFacts {
  procStat: string;
  totalMemory: number;
  onlineCpus: number;
}

const realHost = (): HostFacts => ({
  procStat: '/proc/stat',
  totalMemory: os.totalmem(),
  onlineCpus: os.cpus().length,
});

/** USER_HZ: the unit of /proc/stat and cpuacct.stat on every Linux Docker supports. */
const clockTicks = 100;

/** Host CPU time in nanoseconds: user..softirq of the `cpu` line of /proc/stat, as Docker sums it. */
export async function systemCpuUsageNs(procStat = '/proc/stat'): Promise<number> {
  const line = ((await read(procStat)) ?? '').split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const ticks = line
    .split(/\s+/)
    .slice(1, 8)
    .map(Number)
    .reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return Math.round((ticks * 1e9) / clockTicks);
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CgroupStats {
  cpu_stats: {
    cpu_usage: {
      total_usage: number;
      usage_in_kernelmode: number;
      usage_in_usermode: number;
      percpu_usage?: number[];
    };
    system_cpu_usage: number;
    online_cpus: number;
    throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
  };
  memory_stats: {
    usage: number;
    limit: number;
    stats: Record<string, number>;
    max_usage?: number;
    failcnt?: number;
  };
  pids_stats: { current: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioEntry[] | null;
    io_serviced_recursive: BlkioEntry[] | null;
  };
}

/** v1 blkio files: `8:0 Read 4096` lines, `Total 4096` summary dropped. */
async function v1Blkio(dir: string, file: string): Promise<BlkioEntry[] | null> {
  for (const name of [`blkio.${file}`, `blkio.throttle.${file}`]) {
    const out: BlkioEntry[] = [];
    for (const line of ((await read(path.join(dir, name))) ?? '').split('\n')) {
      const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line);
      if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) });
    }
    if (out.length) return out;
  }
  return null;
}

/** v2 io.stat: `8:0 rbytes=1 wbytes=2 rios=3 wios=4 …` → Docker's read/write entries. */
async function v2Io(dir: string): Promise<{ bytes: BlkioEntry[]; ios: BlkioEntry[] }> {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of ((await read(path.join(dir, 'io.stat'))) ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const dev = { major: Number(m[1]), minor: Number(m[2]) };
    for (const kv of m[3].split(' ')) {
      const [k, v] = kv.split('=');
      const value = Number(v);
      if (k === 'rbytes') bytes.push({ ...dev, op: 'read', value });
      else if (k === 'wbytes') bytes.push({ ...dev, op: 'write', value });
      else if (k === 'rios') ios.push({ ...dev, op: 'read', value });
      else if (k === 'wios') ios.push({ ...dev, op: 'write', value });
    }
  }
  return { bytes, ios };
}

/** An unlimited v1 limit is a huge page-aligned number; Docker shows the host's memory instead. */
const limitOrHost = (limit: number | undefined, host: number) =>
  limit && limit > 0 && limit < host ? limit : host;

async function readV1(info: CgroupInfo, cgroupsPath: string, host: HostFacts): Promise<CgroupStats> {
  const c = (ctl: string, file: string) => path.join(info.root, ctl, cgroupsPath, file);
  const percpu = ((await read(c('cpuacct', 'cpuacct.usage_percpu'))) ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const acct = await keyValues(c('cpuacct', 'cpuacct.stat'));
  const throttle = await keyValues(c('cpu', 'cpu.stat'));
  const pidsLimit = await readNum(c('pids', 'pids.max'));
  const blkioDir = path.join(info.root, 'blkio', cgroupsPath);
  return {
    cpu_stats: {
      cpu_usage: {
        total_usage: (await readNum(c('cpuacct', 'cpuacct.usage'))) ?? 0,
        percpu_usage: percpu,
        usage_in_kernelmode: ((acct.system ?? 0) * 1e9) / clockTicks,
        usage_in_usermode: ((acct.user ?? 0) * 1e9) / clockTicks,
      },
      system_cpu_usage: await systemCpuUsageNs(host.procStat),
      online_cpus: host.onlineCpus,
      throttling_data: {
        periods: throttle.nr_periods ?? 0,
        throttled_periods: throttle.nr_throttled ?? 0,
        throttled_time: throttle.throttled_time ?? 0,
      },
    },
    memory_stats: {
      usage: (await readNum(c('memory', 'memory.usage_in_bytes'))) ?? 0,
      max_usage: (await readNum(c('memory', 'memory.max_usage_in_bytes'))) ?? 0,
      failcnt: (await readNum(c('memory', 'memory.failcnt'))) ?? 0,
      limit: limitOrHost(await readNum(c('memory', 'memory.limit_in_bytes')), host.totalMemory),
      stats: await keyValues(c('memory', 'memory.stat')),
    },
    pids_stats: {
      current: (await readNum(c('pids', 'pids.current'))) ?? 0,
      ...(pidsLimit ? { limit: pidsLimit } : {}),
    },
    blkio_stats: {
      io_service_bytes_recursive: await v1Blkio(blkioDir, 'io_service_bytes_recursive'),
      io_serviced_recursive: await v1Blkio(blkioDir, 'io_serviced_recursive'),
    },
  };
}

async function readV2(info: CgroupInfo, cgroupsPath: string, host: HostFacts): Promise<CgroupStats> {
  const dir = path.join(info.root, cgroupsPath);
  const cpu = await keyValues(path.join(dir, 'cpu.stat'));
  const pidsLimit = await readNum(path.join(dir, 'pids.max'));
  const io = await v2Io(dir);
  return {
    cpu_stats: {
      cpu_usage: {
        total_usage: (cpu.usage_usec ?? 0) * 1000,
        usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000,
        usage_in_usermode: (cpu.user_usec ?? 0) * 1000,
      },
      system_cpu_usage: await systemCpuUsageNs(host.procStat),
      online_cpus: host.onlineCpus,
      throttling_data: {
        periods: cpu.nr_periods ?? 0,
        throttled_periods: cpu.nr_throttled ?? 0,
        throttled_time: (cpu.throttled_usec ?? 0) * 1000,
      },
    },
    memory_stats: {
      usage: (await readNum(path.join(dir, 'memory.current'))) ?? 0,
      limit: limitOrHost(await readNum(path.join(dir, 'memory.max')), host.totalMemory),
      stats: await keyValues(path.join(dir, 'memory.stat')),
    },
    pids_stats: {
      current: (await readNum(path.join(dir, 'pids.current'))) ?? 0,
      ...(pidsLimit ? { limit: pidsLimit } : {}),
    },
    blkio_stats: {
      io_service_bytes_recursive: io.bytes.length ? io.bytes : null,
      io_serviced_recursive: io.ios.length ? io.ios : null,
    },
  };
}

/**
 * Stats in the shapes of Docker's /containers/{id}/stats. On a hybrid host runc places the container in
 * the v1 controllers and in the unified tree, whose controllers are empty, so v1 is read, as Docker does.
 */
export async function readStats(
  info: CgroupInfo,
  cgroupsPath: string,
  host = realHost(),
): Promise<CgroupStats> {
  return info.version === 2 ? readV2(info, cgroupsPath, host) : readV1(info, cgroupsPath, host);
}
