import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalid } from '../../core/errors.ts';
import { type CgroupInfo, detectCgroups, swapLimitSupported } from '../../runtime/cgroups.ts';
import type { DeviceMapping, HostConfig, Ulimit } from './model.ts';

/** What the host lets a container be limited by, as dockerd's sysinfo tells it. */
export interface HostLimits {
  /** Go's runtime.NumCPU: the CPUs the engine may run on. */
  numCpu: number;
  /** The CPUs a cpuset may name, e.g. `0-1`. */
  cpus: string;
  swapLimit: boolean;
  /** Only cgroup v1 can disable the OOM killer (memory.oom_control). */
  oomKillDisable: boolean;
}

const readTrim = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
};

export function hostLimits(info: CgroupInfo = detectCgroups()): HostLimits {
  const cpus =
    (info.version === 2
      ? readTrim(path.join(info.root, 'cpuset.cpus.effective'))
      : readTrim(path.join(info.root, 'cpuset', 'cpuset.effective_cpus')) ||
        readTrim(path.join(info.root, 'cpuset', 'cpuset.cpus'))) ||
    readTrim('/sys/devices/system/cpu/online') ||
    `0-${os.availableParallelism() - 1}`;
  return {
    numCpu: os.availableParallelism(),
    cpus,
    swapLimit: swapLimitSupported(info),
    oomKillDisable: info.version === 1 && existsSync(path.join(info.root, 'memory', 'memory.oom_control')),
  };
}

/** A cpuset list (`0-2,4`) as a set; throws `invalid format: …` as dockerd's parser does. */
export function parseUintList(val: string): Set<number> {
  const out = new Set<number>();
  if (val === '') return out;
  const bad = () => new Error(`invalid format: ${val}`);
  for (const part of val.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw bad();
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw bad();
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}

const minMemory = 6 * 1024 * 1024;

/** The resource fields of HostConfig that create and update validate. */
export type Resources = Pick<
  HostConfig,
  | 'Memory'
  | 'MemorySwap'
  | 'MemoryReservation'
  | 'NanoCpus'
  | 'CpuShares'
  | 'CpuPeriod'
  | 'CpuQuota'
  | 'CpusetCpus'
  | 'PidsLimit'
  | 'OomKillDisable'
>;

/**
 * dockerd's verifyPlatformContainerResources: errors with its messages, warnings for what the host
 * cannot do (the setting is then dropped, as dockerd drops it). `update` relaxes what `docker update`
 * may leave out.
 */
export function verifyResources(r: Partial<Resources>, host: HostLimits, update: boolean): string[] {
  const warnings: string[] = [];
  const memory = r.Memory ?? 0;
  if (memory !== 0 && memory < minMemory) throw invalid('Minimum memory limit allowed is 6MB');
  if (memory > 0 && r.MemorySwap !== -1 && !host.swapLimit) {
    warnings.push(
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    );
    r.MemorySwap = -1;
  }
  const swap = r.MemorySwap ?? 0;
  if (memory > 0 && swap > 0 && swap < memory) {
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory === 0 && swap > 0 && !update) {
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  const reservation = r.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < minMemory) throw invalid('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.OomKillDisable && !host.oomKillDisable) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    r.OomKillDisable = false;
  }
  if (r.OomKillDisable && memory === 0 && !update) {
    warnings.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  }
  const nano = r.NanoCpus ?? 0;
  if (nano > 0 && (r.CpuPeriod ?? 0) > 0) {
    throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (nano > 0 && (r.CpuQuota ?? 0) > 0) {
    throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (nano < 0 || nano > host.numCpu * 1e9) {
    throw invalid(
      `Range of CPUs is from 0.01 to ${host.numCpu}.00, as there are only ${host.numCpu} CPUs available`,
    );
  }
  const period = r.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = r.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  const cpuset = r.CpusetCpus ?? '';
  if (cpuset) {
    let wanted: Set<number>;
    try {
      wanted = parseUintList(cpuset);
    } catch (err) {
      throw invalid(`Invalid value ${cpuset} for cpuset cpus: ${(err as Error).message}`);
    }
    const available = parseUintList(host.cpus);
    if ([...wanted].some((c) => !available.has(c))) {
      throw invalid(`Requested CPUs are not available - requested ${cpuset}, available: ${host.cpus}`);
    }
  }
  return warnings;
}

/** The rlimits `--ulimit` may name (go-units), as RLIMIT_<NAME> for the OCI spec. */
const ulimitNames = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

export function normalizeUlimits(raw: unknown): Ulimit[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw))
    throw invalid('json: cannot unmarshal object into Go struct field HostConfig.Ulimits');
  return raw.map((u) => {
    const { Name, Soft, Hard } = (u ?? {}) as Partial<Ulimit>;
    if (typeof Name !== 'string' || !ulimitNames.has(Name)) throw invalid(`invalid ulimit type: ${Name}`);
    // RLIM_INFINITY (-1 to the CLI) has no exact JSON number for runc's uint64; it is refused.
    if (typeof Soft !== 'number' || typeof Hard !== 'number' || Soft < 0 || Hard < 0) {
      throw invalid(`invalid ulimit argument: ${Name}=${Soft}:${Hard}`);
    }
    if (Soft > Hard) {
      throw invalid(`ulimit soft limit must be less than or equal to hard limit: ${Soft} > ${Hard}`);
    }
    return { Name, Soft, Hard };
  });
}

/** OCI process.rlimits of the container's ulimits (none by default, as in Docker). */
export function rlimitsOf(ulimits: Ulimit[] | null | undefined) {
  return (ulimits ?? []).map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, soft: u.Soft, hard: u.Hard }));
}

export function normalizeDevices(raw: unknown): DeviceMapping[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw))
    throw invalid('json: cannot unmarshal object into Go struct field HostConfig.Devices');
  return raw.map((d) => {
    const m = (d ?? {}) as Partial<DeviceMapping>;
    const onHost = String(m.PathOnHost ?? '');
    const perms = String(m.CgroupPermissions || 'rwm');
    if (!onHost) throw invalid('device path on host is empty');
    if (!/^[rwm]{1,3}$/.test(perms)) throw invalid(`invalid device mode: ${perms}`);
    return {
      PathOnHost: onHost,
      PathInContainer: String(m.PathInContainer || onHost),
      CgroupPermissions: perms,
    };
  });
}
