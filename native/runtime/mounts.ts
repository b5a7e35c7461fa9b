import { invalid } from '../core/errors.ts';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export const maskedPaths = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The mounts every container gets, as Docker sets them up. */
export function defaultMounts(opts: { shmSize: number; privileged: boolean }): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', opts.privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', opts.privileged ? 'rw' : 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${opts.shmSize}`] },
  ];
}

/** Binds of the per-container /etc/hosts, /etc/hostname and /etc/resolv.conf. */
export function etcMounts(files: { hosts: string; hostname: string; resolvConf: string }, readonly: boolean): OciMount[] {
  const options = ['rbind', 'rprivate', ...(readonly ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: files.resolvConf, options },
    { destination: '/etc/hostname', type: 'bind', source: files.hostname, options },
    { destination: '/etc/hosts', type: 'bind', source: files.hosts, options },
  ];
}

/** `--tmpfs /run:rw,size=64m`: Docker's defaults (noexec,nosuid,nodev) with the user's options over them. */
export function tmpfsMount(destination: string, userOptions: string): OciMount {
  if (!destination.startsWith('/')) throw invalid(`invalid mount path: '${destination}' mount path must be absolute`);
  const opts = new Map<string, string>([['noexec', 'noexec'], ['nosuid', 'nosuid'], ['nodev', 'nodev']]);
  const opposite: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev', noexec: 'exec', nosuid: 'suid', nodev: 'dev' };
  for (const o of userOptions.split(',').map((x) => x.trim()).filter(Boolean)) {
    const key = o.split('=')[0];
    if (opposite[key]) opts.delete(opposite[key]);
    opts.set(key, o);
  }
  return { destination, type: 'tmpfs', source: 'tmpfs', options: [...opts.values()] };
}
