import { applyCapChanges, allCapabilities, defaultCapabilities } from './capabilities.ts';
import { defaultMounts, etcMounts, maskedPaths, type OciMount, readonlyPaths, tmpfsMount } from './mounts.ts';
import { defaultSeccomp, type OciSeccomp } from './seccomp.ts';

export { parseSignal } from './signals.ts';

export interface ContainerSpecInput {
  id: string;
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  openStdin: boolean;
  hostname: string;
  domainname?: string;
  files: { hosts: string; hostname: string; resolvConf: string };
  tmpfs: Record<string, string>;
  shmSize?: number;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  seccomp: 'default' | 'unconfined';
  resources: {
    memory?: number;
    memorySwap?: number;
    memoryReservation?: number;
    nanoCpus?: number;
    cpuShares?: number;
    cpuQuota?: number;
    cpuPeriod?: number;
    cpusetCpus?: string;
    pidsLimit?: number;
  };
  cgroupsPath: string;
  network: { mode: 'host' } | { mode: 'none' } | { mode: 'path'; path: string };
  /** Host path of an init (tini-static), mounted at /sbin/docker-init. */
  init?: string;
  extraMounts?: OciMount[];
  annotations?: Record<string, string>;
  stopSignal?: string;
  /** Whether the host is cgroup v2 only: then the container gets its own cgroup namespace, as Docker does. */
  cgroupV2?: boolean;
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    noNewPrivileges: boolean;
    oomScoreAdj: number;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  domainname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    resources: Record<string, unknown> & { devices: OciDeviceRule[] };
    cgroupsPath: string;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
  };
  annotations?: Record<string, string>;
}

const charDevice = (major: number, minor: number | undefined): OciDeviceRule => ({ allow: true, type: 'c', major, minor, access: 'rwm' });

/** Docker's device cgroup: deny all, allow mknod of anything, and the usual character devices. */
export const defaultDeviceRules: OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  charDevice(1, 3), // null
  charDevice(1, 5), // zero
  charDevice(1, 7), // full
  charDevice(1, 8), // random
  charDevice(1, 9), // urandom
  charDevice(5, 0), // tty
  charDevice(5, 1), // console
  charDevice(5, 2), // ptmx
  charDevice(136, undefined), // pts/*
  charDevice(10, 200), // net/tun
];

function resources(input: ContainerSpecInput): Record<string, unknown> & { devices: OciDeviceRule[] } {
  const r = input.resources;
  const out: Record<string, unknown> & { devices: OciDeviceRule[] } = {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules,
  };
  const memory: Record<string, number> = {};
  if (r.memory && r.memory > 0) {
    memory.limit = r.memory;
    // Docker: without --memory-swap a container may use as much swap as memory (swap = 2 × memory).
    memory.swap = r.memorySwap === undefined || r.memorySwap === 0 ? 2 * r.memory : r.memorySwap;
  }
  if (r.memoryReservation && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (Object.keys(memory).length) out.memory = memory;
  const cpu: Record<string, number | string> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus && r.nanoCpus > 0) {
    cpu.period = 100_000;
    cpu.quota = Math.round((r.nanoCpus * 100_000) / 1e9);
  } else {
    if (r.cpuPeriod) cpu.period = r.cpuPeriod;
    if (r.cpuQuota) cpu.quota = r.cpuQuota;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

/** The OCI runtime spec (1.0.2) of a container, with Docker's defaults. */
export function buildSpec(input: ContainerSpecInput): OciSpec {
  const caps = input.privileged ? [...allCapabilities] : applyCapChanges(defaultCapabilities, input.capAdd, input.capDrop);
  const namespaces: Array<{ type: string; path?: string }> = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.network.mode === 'none') namespaces.push({ type: 'network' });
  else if (input.network.mode === 'path') namespaces.push({ type: 'network', path: input.network.path });
  if (input.cgroupV2) namespaces.push({ type: 'cgroup' });

  const mounts = [
    ...defaultMounts({ shmSize: input.shmSize ?? 64 * 1024 * 1024, privileged: input.privileged }),
    ...etcMounts(input.files, input.readonlyRootfs),
  ];
  for (const [dest, opts] of Object.entries(input.tmpfs)) {
    const m = tmpfsMount(dest, opts);
    const i = mounts.findIndex((x) => x.destination === dest);
    if (i >= 0) mounts.splice(i, 1, m);
    else mounts.push(m);
  }
  let args = input.args;
  if (input.init) {
    mounts.push({ destination: '/sbin/docker-init', type: 'bind', source: input.init, options: ['rbind', 'ro', 'rprivate'] });
    args = ['/sbin/docker-init', '--', ...args];
  }
  mounts.push(...(input.extraMounts ?? []));

  const spec: OciSpec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.tty,
      user: { uid: input.user.uid, gid: input.user.gid, ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}) },
      args,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: input.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    hostname: input.network.mode === 'host' ? input.hostname : input.hostname,
    mounts,
    linux: {
      namespaces,
      resources: resources(input),
      cgroupsPath: input.cgroupsPath,
    },
  };
  if (input.domainname) spec.domainname = input.domainname;
  if (!input.privileged) {
    spec.linux.maskedPaths = maskedPaths;
    spec.linux.readonlyPaths = readonlyPaths;
    if (input.seccomp === 'default') spec.linux.seccomp = defaultSeccomp(caps);
  }
  if (input.annotations && Object.keys(input.annotations).length) spec.annotations = input.annotations;
  return spec;
}
