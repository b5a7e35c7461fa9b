import { promises as fs } from 'node:fs';
import os from 'node:os';
import { findBinary } from '../../runtime/oci-runtime.ts';
import type { Engine } from '../engine.ts';

/** The engine's own version, as `docker version` and `berthd --version` show it. */
export const berthVersion = '0.1.0';

/** The API versions the front end speaks: the Docker API's, told to the services that report them. */
export interface ApiVersions {
  apiVersion: string;
  minApiVersion: string;
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

async function osName(): Promise<string> {
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m ? m[1] : 'Linux';
}

/** `docker version`'s server half: the engine and its OCI runtime. */
export async function engineVersion(engine: Engine, api: ApiVersions) {
  const runtimeVersion = await engine.runtime.version().catch(() => 'unknown');
  return {
    Platform: { Name: 'Berth Engine' },
    Components: [
      {
        Name: 'Engine',
        Version: berthVersion,
        Details: {
          ApiVersion: api.apiVersion,
          Arch: goArch(),
          BuildTime: '',
          Experimental: 'false',
          GitCommit: '',
          GoVersion: `node${process.versions.node}`,
          KernelVersion: os.release(),
          MinAPIVersion: api.minApiVersion,
          Os: 'linux',
        },
      },
      { Name: engine.runtime.name, Version: runtimeVersion, Details: { GitCommit: '' } },
    ],
    Version: berthVersion,
    ApiVersion: api.apiVersion,
    MinAPIVersion: api.minApiVersion,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: goArch(),
    KernelVersion: os.release(),
    BuildTime: '',
  };
}

/** `docker info`: counts, the runtimes installed, cgroup and kernel facts, in dockerd's shape. */
export async function systemInfo(engine: Engine) {
  const recs = engine.containers.store.all();
  const count = (s: string) => recs.filter((r) => r.State.Status === s).length;
  const images = await engine.images.list({ all: true });
  const rt = engine.runtime;
  const runtimes: Record<string, { path: string }> = {};
  for (const name of ['runc', 'crun']) {
    const p = findBinary(name);
    if (p) runtimes[name] = { path: p };
  }
  const cg = engine.cgroups;
  return {
    ID: await daemonId(engine),
    Containers: recs.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: recs.length - count('running') - count('paused'),
    Images: images.length,
    Driver: 'overlay2',
    DriverStatus: [
      ['Backing Filesystem', 'extfs'],
      ['Supports d_type', 'true'],
      ['Using metacopy', 'false'],
      ['Native Overlay Diff', 'true'],
    ],
    Plugins: {
      Volume: ['local'],
      Network: ['bridge', 'host', 'null'],
      Authorization: null,
      Log: ['k8s-file'],
    },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding:
      (await fs.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0')).trim() === '1',
    BridgeNfIptables:
      (await fs.readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').catch(() => '0')).trim() ===
      '1',
    Debug: false,
    NFd: await fs.readdir('/proc/self/fd').then(
      (f) => f.length,
      () => 0,
    ),
    OomKillDisable: cg.version === 1,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'k8s-file',
    CgroupDriver: cg.driver,
    CgroupVersion: String(cg.version),
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: await osName(),
    OSVersion: '',
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'], IndexConfigs: {}, Mirrors: [] },
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    GenericResources: null,
    DockerRootDir: engine.paths.dataRoot,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: berthVersion,
    Runtimes: runtimes,
    DefaultRuntime: rt.name,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: engine.containers.initBinary ? 'docker-init' : '',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: await rt.version().catch(() => '') },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(cg.version === 2 ? ['name=cgroupns'] : [])],
    CDISpecDirs: [],
    Warnings: [],
  };
}

/** Each data root's engine id, read (or made) once: it names the engine in `docker info`. */
const ids = new Map<string, string>();
export async function daemonId(engine: Engine): Promise<string> {
  const cached = ids.get(engine.paths.dataRoot);
  if (cached) return cached;
  const file = `${engine.paths.dataRoot}/engine-id`;
  let id = await fs.readFile(file, 'utf8').catch(() => '');
  if (!id.trim()) {
    id = crypto.randomUUID();
    await fs.writeFile(file, id, { mode: 0o600 });
  }
  ids.set(engine.paths.dataRoot, id.trim());
  return id.trim();
}
