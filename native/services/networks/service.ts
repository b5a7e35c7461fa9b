import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import { sha256 } from '../../core/ids.ts';
import type { Logger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { Firewall } from '../../network/firewall.ts';
import { parseIPv4 } from '../../network/ipam.ts';
import type { ContainerSpecInput } from '../../runtime/spec.ts';
import type { ContainerNetwork } from '../containers/hooks.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { ContainerStore } from '../containers/store.ts';
import type { EventBus } from '../events.ts';
import { NetworkContext, type NetworkOptions, type PacketFilter } from './context.ts';
import { NetworkCrud } from './crud.ts';
import { Endpoints } from './endpoints.ts';
import { hostNet, type NetHost } from './host.ts';
import { PublishedPorts, portList } from './ports.ts';
import { ensurePredefined } from './predefined.ts';
import { EmbeddedDns } from './resolver.ts';
import { Sandboxes } from './sandbox.ts';
import { type NetworkRecord, NetworkStore } from './store.ts';
import { networkSettings } from './views.ts';

export type { NetworkOptions } from './context.ts';
export { parsePortKey } from './ports.ts';

export interface NetworkDeps {
  sys: Sys;
  log: Logger;
  clock: Clock;
  events: EventBus;
  store: ContainerStore;
  dataRoot: string;
  execRoot: string;
  options: NetworkOptions;
  /** The host's links, namespaces and sockets; the real host unless a test passes a fake. */
  host?: NetHost;
  /** The iptables side; by default the daemon's own chains through `sys` (when options.iptables). */
  firewall?: PacketFilter;
}

/** A tag that keeps this daemon's bridges and iptables chains apart from another daemon's on the host. */
export function daemonTag(execRoot: string): string {
  return execRoot === '/run/berth'
    ? ''
    : `-${sha256(execRoot).slice('sha256:'.length, 'sha256:'.length + 6)}`;
}

/**
 * Networks of containers: the default bridge, user-defined bridges, host, none, container:<id>. The
 * facade the engine and the routes call; each job lives in a module of its own (see the imports).
 */
export class NetworkService implements ContainerNetwork {
  readonly networks: NetworkStore;
  private readonly ctx: NetworkContext;
  private readonly published: PublishedPorts;
  private readonly dns: EmbeddedDns;
  private readonly sandboxes: Sandboxes;
  private readonly crud: NetworkCrud;
  private readonly endpoints: Endpoints;

  constructor(deps: NetworkDeps) {
    this.networks = new NetworkStore(path.join(deps.dataRoot, 'network'), deps.log);
    const tag = daemonTag(deps.execRoot);
    const firewall = deps.firewall ?? (deps.options.iptables ? new Firewall(deps.sys, tag) : undefined);
    this.ctx = new NetworkContext(
      {
        sys: deps.sys,
        log: deps.log,
        clock: deps.clock,
        events: deps.events,
        store: deps.store,
        networks: this.networks,
        host: deps.host ?? hostNet(deps.sys),
        execRoot: deps.execRoot,
        options: deps.options,
        tag,
      },
      firewall,
    );
    this.published = new PublishedPorts(this.ctx);
    this.dns = new EmbeddedDns(this.ctx);
    this.sandboxes = new Sandboxes(this.ctx, this.published, () => this.dns.port);
    this.crud = new NetworkCrud(this.ctx, this.dns, () => this.sandboxes.settled());
    this.endpoints = new Endpoints(this.ctx, this.sandboxes);
  }

  /** At start: records, firewall, predefined networks, bridges, DNS, then what running containers hold. */
  async init(): Promise<void> {
    const { ctx } = this;
    this.published.ipv6 = await ctx.host.ipv6();
    await this.networks.load();
    if (ctx.firewall) {
      try {
        await ctx.firewall.init();
        await ctx.host.enableForwarding();
      } catch (err) {
        // Without iptables, containers still get their networks; published ports then go through
        // the userland proxy only.
        ctx.log.error('iptables is not usable: published ports work through the userland proxy only', {
          error: errorMessage(err),
        });
        ctx.firewall = undefined;
      }
    }
    // The default bridge's subnet is picked clear of the host's routes, and every bridge's route is
    // there, before another engine starting now reads them.
    const release = await ctx.host.lockSubnets();
    try {
      await ensurePredefined(ctx);
      for (const n of this.networks.all()) {
        if (n.Driver !== 'bridge') continue;
        await this.crud
          .bringUp(n)
          .catch((err) =>
            ctx.log.error('bringing up network failed', { network: n.Name, error: errorMessage(err) }),
          );
      }
    } finally {
      await release();
    }
    await this.dns.start();
    // Live restore: running containers keep their addresses, ports and DNS.
    for (const rec of ctx.store.all()) {
      const running = hasProcess(rec.State.Status);
      if (!running) continue;
      for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
        const n = this.networks.find(ep.NetworkID) ?? this.networks.find(name);
        const ip = parseIPv4(ep.IPAddress);
        if (n && ip !== undefined) ctx.pools.of(n).claim(ip);
      }
      await this.published
        .restore(rec)
        .catch((err) =>
          ctx.log.warn('restoring published ports failed', { id: rec.Id, error: errorMessage(err) }),
        );
    }
  }

  async shutdown(): Promise<void> {
    await this.published.close();
    await this.dns.close();
  }

  // ---- the container life cycle (ContainerNetwork) ----

  prepare(rec: ContainerRecord, networkingConfig: unknown): Promise<void> {
    return this.endpoints.prepare(rec, networkingConfig);
  }

  attach(
    rec: ContainerRecord,
    opts?: { pins?: string[] },
  ): Promise<{ network: ContainerSpecInput['network']; ready?: Promise<void>; pinned?: boolean }> {
    return this.sandboxes.attach(rec, opts);
  }

  detach(rec: ContainerRecord): Promise<void> {
    return this.sandboxes.detach(rec);
  }

  release(rec: ContainerRecord): Promise<void> {
    return this.sandboxes.detach(rec);
  }

  /** Resolves once every stopped container's interfaces are gone. */
  settled(): Promise<void> {
    return this.sandboxes.settled();
  }

  view(rec: ContainerRecord): object {
    return networkSettings(this.ctx, rec);
  }

  ports(rec: ContainerRecord): object[] {
    return portList(rec);
  }

  // ---- the network API ----

  create(body: Record<string, unknown>): Promise<{ Id: string; Warning: string }> {
    return this.crud.create(body);
  }

  remove(ref: string): Promise<void> {
    return this.crud.remove(ref);
  }

  prune(matches: (n: NetworkRecord) => boolean): Promise<string[]> {
    return this.crud.prune(matches);
  }

  inspect(n: NetworkRecord): object {
    return this.crud.inspect(n);
  }

  /** The containers with an active endpoint on a network (what stops rm and prune). */
  usersOf(n: NetworkRecord): ContainerRecord[] {
    return this.ctx.usersOf(n);
  }

  connect(ref: string, body: Record<string, unknown>): Promise<void> {
    return this.endpoints.connect(ref, body);
  }

  disconnect(ref: string, body: Record<string, unknown>): Promise<void> {
    return this.endpoints.disconnect(ref, body);
  }
}
