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
  Healthcheck?: object | null;
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
  Ulimits?: unknown[] | null;
  ConsoleSize?: [number, number];
  [key: string]: unknown;
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
}

export const zeroTime = '0001-01-01T00:00:00Z';

/** The state guards of the container state machine, in one place. */
export const can = {
  start: (s: ContainerStatus) => s === 'created' || s === 'exited' || s === 'dead' || s === 'restarting',
  stop: (s: ContainerStatus) => s === 'running' || s === 'paused' || s === 'restarting',
  signal: (s: ContainerStatus) => s === 'running',
  pause: (s: ContainerStatus) => s === 'running',
  unpause: (s: ContainerStatus) => s === 'paused',
  exec: (s: ContainerStatus) => s === 'running',
  removeWithoutForce: (s: ContainerStatus) => s === 'created' || s === 'exited' || s === 'dead',
};

export function isRunningLike(s: ContainerStatus): boolean {
  return s === 'running' || s === 'paused' || s === 'restarting';
}
