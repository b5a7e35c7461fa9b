import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/fsutil.ts';
import { type DnsQuestion, DnsServer, type Resolution } from '../../network/dns.ts';
import type { ContainerRecord, EndpointState } from '../containers/model.ts';
import { dnsAddress, type NetworkContext } from './context.ts';
import { isDefaultBridge } from './predefined.ts';
import type { NetworkRecord } from './store.ts';

/** The names a container answers to on a user-defined network: name, aliases, short id, hostname. */
export function dnsNames(rec: ContainerRecord, ep: EndpointState): string[] {
  const names = [rec.Name.slice(1), ...(ep.Aliases ?? []), rec.Id.slice(0, 12)];
  if (rec.Config.Hostname && !names.includes(rec.Config.Hostname)) names.push(rec.Config.Hostname);
  return [...new Set(names)];
}

/** Whether containers on the network resolve each other by name (user-defined bridges only, as Docker). */
export function hasEmbeddedDns(n: NetworkRecord | undefined): boolean {
  return !!n && n.Driver === 'bridge' && !isDefaultBridge(n);
}

/**
 * The embedded DNS server and what its names mean. It listens on the gateway of each user-defined
 * bridge, on one port for all (kept in `<network dir>/dns-port`, so that running containers' redirects
 * of 127.0.0.11:53 still reach it after a restart); containers answer for their names on the networks
 * the asker shares with them, and the rest is forwarded to the asker's `--dns`, the daemon's, or the
 * host's name servers.
 */
export class EmbeddedDns {
  private readonly server: DnsServer;
  private hostDns: string[] = [];
  private savedPort = 0;

  constructor(
    private readonly ctx: NetworkContext,
    /** Picks one of several answers to rotate to the front (Docker shuffles); a seam for tests. */
    private readonly pick: (n: number) => number = (n) => Math.floor(Math.random() * n),
  ) {
    this.server = new DnsServer({ resolve: (q) => this.resolve(q), log: ctx.log });
  }

  /** The port served on every gateway (0 while nothing listens and none was saved). */
  get port(): number {
    return this.server.port || this.savedPort;
  }

  private get portFile(): string {
    return path.join(this.ctx.networks.dir, 'dns-port');
  }

  /** Reads the upstreams of the host and listens on every user-defined bridge. */
  async start(): Promise<void> {
    await this.readHostUpstreams();
    this.savedPort = Number((await fs.readFile(this.portFile, 'utf8').catch(() => '')).trim()) || 0;
    for (const n of this.ctx.networks.all()) if (hasEmbeddedDns(n)) await this.listen(n);
  }

  /** The host's name servers, for containers without --dns of their own (never ourselves). */
  async readHostUpstreams(): Promise<void> {
    this.hostDns = (await this.ctx.host.resolvConf()).nameservers.filter((s) => s !== dnsAddress);
  }

  /** Serves the network's gateway, on the saved port when it can (another when that one is taken). */
  async listen(n: NetworkRecord): Promise<void> {
    const gw = n.IPAM.Config[0]?.Gateway;
    if (!gw) return;
    try {
      await this.server.listen(gw, this.server.port || this.savedPort);
    } catch (err) {
      // The saved port is taken: take another one (running containers' redirects need a restart).
      this.ctx.log.warn('DNS listen failed', { address: gw, error: errorMessage(err) });
      if (!this.server.port) await this.server.listen(gw, 0);
    }
    if (this.server.port && this.server.port !== this.savedPort) {
      this.savedPort = this.server.port;
      await writeFileAtomic(this.portFile, `${this.savedPort}\n`, 0o600);
    }
  }

  async unlisten(n: NetworkRecord): Promise<void> {
    await this.server.unlisten(n.IPAM.Config[0]?.Gateway ?? '').catch(() => undefined);
  }

  close(): Promise<void> {
    return this.server.close().catch(() => undefined);
  }

  /** What a name means to the container that asks (found by its address and the gateway it asked). */
  resolve(q: DnsQuestion): Resolution {
    const { store, networks, options } = this.ctx;
    const asker = this.containerByAddress(q.client, q.local);
    const upstreams = asker?.HostConfig.Dns?.length
      ? asker.HostConfig.Dns
      : options.dns.length
        ? options.dns
        : this.hostDns;
    const forward: Resolution = upstreams.length ? { forward: upstreams } : { nxdomain: true };
    if (!asker) return forward;
    const myNets = Object.values(asker.Endpoints ?? {}).map((e) => e.NetworkID);
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (q.type === 'PTR') {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
      if (!m) return forward;
      const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
      for (const rec of store.all()) {
        for (const ep of Object.values(rec.Endpoints ?? {})) {
          if (ep.IPAddress === ip && myNets.includes(ep.NetworkID)) {
            const net = networks.find(ep.NetworkID);
            return { answer: [{ type: 'PTR', value: `${rec.Name.slice(1)}.${net?.Name ?? ''}` }] };
          }
        }
      }
      return forward;
    }
    const ips: string[] = [];
    for (const rec of store.all()) {
      for (const ep of Object.values(rec.Endpoints ?? {})) {
        if (!ep.IPAddress || !myNets.includes(ep.NetworkID)) continue;
        const net = networks.find(ep.NetworkID);
        if (!net || isDefaultBridge(net)) continue;
        const names = dnsNames(rec, ep).map((x) => x.toLowerCase());
        if (names.includes(name) || names.some((x) => `${x}.${net.Name.toLowerCase()}` === name)) {
          if (!ips.includes(ep.IPAddress)) ips.push(ep.IPAddress);
        }
      }
    }
    if (ips.length === 0) return forward;
    if (q.type !== 'A') return { answer: [] };
    // Round robin, as Docker shuffles the answers of a name with several containers.
    const k = ips.length > 1 ? this.pick(ips.length) : 0;
    return { answer: [...ips.slice(k), ...ips.slice(0, k)].map((value) => ({ type: 'A' as const, value })) };
  }

  private containerByAddress(ip: string, local: string): ContainerRecord | undefined {
    const net = this.ctx.networks.all().find((n) => n.IPAM.Config[0]?.Gateway === local);
    for (const rec of this.ctx.store.all()) {
      for (const ep of Object.values(rec.Endpoints ?? {})) {
        if (ep.IPAddress === ip && (!net || ep.NetworkID === net.Id)) return rec;
      }
    }
    return undefined;
  }
}
