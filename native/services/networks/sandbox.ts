import { readFileSync, writeFileSync } from 'node:fs';
import { conflict, EngineError, errorMessage } from '../../core/errors.ts';
import { tryOr } from '../../core/fsutil.ts';
import { newId, sha256 } from '../../core/ids.ts';
import { type Rule, restoreInput } from '../../network/firewall.ts';
import { formatIPv4, macFor, parseCidr, parseIPv4 } from '../../network/ipam.ts';
import type { EndpointLink } from '../../network/link.ts';
import { parseResolvConf } from '../../network/resolv-conf.ts';
import type { ContainerSpecInput } from '../../runtime/spec.ts';
import type { ContainerRecord, EndpointState, PublishedPort } from '../containers/model.ts';
import { dnsAddress, type NetworkContext } from './context.ts';
import type { SandboxPlan } from './host.ts';
import { isDefaultBridge } from './predefined.ts';
import type { NetworkRecord } from './store.ts';

/**
 * A container's sandbox: its network namespace (a bind-mounted file under <exec-root>/netns, so it
 * outlives berthd), one veth pair per bridge network with the address, routes and DNS redirect inside,
 * and its /etc/hosts and /etc/resolv.conf. Made at start, torn down when the container stops.
 */

/** What the sandbox needs of published ports. */
export interface PortBinder {
  bind(rec: ContainerRecord, n: NetworkRecord): Promise<PublishedPort[]>;
  rulesOf(rec: ContainerRecord, ports: PublishedPort[]): Rule[];
  unpublish(rec: ContainerRecord): Promise<void>;
}

/** How long the kernel may take to destroy a stopped container's veth before berthd deletes it itself. */
export const vethGraceMs = 2000;

const hex = (s: string) => sha256(s).slice('sha256:'.length);

export class Sandboxes {
  /** Host-side veths of stopped containers that the kernel is still destroying, by container id. */
  private readonly teardowns = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: NetworkContext,
    private readonly ports: PortBinder,
    /** The embedded DNS server's port (0: none yet, so no redirect). */
    private readonly dnsPort: () => number,
  ) {}

  /**
   * At start: the namespace the runtime puts the container in. The namespace itself is made before
   * this returns; its interfaces and port rules in `ready`, while the runtime creates the container.
   */
  async attach(
    rec: ContainerRecord,
    opts: { pins?: string[] } = {},
  ): Promise<{ network: ContainerSpecInput['network']; ready?: Promise<void>; pinned?: boolean }> {
    const { ctx } = this;
    const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    if (mode === 'host') return { network: { mode: 'host' } };
    if (mode.startsWith('container:')) {
      const other = ctx.store.get(mode.slice('container:'.length));
      if (other.State.Status !== 'running')
        throw conflict(`cannot join network of a non running container: ${other.Id}`);
      const otherNs = ctx.netnsPath(other.Id);
      return {
        network: {
          mode: 'path',
          path: (await ctx.host.netnsExists(otherNs)) ? otherNs : `/proc/${other.State.Pid}/ns/net`,
        },
      };
    }
    const eps = Object.entries(rec.Endpoints ?? {});
    const nets = eps.map(([name, ep]) => ctx.networks.find(ep.NetworkID) ?? ctx.networks.get(name));
    if (nets.every((n) => n.Driver === 'null')) return { network: { mode: 'none' } };
    // A restart reuses the interface names of the last run; a static address may be one still held.
    await this.teardowns.get(rec.Id);
    if (eps.some(([, ep]) => ep.IPAMConfig?.IPv4Address)) await this.settled();
    const ns = ctx.netnsPath(rec.Id);
    if (await ctx.host.netnsExists(ns)) await ctx.host.deleteNetns(ns).catch(() => undefined);
    try {
      const links: EndpointLink[] = [];
      let first = true;
      let dnsOn = false;
      for (let i = 0; i < eps.length; i++) {
        const [, ep] = eps[i];
        const n = nets[i];
        if (n.Driver !== 'bridge') continue;
        const useDns: boolean = !isDefaultBridge(n) && !dnsOn;
        links.push(
          this.plan(rec, n, ep, { ifName: `eth${i}`, defaultRoute: first && !n.Internal, dns: useDns }),
        );
        dnsOn ||= useDns;
        first = false;
      }
      const primary = nets[0];
      if (primary?.Driver === 'bridge') rec.PublishedPorts = await this.ports.bind(rec, primary);
      const rules = this.ports.rulesOf(rec, rec.PublishedPorts ?? []);
      const connected = () => {
        // dockerd's `network connect` of each network a starting container joins.
        for (const n of nets) if (n.Driver === 'bridge') ctx.emit(n, 'connect', { container: rec.Id });
      };
      const setup = {
        netns: ns,
        loopback: true,
        endpoints: links,
        hostRules: rules.length ? restoreInput('-A', rules) : undefined,
      };
      if (opts.pins) {
        // No runtime waits for the namespace (a container with no process): it is made, with the
        // other namespaces to pin and its interfaces, in one go.
        await Promise.all([
          writeEtcFiles(rec, dnsOn),
          this.configure({ ...setup, create: true, pins: opts.pins }),
        ]);
        connected();
        return { network: { mode: 'path', path: ns }, pinned: true };
      }
      // The namespace first (the runtime needs it), beside the container's /etc files; its interfaces
      // are made while the runtime works.
      await Promise.all([
        writeEtcFiles(rec, dnsOn),
        this.configure({ netns: ns, create: true, loopback: false, endpoints: [] }),
      ]);
      const ready = this.configure({ ...setup, create: false }).then(connected, async (err) => {
        await this.detach(rec).catch(() => undefined);
        throw err;
      });
      return { network: { mode: 'path', path: ns }, ready };
    } catch (err) {
      await this.detach(rec).catch(() => undefined);
      throw err;
    }
  }

  /**
   * `network connect` of a running container: one more veth into its namespace, as eth<N>. The
   * embedded DNS redirect comes with it when none of its other networks has one.
   */
  async plug(rec: ContainerRecord, n: NetworkRecord, ep: EndpointState): Promise<void> {
    const ifName = `eth${Object.keys(rec.Endpoints ?? {}).length - 1}`;
    const hadDns = Object.values(rec.Endpoints ?? {}).some((e) => {
      const other = this.ctx.networks.find(e.NetworkID);
      return e !== ep && e.HostIf && !!other && !isDefaultBridge(other);
    });
    try {
      const link = this.plan(rec, n, ep, {
        ifName,
        defaultRoute: false,
        dns: !hadDns && !isDefaultBridge(n),
      });
      await this.configure({ netns: this.ctx.netnsPath(rec.Id), create: false, endpoints: [link] });
    } catch (err) {
      this.ctx.pools.release(n.Id, ep.IPAddress);
      throw err;
    }
  }

  /** `network disconnect`: the endpoint's veth goes (with it, the interface inside) and its address. */
  async unplug(n: NetworkRecord, ep: EndpointState): Promise<void> {
    this.ctx.pools.release(n.Id, ep.IPAddress);
    if (ep.HostIf) await this.ctx.host.deleteLink(ep.HostIf).catch(() => undefined);
  }

  private async configure(plan: SandboxPlan & { hostRules?: string }): Promise<void> {
    try {
      await this.ctx.host.configureSandbox(plan);
    } catch (err) {
      throw new EngineError('internal', `failed to set up container networking: ${errorMessage(err)}`);
    }
  }

  /** Allocates the endpoint's address and names its interfaces; the sandbox script makes them. */
  private plan(
    rec: ContainerRecord,
    n: NetworkRecord,
    ep: EndpointState,
    opts: { ifName: string; defaultRoute: boolean; dns: boolean },
  ): EndpointLink {
    const alloc = this.ctx.pools.of(n);
    const want = ep.IPAMConfig?.IPv4Address ? parseIPv4(ep.IPAMConfig.IPv4Address) : undefined;
    const ip = want !== undefined ? alloc.request(want) : alloc.allocate();
    const c = n.IPAM.Config[0];
    const bits = parseCidr(c.Subnet).bits;
    ep.IPAddress = formatIPv4(ip);
    ep.IPPrefixLen = bits;
    ep.Gateway = c.Gateway;
    ep.MacAddress = ep.MacAddress || macFor(ip);
    ep.EndpointID = newId();
    ep.HostIf = `ve${hex(`${rec.Id}/${n.Id}`).slice(0, 11)}`;
    ep.IfName = opts.ifName;
    const port = this.dnsPort();
    return {
      netns: this.ctx.netnsPath(rec.Id),
      hostIf: ep.HostIf,
      ifName: opts.ifName,
      bridge: n.BridgeName as string,
      ip: ep.IPAddress,
      prefixLen: bits,
      mac: ep.MacAddress,
      defaultGateway: opts.defaultRoute ? c.Gateway : undefined,
      mtu: Number(n.Options['com.docker.network.driver.mtu']) || 1500,
      dns: opts.dns && port ? { address: c.Gateway, port } : undefined,
    };
  }

  /**
   * After the container stopped (or failed to start): ports unpublished, endpoints emptied of their
   * addresses (kept: a restart joins the same networks), the namespace unmounted.
   */
  async detach(rec: ContainerRecord): Promise<void> {
    const { ctx } = this;
    await this.ports.unpublish(rec);
    rec.PublishedPorts = [];
    const vanishing: Array<{ hostIf: string; release: () => void }> = [];
    for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
      const n = ctx.networks.find(ep.NetworkID) ?? ctx.networks.find(name);
      const address = ep.IPAddress;
      const release = () => {
        if (n) ctx.pools.release(n.Id, address);
      };
      if (ep.HostIf) vanishing.push({ hostIf: ep.HostIf, release });
      else release();
      // dockerd's `network disconnect` of each network a stopping container leaves.
      if (n && ep.IPAddress) ctx.emit(n, 'disconnect', { container: rec.Id });
      ep.IPAddress = '';
      ep.IPPrefixLen = 0;
      ep.Gateway = '';
      ep.EndpointID = '';
      if (!ep.IPAMConfig?.IPv4Address && !isUserMac(rec, ep)) ep.MacAddress = '';
      delete ep.HostIf;
      delete ep.IfName;
    }
    const ns = ctx.netnsPath(rec.Id);
    const hadNs = await ctx.host.netnsExists(ns);
    if (hadNs) await ctx.host.deleteNetns(ns);
    if (!vanishing.length) return;
    // With the namespace file gone and the container's processes dead, the kernel destroys the
    // namespace and both ends of each veth in its own time (tens of ms of RCU work here, which an
    // `ip link del` would make every stop and removal wait for). Addresses go back to the pool once
    // the interface is gone; a veth that outlives that (its namespace still held) is deleted outright.
    const reap = this.reap(vanishing, hadNs ? vethGraceMs : 0).finally(() => {
      if (this.teardowns.get(rec.Id) === reap) this.teardowns.delete(rec.Id);
    });
    this.teardowns.set(rec.Id, reap);
  }

  private async reap(links: Array<{ hostIf: string; release: () => void }>, graceMs: number): Promise<void> {
    const { host, clock, log } = this.ctx;
    const deadline = clock.now() + graceMs;
    const pause = () => new Promise<void>((r) => clock.setTimeout(r, 5));
    for (const l of links) {
      while ((await host.linkExists(l.hostIf)) && clock.now() < deadline) await pause();
      await host
        .deleteLink(l.hostIf)
        .catch((err) => log.warn('removing a veth failed', { link: l.hostIf, error: errorMessage(err) }));
      l.release();
    }
  }

  /** Resolves once every stopped container's interfaces are gone (network removal, static addresses). */
  async settled(): Promise<void> {
    while (this.teardowns.size) await Promise.all([...this.teardowns.values()]);
  }
}

function isUserMac(rec: ContainerRecord, ep: EndpointState): boolean {
  const cfg = (rec.Config as { MacAddress?: string }).MacAddress;
  return !!cfg && cfg === ep.MacAddress;
}

/**
 * /etc/hosts with the container's own address, /etc/resolv.conf pointing at the embedded DNS.
 * Written in place, not renamed over: they are bind-mounted files (a new inode would not be seen
 * through the mount), and neither needs to outlive a power loss (every start writes them again).
 */
export async function writeEtcFiles(rec: ContainerRecord, embeddedDns: boolean): Promise<void> {
  const first = Object.values(rec.Endpoints ?? {}).find((e) => e.IPAddress);
  if (first) {
    const hosts = tryOr(() => readFileSync(rec.HostsPath, 'utf8'), '');
    const fqdn = rec.Config.Domainname
      ? `${rec.Config.Hostname}.${rec.Config.Domainname}`
      : rec.Config.Hostname;
    const own = `${first.IPAddress}\t${fqdn}${fqdn !== rec.Config.Hostname ? ` ${rec.Config.Hostname}` : ''}`;
    const lines = hosts
      .split('\n')
      .filter(
        (l) =>
          l !== '' && !/^127\.0\.1\.1\s/.test(l) && !l.endsWith(`\t${fqdn}`) && !l.includes(`\t${fqdn} `),
      );
    writeFileSync(rec.HostsPath, `${[...lines, own].join('\n')}\n`, { mode: 0o644 });
  }
  if (embeddedDns) {
    const cur = parseResolvConf(tryOr(() => readFileSync(rec.ResolvConfPath, 'utf8'), ''));
    // As dockerd writes it: search, the embedded server, then the options, ndots:0 unless one was given.
    const opts = cur.options.some((o) => o.startsWith('ndots:')) ? cur.options : [...cur.options, 'ndots:0'];
    const text = [
      ...(cur.search.length ? [`search ${cur.search.join(' ')}`] : []),
      `nameserver ${dnsAddress}`,
      `options ${opts.join(' ')}`,
      '',
    ].join('\n');
    writeFileSync(rec.ResolvConfPath, text, { mode: 0o644 });
  }
}
