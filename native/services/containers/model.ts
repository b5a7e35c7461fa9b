/** Docker's container Config, as the API carries it (only the fields berthd acts on are typed tightly). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: HealthConfig | null;
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild?: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

/** Config.Healthcheck: durations in nanoseconds, 0 for the default; Test ["NONE"] disables the image's. */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface HostConfig {
  Binds: string[] | null;
  LogConfig: { Type: string; Config: Record<string, string> };
  NetworkMode: string;
  PortBindings: Record<string, unknown> | null;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Dns: string[] | null;
  DnsOptions: string[] | null;
  DnsSearch: string[] | null;
  ExtraHosts: string[] | null;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  Tmpfs?: Record<string, string> | null;
  ShmSize: number;
  Runtime: string;
  Init?: boolean | null;
  Memory: number;
  MemorySwap: number;
  MemoryReservation: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  PidsLimit?: number | null;
  OomKillDisable?: boolean | null;
  Ulimits?: Ulimit[] | null;
  Devices?: DeviceMapping[] | null;
  ConsoleSize?: [number, number];
  [key: string]: unknown;
}

/** `--ulimit nofile=1024:2048`: an rlimit of the container's processes. */
export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** `--device /dev/x:/dev/y:rwm`. */
export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export type ContainerStatus =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Pid: number;
  ExitCode: number;
  Error: string;
  OOMKilled: boolean;
  StartedAt: string;
  FinishedAt: string;
  /** Present once a container with a healthcheck has started; kept (not probed) while stopped. */
  Health?: HealthState;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe run, as `docker inspect` shows it under State.Health.Log. */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  /** The last five probes, oldest first. */
  Log: HealthLogEntry[];
}

export interface ContainerRecord {
  Id: string;
  Name: string; // with the leading slash, as Docker stores it
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  Image: string; // image ID
  State: ContainerState;
  RestartCount: number;
  /** Set when the user stopped the container, so that unless-stopped does not revive it at start-up. */
  ManuallyStopped: boolean;
  HostnamePath: string;
  HostsPath: string;
  ResolvConfPath: string;
  LogPath: string;
  Driver: string;
  /** Runtime that created the current process (runc or crun). */
  RuntimeName: string;
  ConmonPid: number;
  /** The container's endpoints, by network name (kept while stopped; addresses only while running). */
  Endpoints?: Record<string, EndpointState>;
  /** Host ports bound for the container while it runs. */
  PublishedPorts?: PublishedPort[];
  /** Binds, mounts, volumes-from and anonymous volumes, resolved at create (see services/volumes). */
  MountPoints?: MountPoint[];
}

/** One mount of a container as Docker records it; `docker inspect` shows the first eight fields. */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name (volumes only). */
  Name?: string;
  /** Host path: the bind source, or the volume's mount point. */
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** Copy the image's content at Destination into the volume at its first mount, when it is empty. */
  CopyData?: boolean;
  /** A volume made for this container (no source given): `rm -v` removes it. */
  Anonymous?: boolean;
  /** Bind: create a missing source at start (`-v`); `--mount` requires it to exist. */
  CreateSource?: boolean;
  NonRecursive?: boolean;
  /** Volume: mount this path inside the volume instead of its root. */
  Subpath?: string;
  /** Tmpfs: mount options (`size=64m,mode=1777`). */
  TmpfsOptions?: string;
}

export interface EndpointState {
  NetworkID: string;
  EndpointID: string;
  IPAMConfig: { IPv4Address?: string } | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  /** Interface names while attached: host side of the veth pair and the name inside. */
  HostIf?: string;
  IfName?: string;
}

export interface PublishedPort {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export const zeroTime = '0001-01-01T00:00:00Z';

/** HostConfig.Runtime of a container with no process, which holds a pod's namespaces (pinned.ts). */
export const pinnedRuntime = 'io.berth.pinned';

export const isPinned = (rec: { HostConfig?: { Runtime?: string } }): boolean =>
  rec.HostConfig?.Runtime === pinnedRuntime;
