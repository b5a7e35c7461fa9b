import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type Clock, systemClock } from '../core/clock.ts';
import { isEngineError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Sys } from '../core/sys.ts';
import { type CgroupInfo, detectCgroups } from '../runtime/cgroups.ts';
import { detectRuntime, findBinary, OciRuntime } from '../runtime/oci-runtime.ts';
import { EngineContainerOperations } from './containers/engine-operations.ts';
import { HealthMonitor } from './containers/health.ts';
import { noHealth } from './containers/hooks.ts';
import { LogRotator } from './containers/log-rotate.ts';
import { ExitMonitor } from './containers/monitor.ts';
import type { ContainerOperations } from './containers/operations.ts';
import { hasProcess } from './containers/state.ts';
import { ContainerStore } from './containers/store.ts';
import { type ContainerContext, type EnginePaths, enginePaths } from './context.ts';
import { EventBus } from './events.ts';
import { ExecService } from './exec/service.ts';
import { EngineImages } from './images/engine-images.ts';
import type { ImageOperations } from './images/operations.ts';
import { RegistryService } from './images/registry.ts';
import { ImageService } from './images/service.ts';
import { type NetworkOptions, NetworkService } from './networks/service.ts';
import { ContainerMounts } from './volumes/container-mounts.ts';
import type { VolumeOperations } from './volumes/operations.ts';
import { VolumeService } from './volumes/service.ts';

export interface EngineOptions {
  dataRoot: string;
  execRoot: string;
  runtime?: string;
  network?: Partial<NetworkOptions>;
  sys: Sys;
  log: Logger;
  clock?: Clock;
}

/** The engine: the services behind both API front ends, wired once. */
export class Engine {
  readonly paths: EnginePaths;
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly registry: RegistryService;
  readonly containers: ContainerContext;
  readonly exec: ExecService;
  /** The container interface every front end calls: the Docker routes, the builder, the kubelet. */
  readonly containerOps: ContainerOperations;
  /** The image side of the builder's backend. */
  readonly imageOps: ImageOperations;
  /** Named volumes as the orchestrator's storage holds them. */
  readonly volumeOps: VolumeOperations;
  readonly networks: NetworkService;
  readonly volumes: VolumeService;
  readonly cgroups: CgroupInfo;
  readonly startedAt = new Date();
  private readonly monitor: ExitMonitor;
  private readonly health: HealthMonitor;
  private readonly rotator: LogRotator;

  constructor(readonly opts: EngineOptions) {
    this.paths = enginePaths(opts.dataRoot, opts.execRoot);
    this.cgroups = detectCgroups();
    const rt = detectRuntime(opts.runtime, this.cgroups.hybrid);
    const conmon = findBinary('conmon');
    if (!conmon) throw new Error('conmon is not installed (apt-get install conmon)');
    const store = new ContainerStore(this.paths.containers, opts.log);
    this.images = new ImageService({
      root: this.paths.image,
      log: opts.log,
      sys: opts.sys,
      emit: (e) => this.events.emit(e),
      usedBy: (imageId) =>
        store
          .all()
          .filter((c) => c.Image === imageId)
          .map((c) => ({ id: c.Id, running: hasProcess(c.State.Status) })),
    });
    this.registry = new RegistryService(this.images, (e) => this.events.emit(e));
    this.networks = new NetworkService({
      sys: opts.sys,
      log: opts.log,
      clock: opts.clock ?? systemClock,
      events: this.events,
      store,
      dataRoot: opts.dataRoot,
      execRoot: opts.execRoot,
      options: { iptables: true, dns: [], ...opts.network },
    });
    this.volumes = new VolumeService({
      root: path.join(opts.dataRoot, 'volumes'),
      sys: opts.sys,
      log: opts.log,
      clock: opts.clock ?? systemClock,
      emit: (e) => this.events.emit(e),
    });
    this.containers = {
      sys: opts.sys,
      log: opts.log,
      clock: opts.clock ?? systemClock,
      events: this.events,
      store,
      images: this.images,
      runtime: new OciRuntime(rt.name, rt.path, this.paths.runtimeState, opts.sys),
      conmon,
      cgroups: this.cgroups,
      paths: this.paths,
      initBinary: findBinary('tini-static') ?? findBinary('docker-init') ?? findBinary('tini'),
      lifecycle: new EventEmitter().setMaxListeners(0),
      pendingAttach: new Map(),
      locks: new Map(),
      cancelRestart: (id) => this.monitor.cancelRestart(id),
      volumes: new ContainerMounts({
        volumes: this.volumes,
        store,
        events: this.events,
        sys: opts.sys,
        log: opts.log,
      }),
      network: this.networks,
      health: noHealth,
    };
    this.monitor = new ExitMonitor(this.containers);
    this.exec = new ExecService(this.containers);
    this.containerOps = new EngineContainerOperations(this.containers, this.exec);
    this.volumeOps = {
      create: (name, labels) => this.volumes.create({ Name: name, Labels: labels }),
      remove: async (name) => {
        try {
          await this.volumes.remove(name);
        } catch (err) {
          if (!isEngineError(err, 'not-found')) throw err;
        }
      },
    };
    this.imageOps = new EngineImages(opts.sys, this.images, this.registry);
    // Probes run as execs, so the health monitor comes once the exec service exists.
    this.health = new HealthMonitor(this.containers, this.exec);
    this.containers.health = this.health;
    this.rotator = new LogRotator(this.containers);
  }

  get runtime(): OciRuntime {
    return this.containers.runtime;
  }

  async init(): Promise<void> {
    const p = this.paths;
    await fs.mkdir(p.dataRoot, { recursive: true, mode: 0o711 });
    for (const d of [p.execRoot, p.runtimeState, p.bundles, p.exits, p.execBundles, p.sockets]) {
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
    }
    await this.images.init();
    await this.containers.store.load();
    await this.networks.init();
    // Before the exit monitor: exits it finds while reconciling release the volumes they used.
    await this.volumes.init(this.containers.store.all());
    await this.monitor.start();
    this.rotator.start();
  }

  /** Stops watching; containers keep running under their conmon (live restore). */
  shutdown(): void {
    this.monitor.stop();
    this.health.shutdown();
    this.rotator.stop();
    void this.networks.shutdown();
  }
}
