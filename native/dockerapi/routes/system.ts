import { promises as fs } from 'node:fs';
import os from 'node:os';
import { invalid } from '../../core/errors.ts';
import { findBinary } from '../../runtime/oci-runtime.ts';
import { listContainers, parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import type { EngineEvent } from '../../services/events.ts';
import { apiVersion, minApiVersion } from '../http.ts';
import type { Router } from '../router.ts';
import { timeParam } from './containers.ts';

export const berthVersion = '0.1.0';

const pingHeaders = {
  'Api-Version': apiVersion,
  Ostype: 'linux',
  'Builder-Version': '1',
  'Docker-Experimental': 'false',
  Swarm: 'inactive',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

async function osName(): Promise<string> {
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m ? m[1] : 'Linux';
}

async function info(engine: Engine) {
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

let cachedId: string | undefined;
async function daemonId(engine: Engine): Promise<string> {
  if (cachedId) return cachedId;
  const file = `${engine.paths.dataRoot}/engine-id`;
  let id = await fs.readFile(file, 'utf8').catch(() => '');
  if (!id.trim()) {
    id = crypto.randomUUID();
    await fs.writeFile(file, id, { mode: 0o600 });
  }
  cachedId = id.trim();
  return cachedId;
}

function eventMatches(e: EngineEvent, f: Record<string, string[]>): boolean {
  const attr = e.Actor.Attributes;
  if (f.type?.length && !f.type.includes(e.Type)) return false;
  if (f.event?.length && !f.event.some((a) => e.Action === a || e.Action.startsWith(`${a}:`))) return false;
  if (
    f.container?.length &&
    (e.Type !== 'container' || !f.container.some((c) => e.Actor.ID.startsWith(c) || attr.name === c))
  )
    return false;
  if (
    f.image?.length &&
    !f.image.some((i) => attr.image === i || e.Actor.ID === i || (e.Type === 'image' && attr.name === i))
  )
    return false;
  if (f.label?.length) {
    for (const l of f.label) {
      const i = l.indexOf('=');
      if (i < 0 ? !(l in attr) : attr[l.slice(0, i)] !== l.slice(i + 1)) return false;
    }
  }
  // dockerd's FuzzyMatch: the ID or the name starts with a value given.
  const fuzzy = (values: string[]) =>
    values.some((v) => e.Actor.ID.startsWith(v) || attr.name?.startsWith(v) === true);
  if (f.volume?.length && (e.Type !== 'volume' || !fuzzy(f.volume))) return false;
  if (f.network?.length && (e.Type !== 'network' || !fuzzy(f.network))) return false;
  if (f.scope?.length && !f.scope.includes('local')) return false;
  return true;
}

export function systemRoutes(router: Router, engine: Engine): void {
  router.add('GET', '/_ping', async (req) => {
    req.send(200, req.method === 'HEAD' ? '' : 'OK', pingHeaders);
  });
  router.add('HEAD', '/_ping', async (req) => {
    req.send(200, '', pingHeaders);
  });

  router.add('GET', '/version', async (req) => {
    const runtimeVersion = await engine.runtime.version().catch(() => 'unknown');
    req.send(200, {
      Platform: { Name: 'Berth Engine' },
      Components: [
        {
          Name: 'Engine',
          Version: berthVersion,
          Details: {
            ApiVersion: apiVersion,
            Arch: goArch(),
            BuildTime: '',
            Experimental: 'false',
            GitCommit: '',
            GoVersion: `node${process.versions.node}`,
            KernelVersion: os.release(),
            MinAPIVersion: minApiVersion,
            Os: 'linux',
          },
        },
        { Name: engine.runtime.name, Version: runtimeVersion, Details: { GitCommit: '' } },
      ],
      Version: berthVersion,
      ApiVersion: apiVersion,
      MinAPIVersion: minApiVersion,
      GitCommit: '',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: os.release(),
      BuildTime: '',
    });
  });

  router.add('GET', '/info', async (req) => {
    req.send(200, await info(engine));
  });

  router.add('GET', '/events', async (req) => {
    const filters = parseFilters(req.query.get('filters'));
    // `docker events --since 0` replays everything, as dockerd does.
    const sinceNs = timeParam(req.query.get('since'), Date.now(), true);
    const untilNs = timeParam(req.query.get('until'));
    if (sinceNs !== undefined && untilNs !== undefined && untilNs < sinceNs)
      throw invalid(
        `\`since\` time (${req.query.get('since')}) cannot be after \`until\` time (${req.query.get('until')})`,
      );
    const out = req.stream('application/json');
    const send = (e: EngineEvent) => {
      if (eventMatches(e, filters)) out.write(`${JSON.stringify(e)}\n`);
    };
    if (sinceNs !== undefined) for (const e of engine.events.past(sinceNs, untilNs)) send(e);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (untilNs !== undefined && untilNs <= nowNs) {
      out.end();
      return;
    }
    const unsubscribe = engine.events.subscribe((e) => {
      if (untilNs !== undefined && BigInt(e.timeNano) > untilNs) return;
      send(e);
    });
    await new Promise<void>((resolve) => {
      out.onClose(resolve);
      if (untilNs !== undefined) setTimeout(resolve, Number((untilNs - nowNs) / 1_000_000n));
    });
    unsubscribe();
    out.end();
  });

  router.add('GET', '/system/df', async (req) => {
    const containers = await listContainers(engine.containers, { all: true, size: true, filters: {} });
    const recs = engine.containers.store.all();
    const images = (await engine.images.list({ all: true })) as Array<
      Record<string, unknown> & { Id: string; Size: number }
    >;
    // Layers shared between images count once in LayersSize and as SharedSize in each image.
    const layerUse = new Map<string, number>();
    for (const rec of engine.images.store.all())
      for (const c of rec.chainIds) layerUse.set(c, (layerUse.get(c) ?? 0) + 1);
    let layersSize = 0;
    for (const c of layerUse.keys()) layersSize += await engine.images.store.layers.size(c);
    const withUse = [];
    for (const img of images) {
      const rec = engine.images.store.get(img.Id);
      let shared = 0;
      for (const c of rec?.chainIds ?? [])
        if ((layerUse.get(c) ?? 0) > 1) shared += await engine.images.store.layers.size(c);
      withUse.push({ ...img, SharedSize: shared, Containers: recs.filter((r) => r.Image === img.Id).length });
    }
    req.send(200, {
      LayersSize: layersSize,
      Images: withUse,
      Containers: containers,
      Volumes: await engine.volumes.usage(),
      BuildCache: [],
    });
  });

  // The cache `docker builder prune` clears is BuildKit's; as in dockerd, the classic builder's cache
  // is its step images, which `docker image prune` handles.
  router.add('POST', '/build/prune', async (req) => {
    req.send(200, { CachesDeleted: null, SpaceReclaimed: 0 });
  });
}
