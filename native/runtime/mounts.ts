import { invalid } from '../core/errors.ts';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** Paths Docker hides from a container (an empty file or tmpfs is mounted over them). */
export const maskedPaths: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths Docker remounts read-only in a container. */
export const readonlyPaths: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export const defaultShmSize = 64 * 1024 * 1024;

/** The mounts every container gets, as Docker sets them up. */
export function defaultMounts(opts: { shmSize?: number; privileged: boolean }): OciMount[] {
  const roUnlessPrivileged = opts.privileged ? 'rw' : 'ro';
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', roUnlessPrivileged],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', roUnlessPrivileged],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${opts.shmSize || defaultShmSize}`],
    },
  ];
}

/**
 * Binds of the per-container /etc/resolv.conf, /etc/hostname and /etc/hosts. Like Docker they are
 * writable unless the root filesystem is read-only.
 */
export function etcMounts(
  files: { hosts: string; hostname: string; resolvConf: string },
  readonlyRootfs: boolean,
): OciMount[] {
  const options = ['rbind', 'rprivate', ...(readonlyRootfs ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: files.resolvConf, options: [...options] },
    { destination: '/etc/hostname', type: 'bind', source: files.hostname, options: [...options] },
    { destination: '/etc/hosts', type: 'bind', source: files.hosts, options: [...options] },
  ];
}

/** Flag pairs where the later one wins over the earlier (`--tmpfs /x:exec` lifts the default noexec). */
const flagPairs: Array<[string, string]> = [
  ['rw', 'ro'],
  ['exec', 'noexec'],
  ['suid', 'nosuid'],
  ['dev', 'nodev'],
  ['sync', 'async'],
  ['atime', 'noatime'],
  ['diratime', 'nodiratime'],
  ['relatime', 'norelatime'],
  ['strictatime', 'nostrictatime'],
  ['mand', 'nomand'],
  ['tmpcopyup', 'notmpcopyup'],
];
const flagGroup = new Map<string, string>(
  flagPairs.flatMap(([on, off]) => [[on, on] as const, [off, on] as const]),
);
const propagation = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
const dataKeys = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

const sizeUnits: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `64m`, `64MB`, `1.5g`, `65536` → bytes (binary units, as Docker's RAMInBytes); `50%` stays as is. */
export function tmpfsSize(value: string): string {
  if (/^\d+%$/.test(value)) return value;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  if (!m) throw invalid(`invalid tmpfs option: invalid size: '${value}'`);
  return String(Math.round(Number(m[1]) * sizeUnits[m[2].toLowerCase()]));
}

/** Splits a `--tmpfs` flag value: `/run:rw,size=64m` → `['/run', 'rw,size=64m']`. */
export function parseTmpfsFlag(value: string): [destination: string, options: string] {
  const i = value.indexOf(':');
  const dest = i < 0 ? value : value.slice(0, i);
  if (!dest) throw invalid(`invalid tmpfs: '${value}'`);
  return [dest, i < 0 ? '' : value.slice(i + 1)];
}

/** `--tmpfs /run:rw,size=64m`: Docker's defaults (noexec,nosuid,nodev) with the user's options over them. */
export function tmpfsMount(destination: string, userOptions: string): OciMount {
  if (!destination.startsWith('/'))
    throw invalid(`invalid mount path: '${destination}' mount path must be absolute`);
  if (destination.replace(/\/+$/, '') === '')
    throw invalid(`invalid mount path: '/' cannot be a tmpfs mount`);
  const flags = new Map<string, string>([
    ['exec', 'noexec'],
    ['suid', 'nosuid'],
    ['dev', 'nodev'],
  ]);
  const data = new Map<string, string>();
  const props: string[] = [];
  for (const opt of userOptions
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const eq = opt.indexOf('=');
    if (eq >= 0) {
      const key = opt.slice(0, eq);
      let value = opt.slice(eq + 1);
      if (!dataKeys.has(key)) throw invalid(`invalid tmpfs option: "${opt}"`);
      if (key === 'size') value = tmpfsSize(value);
      if (key === 'mode' && !/^[0-7]{1,4}$/.test(value))
        throw invalid(`invalid tmpfs option: invalid mode: "${value}"`);
      data.set(key, `${key}=${value}`);
    } else if (flagGroup.has(opt)) flags.set(flagGroup.get(opt)!, opt);
    else if (propagation.has(opt)) props.push(opt);
    else if (opt === 'dirsync') flags.set(opt, opt);
    else throw invalid(`invalid tmpfs option: "${opt}"`);
  }
  return {
    destination,
    type: 'tmpfs',
    source: 'tmpfs',
    options: [...flags.values(), ...props, ...data.values()],
  };
}
