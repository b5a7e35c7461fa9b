import os from 'node:os';
import { allCapabilities, applyCapChanges, defaultCapabilities } from './capabilities.ts';
import { defaultMounts, etcMounts, maskedPaths, type OciMount, readonlyPaths, tmpfsMount } from './mounts.ts';
import { defaultSeccomp, type OciSeccomp } from './seccomp.ts';
import { seccompFromProfile } from './seccomp-profile.ts';
import { parseSignal } from './signals.ts';

export { parseSignal, signalNumbers } from './signals.ts';

export interface ContainerSpecInput {
  id: string;
  /** Absolute path of the mounted root filesystem. */
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
  /** Host paths bind-mounted over the container's /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  files: { hosts: string; hostname: string; resolvConf: string };
  /** Container path → options of `--tmpfs`. */
  tmpfs: Record<string, string>;
  /** Bytes; 64 MiB when unset. */
  shmSize?: number;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  /** Docker's default profile, none, or a profile of the user's (its JSON, as the CLI sends it). */
  seccomp: 'default' | 'unconfined' | { profile: string };
  resources: {
    memory?: number;
    /** Memory plus swap, as Docker's --memory-swap; -1 is unlimited swap. */
    memorySwap?: number;
    memoryReservation?: number;
    nanoCpus?: number;
    cpuShares?: number;
    cpuQuota?: number;
    cpuPeriod?: number;
    cpusetCpus?: string;
    pidsLimit?: number;
    /** cgroup v1 only (memory.oom_control). */
    oomKillDisable?: boolean;
    /** `--device-read-bps`, `--device-write-bps`, `--device-read-iops`, `--device-write-iops`. */
    blkioThrottle?: Partial<Record<BlkioThrottleKind, Array<{ major: number; minor: number; rate: number }>>>;
  };
  /** `--ulimit`s; none by default, as in Docker: the container inherits the engine's own. */
  rlimits?: OciRlimit[];
  /** `--device`s: nodes created in /dev and allowed in the device cgroup. */
  devices?: Array<{ device: OciDevice; rule: OciDeviceRule }>;
  /** e.g. `/berth/<id>` (cgroupfs driver). */
  cgroupsPath: string;
  /** `none`: a new network namespace with loopback only; `path`: join an existing one. */
  network: { mode: 'host' } | { mode: 'none' } | { mode: 'path'; path: string };
  /**
   * The ipc, pid and uts namespaces: a new one (absent, the default), the host's, or another
   * container's (`path`, /proc/<pid>/ns/<type>).
   */
  shared?: Partial<Record<'ipc' | 'pid' | 'uts', { mode: 'host' } | { mode: 'path'; path: string }>>;
  /**
   * /dev/shm: a tmpfs of the container's own (absent, the default), a bind of a host directory (a
   * shareable container's, its donor's, or the host's /dev/shm), or none at all (`--ipc none`).
   */
  shm?: { mode: 'bind'; source: string } | { mode: 'none' };
  /** Host path of an init (tini-static), mounted at /sbin/docker-init. */
  init?: string;
  extraMounts?: OciMount[];
  annotations?: Record<string, string>;
  stopSignal?: string;
  /** On a cgroup v2 only host the container gets its own cgroup namespace, as Docker does there. */
  cgroupV2?: boolean;
  /** False when the host cannot limit swap (no memory.memsw.* on v1): then no swap limit is asked for. */
  swapLimit?: boolean;
  /** The engine's own bounding set; `--privileged` containers get these (all of them on a normal host). */
  hostCapabilities?: readonly string[];
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

export type BlkioThrottleKind =
  | 'throttleReadBpsDevice'
  | 'throttleWriteBpsDevice'
  | 'throttleReadIOPSDevice'
  | 'throttleWriteIOPSDevice';

export interface OciResources {
  devices: OciDeviceRule[];
  blockIO?: Partial<Record<BlkioThrottleKind, Array<{ major: number; minor: number; rate: number }>>>;
  memory?: { limit?: number; swap?: number; reservation?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
  pids?: { limit: number };
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
    rlimits?: OciRlimit[];
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  domainname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    devices: OciDevice[];
    resources: OciResources;
    cgroupsPath: string;
    sysctl?: Record<string, string>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: OciSeccomp;
  };
  annotations?: Record<string, string>;
}

const charRule = (major: number, minor?: number): OciDeviceRule => ({
  allow: true,
  type: 'c',
  major,
  ...(minor === undefined ? {} : { minor }),
  access: 'rwm',
});

/** Docker's device cgroup: deny all, allow mknod of anything, and the usual character devices. */
export const defaultDeviceRules: readonly OciDeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  charRule(1, 3), // null
  charRule(1, 5), // zero
  charRule(1, 7), // full
  charRule(1, 8), // random
  charRule(1, 9), // urandom
  charRule(5, 0), // tty
  charRule(5, 1), // console
  charRule(5, 2), // ptmx
  charRule(136), // pts/*
  charRule(10, 200), // net/tun
];

const node = (name: string, major: number, minor: number): OciDevice => ({
  path: `/dev/${name}`,
  type: 'c',
  major,
  minor,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
});

/** The device nodes every container finds in its /dev. */
export const defaultDevices: readonly OciDevice[] = [
  node('null', 1, 3),
  node('zero', 1, 5),
  node('full', 1, 7),
  node('random', 1, 8),
  node('urandom', 1, 9),
  node('tty', 5, 0),
];

const cfsPeriod = 100_000;

function resources(input: ContainerSpecInput): OciResources {
  const r = input.resources;
  const out: OciResources = {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules.map((d) => ({ ...d })),
  };
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memory && r.memory > 0) {
    memory.limit = r.memory;
    // Docker: without --memory-swap the container may swap as much as its memory (memory+swap = 2×).
    if (input.swapLimit !== false) memory.swap = r.memorySwap ? r.memorySwap : 2 * r.memory;
  } else if (r.memorySwap === -1 && input.swapLimit !== false) memory.swap = -1;
  if (r.memoryReservation && r.memoryReservation > 0) memory.reservation = r.memoryReservation;
  if (r.oomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) out.memory = memory;

  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus && r.nanoCpus > 0) {
    cpu.period = cfsPeriod;
    cpu.quota = Math.round((r.nanoCpus * cfsPeriod) / 1e9);
  } else {
    if (r.cpuPeriod) cpu.period = r.cpuPeriod;
    if (r.cpuQuota) cpu.quota = r.cpuQuota;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  const throttles = Object.entries(r.blkioThrottle ?? {}).filter(([, list]) => list?.length);
  if (throttles.length)
    out.blockIO = Object.fromEntries(throttles.map(([k, list]) => [k, list?.map((d) => ({ ...d }))]));
  if (!input.privileged) for (const d of input.devices ?? []) out.devices.push({ ...d.rule });
  return out;
}

/** The default nodes plus the user's devices; a user device at a default path replaces it. */
function devicesOf(input: ContainerSpecInput): OciDevice[] {
  const out = defaultDevices.map((d) => ({ ...d }));
  for (const { device } of input.devices ?? []) {
    const i = out.findIndex((d) => d.path === device.path);
    if (i >= 0) out.splice(i, 1, { ...device });
    else out.push({ ...device });
  }
  return out;
}

function mountsOf(input: ContainerSpecInput): OciMount[] {
  const mounts = [
    ...defaultMounts({ shmSize: input.shmSize, privileged: input.privileged }),
    ...etcMounts(input.files, input.readonlyRootfs),
  ];
  const shm = mounts.findIndex((m) => m.destination === '/dev/shm');
  if (input.shm?.mode === 'none') mounts.splice(shm, 1);
  else if (input.shm?.mode === 'bind')
    mounts.splice(shm, 1, {
      destination: '/dev/shm',
      type: 'bind',
      source: input.shm.source,
      options: ['rbind', 'nosuid', 'noexec', 'nodev'],
    });
  // A user mount at a default destination (--tmpfs /dev/shm, -v x:/etc/hosts) replaces the default.
  const put = (m: OciMount) => {
    const i = mounts.findIndex((x) => x.destination === m.destination);
    if (i >= 0) mounts.splice(i, 1, m);
    else mounts.push(m);
  };
  for (const [dest, opts] of Object.entries(input.tmpfs)) put(tmpfsMount(dest, opts));
  if (input.init) {
    put({
      destination: '/sbin/docker-init',
      type: 'bind',
      source: input.init,
      options: ['rbind', 'ro', 'rprivate'],
    });
  }
  for (const m of input.extraMounts ?? []) put(m);
  return mounts;
}

/** The OCI runtime spec (1.0.2) of a container, with Docker's defaults. */
export function buildSpec(input: ContainerSpecInput): OciSpec {
  if (input.stopSignal) parseSignal(input.stopSignal);
  // Privileged gets every capability the engine itself holds: asking runc for one outside our own
  // bounding set fails with EPERM (as it does for dockerd in a restricted sandbox).
  const caps = input.privileged
    ? allCapabilities.filter((c) => !input.hostCapabilities || input.hostCapabilities.includes(c))
    : applyCapChanges(defaultCapabilities, input.capAdd, input.capDrop);

  const namespaces: Array<{ type: string; path?: string }> = [];
  for (const type of ['pid', 'ipc', 'uts'] as const) {
    const shared = input.shared?.[type];
    if (!shared) namespaces.push({ type });
    else if (shared.mode === 'path') namespaces.push({ type, path: shared.path });
  }
  namespaces.push({ type: 'mount' });
  if (input.network.mode === 'none') namespaces.push({ type: 'network' });
  else if (input.network.mode === 'path') namespaces.push({ type: 'network', path: input.network.path });
  if (input.cgroupV2) namespaces.push({ type: 'cgroup' });

  const user = input.user;
  const spec: OciSpec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.tty,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length ? { additionalGids: [...user.additionalGids] } : {}),
      },
      args: input.init ? ['/sbin/docker-init', '--', ...input.args] : [...input.args],
      env: [...input.env],
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      noNewPrivileges: input.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    // Without a UTS namespace of its own the runtime may not set a hostname (that would be the host's).
    hostname: input.shared?.uts ? '' : input.hostname,
    mounts: mountsOf(input),
    linux: {
      namespaces,
      devices: devicesOf(input),
      resources: resources(input),
      cgroupsPath: input.cgroupsPath,
    },
  };
  if (input.rlimits?.length) spec.process.rlimits = input.rlimits.map((r) => ({ ...r }));
  if (input.domainname && !input.shared?.uts) spec.domainname = input.domainname;
  if (input.network.mode === 'none') {
    // Docker's defaults in a network namespace of the container's own: low ports and ICMP sockets for all.
    spec.linux.sysctl = {
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.ipv4.ping_group_range': '0 2147483647',
    };
  }
  if (!input.privileged) {
    spec.linux.maskedPaths = [...maskedPaths];
    spec.linux.readonlyPaths = [...readonlyPaths];
  }
  if (!input.privileged && input.seccomp === 'default') spec.linux.seccomp = defaultSeccomp(caps);
  else if (!input.privileged && typeof input.seccomp === 'object') {
    const filter = seccompFromProfile(input.seccomp.profile, { caps, kernel: os.release() });
    if (filter) spec.linux.seccomp = filter;
  }
  if (input.annotations && Object.keys(input.annotations).length) spec.annotations = { ...input.annotations };
  return spec;
}
