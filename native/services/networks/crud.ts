import { conflict, EngineError, errorMessage, invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { bridgeRules, type Rule } from '../../network/firewall.ts';
import {
  contains,
  formatIPv4,
  formatPrefix,
  makePool,
  type Prefix,
  parseCidr,
  pickSubnet,
} from '../../network/ipam.ts';
import { validLinkName } from '../../network/link.ts';
import { usedPrefixes } from './addresses.ts';
import type { NetworkContext } from './context.ts';
import { type NetworkRecord, predefined } from './store.ts';

/** What network CRUD needs of the embedded DNS server: a listener on each user-defined bridge. */
export interface DnsListeners {
  listen(n: NetworkRecord): Promise<void>;
  unlisten(n: NetworkRecord): Promise<void>;
}

/**
 * User-defined bridge networks: create (a subnet of the user's or a free default pool, the Linux
 * bridge, its iptables rules, a DNS listener), inspect, remove and prune. The predefined networks are
 * made elsewhere (predefined.ts) and cannot be removed.
 */
export class NetworkCrud {
  constructor(
    private readonly ctx: NetworkContext,
    private readonly dns: DnsListeners,
    /** Resolves once stopped containers' veths are gone, so that a bridge is removed empty. */
    private readonly settled: () => Promise<void>,
  ) {}

  private bridgeRulesOf(n: NetworkRecord): Rule[] {
    const fw = this.ctx.firewall;
    if (!fw || !n.BridgeName) return [];
    return bridgeRules(fw.chains, {
      bridge: n.BridgeName,
      subnet: n.IPAM.Config[0].Subnet,
      internal: n.Internal,
      icc: n.Options['com.docker.network.bridge.enable_icc'] !== 'false',
    });
  }

  /** The bridge with its gateway address, up, and its masquerading and isolation rules. */
  async bringUp(n: NetworkRecord): Promise<void> {
    const c = n.IPAM.Config[0];
    const bits = parseCidr(c.Subnet).bits;
    const mtu = Number(n.Options['com.docker.network.driver.mtu']) || 1500;
    await this.ctx.host.ensureBridge(n.BridgeName as string, `${c.Gateway}/${bits}`, mtu);
    await this.ctx.firewall?.append(this.bridgeRulesOf(n));
  }

  async create(body: Record<string, unknown>): Promise<{ Id: string; Warning: string }> {
    const { ctx } = this;
    const name = typeof body.Name === 'string' ? body.Name : '';
    if (!name) throw invalid('network name must not be empty');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalid(`invalid network name "${name}"`);
    const driver = typeof body.Driver === 'string' && body.Driver ? body.Driver : 'bridge';
    if (driver === 'host' || driver === 'null')
      throw new EngineError('forbidden', `only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    const ipamIn = (body.IPAM ?? {}) as {
      Driver?: string;
      Config?: Array<Record<string, string>>;
      Options?: Record<string, string>;
    };
    const cfgIn = Array.isArray(ipamIn.Config) ? ipamIn.Config : [];
    const v6 = cfgIn.filter((c) => c.Subnet?.includes(':'));
    // No IPv6 here yet: said plainly, rather than making an IPv4 network of an IPv6 one.
    if (v6.length)
      throw new EngineError(
        'not-implemented',
        `berthd does not support IPv6 networks yet (subnet ${v6[0].Subnet})`,
      );
    if (body.EnableIPv6 === true)
      throw invalid(
        'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network',
      );
    if (cfgIn.length > 1) throw invalid('berth supports one IPv4 subnet per network');
    const c0 = cfgIn[0] ?? {};
    // From the choice of subnet until the bridge's route is there, under the host-wide lock: another
    // engine creating a network now would otherwise pick the same one.
    const release = await ctx.host.lockSubnets();
    try {
      return await this.createLocked(name, body, ipamIn, c0);
    } finally {
      await release();
    }
  }

  private async createLocked(
    name: string,
    body: Record<string, unknown>,
    ipamIn: { Driver?: string; Options?: Record<string, string> },
    c0: Record<string, string>,
  ): Promise<{ Id: string; Warning: string }> {
    const { ctx } = this;
    // Under the lock: two creates of one name at once make one network.
    if (ctx.networks.all().some((n) => n.Name === name)) {
      throw conflict(`network with name ${name} already exists`);
    }
    const { subnet, userSubnet } = await this.subnetFor(c0);
    const pool = makePool(formatPrefix(subnet), c0.Gateway || undefined, c0.IPRange || undefined);
    const options = (body.Options ?? {}) as Record<string, string>;
    const id = newId();
    const bridgeName = options['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    if (!validLinkName(bridgeName)) {
      throw invalid(
        `invalid bridge name "${bridgeName}": a Linux interface name has at most 15 characters, none of them a space or '/'`,
      );
    }
    const rec: NetworkRecord = {
      Name: name,
      Id: id,
      Created: new Date(ctx.clock.now()).toISOString(),
      Scope: 'local',
      Driver: 'bridge',
      EnableIPv6: false,
      IPAM: {
        Driver: ipamIn.Driver || 'default',
        Options: ipamIn.Options ?? {},
        Config: [
          {
            Subnet: formatPrefix(subnet),
            Gateway: formatIPv4(pool.gateway),
            ...(c0.IPRange ? { IPRange: c0.IPRange } : {}),
          },
        ],
      },
      Internal: body.Internal === true,
      Attachable: body.Attachable === true,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: options,
      Labels: (body.Labels ?? {}) as Record<string, string>,
      UserSubnet: userSubnet,
      AutoGateway: userSubnet && !c0.Gateway,
      BridgeName: bridgeName,
    };
    try {
      await this.bringUp(rec);
      await ctx.networks.save(rec);
      await this.dns.listen(rec);
    } catch (err) {
      await ctx.firewall?.remove(this.bridgeRulesOf(rec)).catch(() => undefined);
      await ctx.host.deleteLink(bridgeName).catch(() => undefined);
      await ctx.networks.delete(rec).catch(() => undefined);
      throw err;
    }
    ctx.emit(rec, 'create');
    return { Id: id, Warning: '' };
  }

  /** The user's subnet (which must overlap none of ours), or the first free default pool. */
  private async subnetFor(c0: Record<string, string>): Promise<{ subnet: Prefix; userSubnet: boolean }> {
    const { networks, host } = this.ctx;
    if (!c0.Subnet) {
      if (c0.Gateway || c0.IPRange) throw invalid('Gateway and IPRange need a subnet');
      return { subnet: pickSubnet(usedPrefixes(networks.all(), await host.routes())), userSubnet: false };
    }
    let c: ReturnType<typeof parseCidr>;
    try {
      c = parseCidr(c0.Subnet);
    } catch (err) {
      throw invalid(`Invalid subnet ${c0.Subnet} : ${errorMessage(err)}`);
    }
    const subnet = { base: c.base, bits: c.bits };
    const ours = networks.all().flatMap((n) => n.IPAM.Config.map((x) => parseCidr(x.Subnet)));
    if (ours.some((o) => contains({ base: o.base, bits: Math.min(o.bits, subnet.bits) }, subnet.base))) {
      throw new EngineError('forbidden', 'Pool overlaps with other one on this address space');
    }
    return { subnet, userSubnet: true };
  }

  async remove(ref: string): Promise<void> {
    const n = this.ctx.networks.get(ref);
    if (predefined.has(n.Name))
      throw new EngineError('forbidden', `${n.Name} is a pre-defined network and cannot be removed`);
    if (this.ctx.usersOf(n).length) {
      throw new EngineError(
        'forbidden',
        `error while removing network: network ${n.Name} id ${n.Id} has active endpoints`,
      );
    }
    await this.destroy(n);
  }

  /** Removes the unused user-defined networks that match; returns their names. */
  async prune(matches: (n: NetworkRecord) => boolean): Promise<string[]> {
    const out: string[] = [];
    for (const n of this.ctx.networks.all()) {
      if (predefined.has(n.Name) || this.ctx.usersOf(n).length || !matches(n)) continue;
      await this.destroy(n);
      out.push(n.Name);
    }
    return out;
  }

  private async destroy(n: NetworkRecord): Promise<void> {
    const { ctx } = this;
    await this.settled();
    await this.dns.unlisten(n);
    await ctx.firewall?.remove(this.bridgeRulesOf(n));
    if (n.BridgeName) await ctx.host.deleteLink(n.BridgeName);
    ctx.pools.forget(n.Id);
    await ctx.networks.delete(n);
    ctx.emit(n, 'destroy');
  }

  /** `docker network inspect`: dockerd's key order, and the IPAM config as it was asked for. */
  inspect(n: NetworkRecord): object {
    const containers: Record<string, object> = {};
    for (const c of this.ctx.usersOf(n)) {
      const ep = Object.values(c.Endpoints ?? {}).find((e) => e.NetworkID === n.Id);
      if (!ep?.IPAddress) continue;
      containers[c.Id] = {
        Name: c.Name.slice(1),
        EndpointID: ep.EndpointID,
        MacAddress: ep.MacAddress,
        IPv4Address: `${ep.IPAddress}/${ep.IPPrefixLen}`,
        IPv6Address: '',
      };
    }
    // The CLI prints the JSON as it comes; a gateway berthd chose for a given subnet is not shown.
    const { UserSubnet: _u, BridgeName: _b, AutoGateway: auto, Options, Labels, ...head } = n;
    const config = n.IPAM.Config.map((c) => ({
      Subnet: c.Subnet,
      ...(c.IPRange ? { IPRange: c.IPRange } : {}),
      ...(auto ? {} : { Gateway: c.Gateway }),
    }));
    return { ...head, IPAM: { ...n.IPAM, Config: config }, Containers: containers, Options, Labels };
  }
}
