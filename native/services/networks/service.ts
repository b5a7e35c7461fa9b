import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { conflict, EngineError, errorMessage, invalid, notFound } from '../../core/errors.ts';
import { exists, writeFileAtomic } from '../../core/fsutil.ts';
import { newId, sha256 } from '../../core/ids.ts';

const hex = (s: string) => sha256(s).slice('sha256:'.length);

import type { Logger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { type DnsQuestion, DnsServer, type Resolution } from '../../network/dns.ts';
import { bridgeRules, Firewall, portRules, type Rule, restoreInput } from '../../network/firewall.ts';
import {
  AddressAllocator,
  contains,
  formatIPv4,
  formatPrefix,
  isValidMac,
  macFor,
  makePool,
  type Prefix,
  parseCidr,
  parseIPv4,
  pickSubnet,
} from '../../network/ipam.ts';
import {
  configureSandbox,
  deleteLink,
  deleteNetns,
  type EndpointLink,
  enableForwarding,
  ensureBridge,
  linkExists,
} from '../../network/link.ts';
import { type PortProxy, startProxy } from '../../network/proxy.ts';
import { hostResolvConf, parseResolvConf } from '../../network/resolv-conf.ts';
import type { ContainerSpecInput } from '../../runtime/spec.ts';
import type { ContainerNetwork } from '../containers/hooks.ts';
import type { ContainerRecord, EndpointState, PublishedPort } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { ContainerStore } from '../containers/store.ts';
import type { EventBus } from '../events.ts';
import { type NetworkRecord, NetworkStore, predefined } from './store.ts';

export interface NetworkOptions {
  /** Linux bridge of the default network; `none` disables the default bridge. */
  bridge?: string;
  /** Gateway/prefix of the default bridge, e.g. 172.17.0.1/16. */
  bip?: string;
  iptables: boolean;
  /** Default DNS servers of containers. */
  dns: string[];
}

export interface NetworkDeps {
  sys: Sys;
  log: Logger;
  clock: Clock;
  events: EventBus;
  store: ContainerStore;
  dataRoot: string;
  execRoot: string;
  options: NetworkOptions;
}

const dnsAddress = '127.0.0.11';

/** How long the kernel may take to destroy a stopped container's veth before berthd deletes it itself. */
const vethGraceMs = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tag that keeps this daemon's bridges and iptables chains apart from another daemon's on the host. */
export function daemonTag(execRoot: string): string {
  return execRoot === '/run/berth' ? '' : `-${hex(execRoot).slice(0, 6)}`;
}

function ipv6Available(): Promise<boolean> {
  return fs.readFile('/proc/net/if_inet6', 'utf8').then(
    (t) => t.trim().length > 0,
    () => false,
  );
}

/** The prefixes of the host's IPv4 routes (except the default route), which new subnets must avoid. */
async function hostRoutes(): Promise<Prefix[]> {
  const text = await fs.readFile('/proc/net/route', 'utf8').catch(() => '');
  const out: Prefix[] = [];
  const le = (hex: string) => {
    const n = Number.parseInt(hex, 16);
    return (
      (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | ((n >>> 24) & 255)) >>> 0
    );
  };
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const m = le(f[7]);
    if (m === 0) continue;
    const bits = 32 - Math.log2(2 ** 32 - m);
    out.push({ base: le(f[1]), bits: Math.round(bits) });
  }
  return out;
}

interface PortSpec {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  bindings: Array<{ HostIp: string; HostPort: string }>;
}

export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' | 'sctp' } {
  const [p, proto = 'tcp'] = key.split('/');
  const port = Number(p);
  if (!/^\d+$/.test(p ?? '') || port < 1 || port > 65535) throw invalid(`invalid port specification: "${p}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalid(`invalid proto: ${proto}`);
  return { port, proto };
}

function hostPortRange(spec: string): [number, number] {
  if (spec === '') return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  const a = Number(m?.[1]);
  const b = m?.[2] === undefined ? a : Number(m[2]);
  if (!m || a > 65535 || b > 65535 || b < a) throw invalid(`invalid hostPort: ${spec}`);
  return [a, b];
}

/** Networks of containers: the default bridge, user-defined bridges, host, none, container:<id>. */
export class NetworkService implements ContainerNetwork {
  readonly networks: NetworkStore;
  private readonly allocators = new Map<string, AddressAllocator>();
  private readonly proxies = new Map<string, PortProxy[]>();
  /** Host-side veths of stopped containers that the kernel is still destroying, by container id. */
  private readonly teardowns = new Map<string, Promise<void>>();
  private firewall: Firewall | undefined;
  private readonly dns: DnsServer;
  private readonly tag: string;
  private dnsPort = 0;
  private ipv6 = false;
  private hostDns: string[] = [];

  constructor(private readonly deps: NetworkDeps) {
    this.networks = new NetworkStore(path.join(deps.dataRoot, 'network'), deps.log);
    this.tag = daemonTag(deps.execRoot);
    this.firewall = deps.options.iptables ? new Firewall(deps.sys, this.tag) : undefined;
    this.dns = new DnsServer({ resolve: (q) => this.resolve(q), log: deps.log });
  }

  private netnsPath(id: string): string {
    return path.join(this.deps.execRoot, 'netns', id);
  }

  private defaultBridgeName(): string {
    return this.deps.options.bridge ?? (this.tag ? `bt0${this.tag}` : 'berth0');
  }

  // ---- start-up ------------------------------------------------------------------------------------

  async init(): Promise<void> {
    const { log } = this.deps;
    this.ipv6 = await ipv6Available();
    this.hostDns = (await hostResolvConf()).nameservers.filter((s) => s !== dnsAddress);
    await this.networks.load();
    await this.ensurePredefined();
    if (this.firewall) {
      try {
        await this.firewall.init();
        await enableForwarding();
      } catch (err) {
        // Without iptables, containers still get their networks; published ports then go through
        // the userland proxy only.
        log.error('iptables is not usable: published ports work through the userland proxy only', {
          error: errorMessage(err),
        });
        this.firewall = undefined;
      }
    }
    for (const n of this.networks.all()) {
      if (n.Driver !== 'bridge') continue;
      await this.bringUp(n).catch((err) =>
        log.error('bringing up network failed', { network: n.Name, error: errorMessage(err) }),
      );
    }
    await this.startDns();
    // Live restore: running containers keep their addresses, ports and DNS.
    for (const rec of this.deps.store.all()) {
      const running = hasProcess(rec.State.Status);
      if (!running) continue;
      for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
        const n = this.networks.find(ep.NetworkID) ?? this.networks.find(name);
        const ip = parseIPv4(ep.IPAddress);
        if (n && ip !== undefined) this.allocator(n).claim(ip);
      }
      await this.publish(rec, rec.PublishedPorts ?? []).catch((err) =>
        log.warn('restoring published ports failed', { id: rec.Id, error: errorMessage(err) }),
      );
    }
  }

  private async ensurePredefined(): Promise<void> {
    const now = new Date(this.deps.clock.now()).toISOString();
    const base = (name: string, driver: NetworkRecord['Driver']): NetworkRecord => ({
      Name: name,
      Id: newId(),
      Created: now,
      Scope: 'local',
      Driver: driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: null, Config: [] },
      Internal: false,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Options: {},
      Labels: {},
    });
    if (!this.networks.find('none')) await this.networks.save(base('none', 'null'));
    if (!this.networks.find('host')) await this.networks.save(base('host', 'host'));
    const existing = this.networks.all().find((n) => n.Name === 'bridge');
    if (this.deps.options.bridge === 'none') {
      if (existing) await this.networks.delete(existing);
      return;
    }
    const bridge = this.defaultBridgeName();
    let subnet: string;
    let gateway: string;
    if (this.deps.options.bip) {
      const c = parseCidr(this.deps.options.bip);
      subnet = formatPrefix(c);
      gateway = formatIPv4(c.addr);
    } else if (existing?.IPAM.Config[0]) {
      ({ Subnet: subnet, Gateway: gateway } = existing.IPAM.Config[0]);
    } else {
      const p = pickSubnet(await this.usedPrefixes());
      subnet = formatPrefix(p);
      gateway = formatIPv4(p.base + 1);
    }
    const rec: NetworkRecord = existing ?? base('bridge', 'bridge');
    rec.IPAM = { Driver: 'default', Options: null, Config: [{ Subnet: subnet, Gateway: gateway }] };
    rec.BridgeName = bridge;
    rec.Options = {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': bridge,
      'com.docker.network.driver.mtu': '1500',
    };
    await this.networks.save(rec);
  }

  private async usedPrefixes(): Promise<Prefix[]> {
    const ours = this.networks
      .all()
      .flatMap((n) => n.IPAM.Config.map((c) => parseCidr(c.Subnet)))
      .map((c) => ({ base: c.base, bits: c.bits }));

    const routes = await hostRoutes();

    return [...ours, ...routes];
  }

  private allocator(n: NetworkRecord): AddressAllocator {
    let a = this.allocators.get(n.Id);
    if (!a) {
      const c = n.IPAM.Config[0];
      a = new AddressAllocator(makePool(c.Subnet, c.Gateway, c.IPRange));
      this.allocators.set(n.Id, a);
    }
    return a;
  }

  private isDefaultBridge(n: NetworkRecord): boolean {
    return n.Name === 'bridge' && n.Options['com.docker.network.bridge.default_bridge'] === 'true';
  }

  private bridgeRulesOf(n: NetworkRecord): Rule[] {
    if (!this.firewall || !n.BridgeName) return [];
    return bridgeRules(this.firewall.chains, {
      bridge: n.BridgeName,
      subnet: n.IPAM.Config[0].Subnet,
      internal: n.Internal,
      icc: n.Options['com.docker.network.bridge.enable_icc'] !== 'false',
    });
  }

  private async bringUp(n: NetworkRecord): Promise<void> {
    const c = n.IPAM.Config[0];
    const bits = parseCidr(c.Subnet).bits;
    const mtu = Number(n.Options['com.docker.network.driver.mtu']) || 1500;
    await ensureBridge(this.deps.sys, n.BridgeName as string, `${c.Gateway}/${bits}`, mtu);
    await this.firewall?.append(this.bridgeRulesOf(n));
  }

  private async startDns(): Promise<void> {
    const portFile = path.join(this.networks.dir, 'dns-port');
    const saved = Number((await fs.readFile(portFile, 'utf8').catch(() => '')).trim()) || 0;
    for (const n of this.networks.all()) {
      if (n.Driver !== 'bridge' || this.isDefaultBridge(n)) continue;
      await this.listenDns(n, saved);
    }
    if (this.dns.port && this.dns.port !== saved)
      await writeFileAtomic(portFile, `${this.dns.port}\n`, 0o600);
    this.dnsPort = this.dns.port || saved;
  }

  private async listenDns(n: NetworkRecord, port = this.dnsPort): Promise<void> {
    const gw = n.IPAM.Config[0]?.Gateway;
    if (!gw) return;
    try {
      await this.dns.listen(gw, this.dns.port || port);
    } catch (err) {
      // The saved port is taken: take another one (running containers' redirects need a restart).
      this.deps.log.warn('DNS listen failed', { address: gw, error: errorMessage(err) });
      if (!this.dns.port) await this.dns.listen(gw, 0);
    }
    if (!this.dnsPort) {
      this.dnsPort = this.dns.port;
      await writeFileAtomic(path.join(this.networks.dir, 'dns-port'), `${this.dnsPort}\n`, 0o600);
    }
  }

  async shutdown(): Promise<void> {
    for (const ps of this.proxies.values()) for (const p of ps) await p.close().catch(() => undefined);
    this.proxies.clear();
    await this.dns.close().catch(() => undefined);
  }

  // ---- DNS -----------------------------------------------------------------------------------------

  private resolve(q: DnsQuestion): Resolution {
    const asker = this.containerByAddress(q.client, q.local);
    const upstreams = asker?.HostConfig.Dns?.length
      ? asker.HostConfig.Dns
      : this.deps.options.dns.length
        ? this.deps.options.dns
        : this.hostDns;
    const forward: Resolution = upstreams.length ? { forward: upstreams } : { nxdomain: true };
    if (!asker) return forward;
    const myNets = Object.values(asker.Endpoints ?? {}).map((e) => e.NetworkID);
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (q.type === 'PTR') {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
      if (!m) return forward;
      const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
      for (const rec of this.deps.store.all()) {
        for (const ep of Object.values(rec.Endpoints ?? {})) {
          if (ep.IPAddress === ip && myNets.includes(ep.NetworkID)) {
            const net = this.networks.find(ep.NetworkID);
            return { answer: [{ type: 'PTR', value: `${rec.Name.slice(1)}.${net?.Name ?? ''}` }] };
          }
        }
      }
      return forward;
    }
    const ips: string[] = [];
    for (const rec of this.deps.store.all()) {
      for (const ep of Object.values(rec.Endpoints ?? {})) {
        if (!ep.IPAddress || !myNets.includes(ep.NetworkID)) continue;
        const net = this.networks.find(ep.NetworkID);
        if (!net || this.isDefaultBridge(net)) continue;
        const names = this.dnsNames(rec, ep).map((x) => x.toLowerCase());
        if (names.includes(name) || names.some((x) => `${x}.${net.Name.toLowerCase()}` === name)) {
          if (!ips.includes(ep.IPAddress)) ips.push(ep.IPAddress);
        }
      }
    }
    if (ips.length === 0) return forward;
    if (q.type !== 'A') return { answer: [] };
    // Round robin, as Docker shuffles the answers of a name with several containers.
    const k = ips.length > 1 ? Math.floor(Math.random() * ips.length) : 0;
    return { answer: [...ips.slice(k), ...ips.slice(0, k)].map((value) => ({ type: 'A' as const, value })) };
  }

  private containerByAddress(ip: string, local: string): ContainerRecord | undefined {
    const net = this.networks.all().find((n) => n.IPAM.Config[0]?.Gateway === local);
    for (const rec of this.deps.store.all()) {
      for (const ep of Object.values(rec.Endpoints ?? {})) {
        if (ep.IPAddress === ip && (!net || ep.NetworkID === net.Id)) return rec;
      }
    }
    return undefined;
  }

  private dnsNames(rec: ContainerRecord, ep: EndpointState): string[] {
    const names = [rec.Name.slice(1), ...(ep.Aliases ?? []), rec.Id.slice(0, 12)];
    if (rec.Config.Hostname && !names.includes(rec.Config.Hostname)) names.push(rec.Config.Hostname);
    return [...new Set(names)];
  }

  // ---- the container life cycle ----------------------------------------------------------------------

  async prepare(rec: ContainerRecord, networkingConfig: unknown): Promise<void> {
    const hc = rec.HostConfig;
    const mode = hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
    const epConfigs = endpointsConfig(networkingConfig);
    if (hc.PortBindings) for (const key of Object.keys(hc.PortBindings)) parsePortKey(key);
    for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) parsePortKey(key);
    for (const spec of this.portSpecs(rec)) for (const b of spec.bindings) hostPortRange(b.HostPort ?? '');
    const mac =
      typeof (rec.Config as { MacAddress?: unknown }).MacAddress === 'string'
        ? ((rec.Config as { MacAddress?: string }).MacAddress as string)
        : '';
    if (mac && !isValidMac(mac)) throw invalid(`invalid MAC address: ${mac}`);
    if (mode.startsWith('container:')) {
      // dockerd looks for the other container only at start (a 404 then).
      const other = this.deps.store.find(mode.slice('container:'.length));
      if (other?.Id === rec.Id) throw invalid('cannot join own network');
      if (other) rec.HostConfig.NetworkMode = `container:${other.Id}`;
      rec.Endpoints = {};
      return;
    }
    const primary = this.networks.find(mode);
    // 400, not 404: a 404 on create makes the docker CLI pull the image.
    if (!primary) throw invalid(`network ${mode} not found`);
    if (primary.Driver === 'host' && Object.keys(hc.PortBindings ?? {}).length) {
      // Docker ignores published ports in the host's namespace (the CLI warns).
      hc.PortBindings = {};
    }
    const endpoints: Record<string, EndpointState> = {};
    const add = (n: NetworkRecord, cfg: Record<string, unknown> | undefined) => {
      if (endpoints[n.Name]) return;
      const ipam = (cfg?.IPAMConfig ?? null) as { IPv4Address?: string } | null;
      if (ipam?.IPv4Address) {
        if (!n.UserSubnet)
          throw invalid(
            'user specified IP address is supported only when connecting to networks with user configured subnets',
          );
        const ip = parseIPv4(ipam.IPv4Address);
        if (ip === undefined) throw invalid(`invalid IPv4 address: ${ipam.IPv4Address}`);
        if (!contains(parseCidr(n.IPAM.Config[0].Subnet), ip))
          throw invalid(`no configured subnet or ip-range contain the IP address ${ipam.IPv4Address}`);
      }
      const aliases = Array.isArray(cfg?.Aliases) ? (cfg.Aliases as string[]) : null;
      if (aliases?.length && this.isDefaultBridge(n))
        throw invalid('network-scoped alias is supported only for containers in user defined networks');
      const epMac =
        typeof cfg?.MacAddress === 'string' && cfg.MacAddress ? cfg.MacAddress : n === primary ? mac : '';
      if (epMac && !isValidMac(epMac)) throw invalid(`invalid MAC address: ${epMac}`);
      endpoints[n.Name] = {
        NetworkID: n.Id,
        EndpointID: '',
        IPAMConfig: ipam && Object.keys(ipam).length ? ipam : null,
        Aliases: aliases,
        MacAddress: epMac,
        DriverOpts: (cfg?.DriverOpts as Record<string, string>) ?? null,
        IPAddress: '',
        IPPrefixLen: 0,
        Gateway: '',
      };
    };
    add(primary, epConfigs[hc.NetworkMode] ?? epConfigs[primary.Name] ?? epConfigs[primary.Id]);
    for (const [ref, cfg] of Object.entries(epConfigs)) {
      const n = this.networks.find(ref === 'default' ? 'bridge' : ref);
      if (!n) throw invalid(`network ${ref} not found`);
      if (n.Driver !== 'bridge' && n !== primary)
        throw invalid(`container cannot be connected to network endpoints: ${mode}, ${n.Name}`);
      add(n, cfg);
    }
    rec.Endpoints = endpoints;
  }

  async attach(
    rec: ContainerRecord,
  ): Promise<{ network: ContainerSpecInput['network']; ready?: Promise<void> }> {
    const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    if (mode === 'host') return { network: { mode: 'host' } };
    if (mode.startsWith('container:')) {
      const other = this.deps.store.get(mode.slice('container:'.length));
      if (other.State.Status !== 'running')
        throw conflict(`cannot join network of a non running container: ${other.Id}`);
      const otherNs = this.netnsPath(other.Id);
      return {
        network: {
          mode: 'path',
          path: (await exists(otherNs)) ? otherNs : `/proc/${other.State.Pid}/ns/net`,
        },
      };
    }
    const eps = Object.entries(rec.Endpoints ?? {});
    const nets = eps.map(([name, ep]) => this.networks.find(ep.NetworkID) ?? this.networks.get(name));
    if (nets.every((n) => n.Driver === 'null')) return { network: { mode: 'none' } };
    // A restart reuses the interface names of the last run; a static address may be one still held.
    await this.teardowns.get(rec.Id);
    if (eps.some(([, ep]) => ep.IPAMConfig?.IPv4Address)) await this.settled();
    const ns = this.netnsPath(rec.Id);
    if (await exists(ns)) await deleteNetns(this.deps.sys, ns).catch(() => undefined);
    try {
      const links: EndpointLink[] = [];
      let first = true;
      let dnsOn = false;
      for (let i = 0; i < eps.length; i++) {
        const [, ep] = eps[i];
        const n = nets[i];
        if (n.Driver !== 'bridge') continue;
        const useDns: boolean = !this.isDefaultBridge(n) && !dnsOn;
        links.push(
          this.planEndpoint(rec, n, ep, {
            ifName: `eth${i}`,
            defaultRoute: first && !n.Internal,
            dns: useDns,
          }),
        );
        dnsOn ||= useDns;
        first = false;
      }
      const primary = nets[0];
      if (primary?.Driver === 'bridge') rec.PublishedPorts = await this.bindPorts(rec, primary);
      const rules = this.portRulesOf(rec, rec.PublishedPorts ?? []);
      // The namespace first (the runtime needs it), beside the container's /etc files; its interfaces
      // are made while the runtime works.
      await Promise.all([
        this.writeEtc(rec, dnsOn),
        this.sandbox({ netns: ns, create: true, loopback: false, endpoints: [] }),
      ]);
      const ready = this.sandbox({
        netns: ns,
        create: false,
        loopback: true,
        endpoints: links,
        hostRules: rules.length ? restoreInput('-A', rules) : undefined,
      }).then(
        () => {
          // dockerd's `network connect` of each network a starting container joins.
          for (const n of nets) if (n.Driver === 'bridge') this.emit(n, 'connect', { container: rec.Id });
        },
        async (err) => {
          await this.detach(rec).catch(() => undefined);
          throw err;
        },
      );
      return { network: { mode: 'path', path: ns }, ready };
    } catch (err) {
      await this.detach(rec).catch(() => undefined);
      throw err;
    }
  }

  private async sandbox(opts: Parameters<typeof configureSandbox>[1]): Promise<void> {
    try {
      await configureSandbox(this.deps.sys, opts);
    } catch (err) {
      throw new EngineError('internal', `failed to set up container networking: ${errorMessage(err)}`);
    }
  }

  /** Allocates the endpoint's address and names its interfaces; the sandbox script makes them. */
  private planEndpoint(
    rec: ContainerRecord,
    n: NetworkRecord,
    ep: EndpointState,
    opts: { ifName: string; defaultRoute: boolean; dns: boolean },
  ): EndpointLink {
    const alloc = this.allocator(n);
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
    return {
      netns: this.netnsPath(rec.Id),
      hostIf: ep.HostIf,
      ifName: opts.ifName,
      bridge: n.BridgeName as string,
      ip: ep.IPAddress,
      prefixLen: bits,
      mac: ep.MacAddress,
      defaultGateway: opts.defaultRoute ? c.Gateway : undefined,
      mtu: Number(n.Options['com.docker.network.driver.mtu']) || 1500,
      dns: opts.dns && this.dnsPort ? { address: c.Gateway, port: this.dnsPort } : undefined,
    };
  }

  /**
   * /etc/hosts with the container's own address, /etc/resolv.conf pointing at the embedded DNS.
   * Written in place, not renamed over: they are bind-mounted files (a new inode would not be seen
   * through the mount), and neither needs to outlive a power loss (every start writes them again).
   */
  private async writeEtc(rec: ContainerRecord, embeddedDns: boolean): Promise<void> {
    const first = Object.values(rec.Endpoints ?? {}).find((e) => e.IPAddress);
    if (first) {
      const hosts = await fs.readFile(rec.HostsPath, 'utf8').catch(() => '');
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
      await fs.writeFile(rec.HostsPath, `${[...lines, own].join('\n')}\n`, { mode: 0o644 });
    }
    if (embeddedDns) {
      const cur = parseResolvConf(await fs.readFile(rec.ResolvConfPath, 'utf8').catch(() => ''));
      // As dockerd writes it: search, the embedded server, then the options, ndots:0 unless one was given.
      const opts = cur.options.some((o) => o.startsWith('ndots:'))
        ? cur.options
        : [...cur.options, 'ndots:0'];
      const text = [
        ...(cur.search.length ? [`search ${cur.search.join(' ')}`] : []),
        `nameserver ${dnsAddress}`,
        `options ${opts.join(' ')}`,
        '',
      ].join('\n');
      await fs.writeFile(rec.ResolvConfPath, text, { mode: 0o644 });
    }
  }

  async detach(rec: ContainerRecord): Promise<void> {
    await this.unpublish(rec);
    rec.PublishedPorts = [];
    const vanishing: Array<{ hostIf: string; release: () => void }> = [];
    for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
      const n = this.networks.find(ep.NetworkID) ?? this.networks.find(name);
      const ip = parseIPv4(ep.IPAddress);
      const release = () => {
        if (n && ip !== undefined) this.allocators.get(n.Id)?.release(ip);
      };
      if (ep.HostIf) vanishing.push({ hostIf: ep.HostIf, release });
      else release();
      // dockerd's `network disconnect` of each network a stopping container leaves.
      if (n && ep.IPAddress) this.emit(n, 'disconnect', { container: rec.Id });
      ep.IPAddress = '';
      ep.IPPrefixLen = 0;
      ep.Gateway = '';
      ep.EndpointID = '';
      if (!ep.IPAMConfig?.IPv4Address && !isUserMac(rec, ep)) ep.MacAddress = '';
      delete ep.HostIf;
      delete ep.IfName;
    }
    const ns = this.netnsPath(rec.Id);
    const hadNs = await exists(ns);
    if (hadNs) await deleteNetns(this.deps.sys, ns);
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
    const deadline = Date.now() + graceMs;
    for (const l of links) {
      while ((await linkExists(l.hostIf)) && Date.now() < deadline) await sleep(5);
      await deleteLink(this.deps.sys, l.hostIf).catch((err) =>
        this.deps.log.warn('removing a veth failed', { link: l.hostIf, error: errorMessage(err) }),
      );
      l.release();
    }
  }

  /** Resolves once every stopped container's interfaces are gone (network removal, static addresses). */
  async settled(): Promise<void> {
    while (this.teardowns.size) await Promise.all([...this.teardowns.values()]);
  }

  async release(rec: ContainerRecord): Promise<void> {
    await this.detach(rec);
  }

  // ---- published ports -------------------------------------------------------------------------------

  private portSpecs(rec: ContainerRecord): PortSpec[] {
    const out = new Map<string, PortSpec>();
    const hc = rec.HostConfig;
    for (const [key, raw] of Object.entries(hc.PortBindings ?? {})) {
      const { port, proto } = parsePortKey(key);
      const list = Array.isArray(raw) ? (raw as Array<{ HostIp?: string; HostPort?: string }>) : [];
      out.set(`${port}/${proto}`, {
        proto,
        containerPort: port,
        bindings: list.map((b) => ({ HostIp: b.HostIp ?? '', HostPort: b.HostPort ?? '' })),
      });
    }
    if (hc.PublishAllPorts) {
      for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
        const { port, proto } = parsePortKey(key);
        const k = `${port}/${proto}`;
        if (!out.has(k) || out.get(k)?.bindings.length === 0)
          out.set(k, { proto, containerPort: port, bindings: [{ HostIp: '', HostPort: '' }] });
      }
    }
    return [...out.values()].filter((s) => s.bindings.length > 0);
  }

  private async bindPorts(rec: ContainerRecord, n: NetworkRecord): Promise<PublishedPort[]> {
    const ep = Object.values(rec.Endpoints ?? {}).find((e) => e.NetworkID === n.Id);
    const specs = this.portSpecs(rec);
    if (!specs.length || !ep?.IPAddress) return [];
    const out: PublishedPort[] = [];
    const proxies: PortProxy[] = [];
    this.proxies.set(rec.Id, proxies);
    const taken = (proto: string, ip: string, port: number) =>
      this.deps.store
        .all()
        .some(
          (c) =>
            c.Id !== rec.Id &&
            (c.PublishedPorts ?? []).some(
              (p) =>
                p.proto === proto &&
                p.hostPort === port &&
                (p.hostIp === ip ||
                  p.hostIp === '0.0.0.0' ||
                  ip === '0.0.0.0' ||
                  p.hostIp === '::' ||
                  ip === '::'),
            ),
        );
    const defaultIp = n.Options['com.docker.network.bridge.host_binding_ipv4'] || '0.0.0.0';
    try {
      for (const s of specs) {
        for (const b of s.bindings) {
          const [lo, hi] = hostPortRange(b.HostPort);
          const ips = b.HostIp
            ? [b.HostIp]
            : this.ipv6 && defaultIp === '0.0.0.0'
              ? ['0.0.0.0', '::']
              : [defaultIp];
          let bound: PortProxy[] | undefined;
          let lastErr: unknown;
          for (let port = lo; port <= hi; port++) {
            if (port !== 0 && ips.some((ip) => taken(s.proto, ip, port))) {
              lastErr = new Error(
                `Bind for ${ips[0].includes(':') ? `[${ips[0]}]` : ips[0]}:${port} failed: port is already allocated`,
              );
              continue;
            }
            try {
              bound = await this.bindOne(s, ips, port, ep.IPAddress, !b.HostIp);
              break;
            } catch (err) {
              lastErr = err;
            }
          }
          if (!bound) {
            throw new EngineError(
              'internal',
              `driver failed programming external connectivity on endpoint ${rec.Name.slice(1)} (${ep.EndpointID}): ${errorMessage(lastErr)}`,
            );
          }
          proxies.push(...bound);
          for (const p of bound)
            out.push({
              proto: s.proto,
              hostIp: p.hostIp,
              hostPort: p.hostPort,
              containerPort: s.containerPort,
            });
        }
      }
      return out;
    } catch (err) {
      for (const p of proxies) await p.close().catch(() => undefined);
      this.proxies.delete(rec.Id);
      throw err;
    }
  }

  /** Binds one host port on each address (the same port on all); IPv6 is best effort for a default binding. */
  private async bindOne(
    s: PortSpec,
    ips: string[],
    port: number,
    containerIp: string,
    v6Optional: boolean,
  ): Promise<PortProxy[]> {
    const out: PortProxy[] = [];
    let chosen = port;
    try {
      for (const ip of ips) {
        try {
          const p = await startProxy({
            proto: s.proto,
            hostIp: ip,
            hostPort: chosen,
            containerIp,
            containerPort: s.containerPort,
          });
          chosen = p.hostPort;
          out.push(p);
        } catch (err) {
          if (ip.includes(':') && v6Optional && out.length) continue;
          throw err;
        }
      }
      return out;
    } catch (err) {
      for (const p of out) await p.close().catch(() => undefined);
      throw err;
    }
  }

  private portRulesOf(rec: ContainerRecord, ports: PublishedPort[]): Rule[] {
    if (!this.firewall) return [];
    const eps = Object.values(rec.Endpoints ?? {});
    const ep = eps[0];
    const n = ep && this.networks.find(ep.NetworkID);
    if (!ep?.IPAddress || !n?.BridgeName) return [];
    return ports
      .filter((p) => !p.hostIp.includes(':'))
      .flatMap((p) =>
        portRules(this.firewall!.chains, {
          proto: p.proto,
          hostIp: p.hostIp,
          hostPort: p.hostPort,
          containerIp: ep.IPAddress,
          containerPort: p.containerPort,
          bridge: n.BridgeName as string,
        }),
      );
  }

  /** After a daemon restart: the rules and proxies of a running container's ports, again. */
  private async publish(rec: ContainerRecord, ports: PublishedPort[]): Promise<void> {
    if (!ports.length) return;
    const ep = Object.values(rec.Endpoints ?? {})[0];
    if (!ep?.IPAddress) return;
    const proxies: PortProxy[] = [];
    for (const p of ports) {
      try {
        proxies.push(
          await startProxy({
            proto: p.proto,
            hostIp: p.hostIp,
            hostPort: p.hostPort,
            containerIp: ep.IPAddress,
            containerPort: p.containerPort,
          }),
        );
      } catch (err) {
        this.deps.log.warn('could not bind published port again', {
          id: rec.Id,
          port: p.hostPort,
          error: errorMessage(err),
        });
      }
    }
    this.proxies.set(rec.Id, proxies);
    await this.firewall?.append(this.portRulesOf(rec, ports));
  }

  private async unpublish(rec: ContainerRecord): Promise<void> {
    for (const p of this.proxies.get(rec.Id) ?? []) await p.close().catch(() => undefined);
    this.proxies.delete(rec.Id);
    if (rec.PublishedPorts?.length) await this.firewall?.remove(this.portRulesOf(rec, rec.PublishedPorts));
  }

  // ---- views ---------------------------------------------------------------------------------------

  ports(rec: ContainerRecord): object[] {
    const out: object[] = [];
    const published = rec.PublishedPorts ?? [];
    const running = hasProcess(rec.State.Status);
    for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (!running || !published.some((p) => p.containerPort === port && p.proto === proto))
        out.push({ PrivatePort: port, Type: proto });
    }
    if (running)
      for (const p of published)
        out.push({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
    return out;
  }

  view(rec: ContainerRecord): object {
    const running = hasProcess(rec.State.Status);
    const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
    if (running) {
      for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
        const { port, proto } = parsePortKey(key);
        ports[`${port}/${proto}`] = null;
      }
      for (const p of rec.PublishedPorts ?? []) {
        const k = `${p.containerPort}/${p.proto}`;
        ports[k] = [...(ports[k] ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }];
      }
    }
    const networks: Record<string, object> = {};
    const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
      networks[name] = {
        IPAMConfig: ep.IPAMConfig,
        Links: null,
        Aliases: ep.Aliases,
        MacAddress: ep.MacAddress,
        DriverOpts: ep.DriverOpts,
        NetworkID: ep.NetworkID,
        EndpointID: ep.EndpointID,
        Gateway: ep.Gateway,
        IPAddress: ep.IPAddress,
        IPPrefixLen: ep.IPPrefixLen,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: (() => {
          const n = this.networks.find(ep.NetworkID);
          return n && n.Driver === 'bridge' && !this.isDefaultBridge(n) ? this.dnsNames(rec, ep) : null;
        })(),
      };
    }
    const def = rec.Endpoints?.bridge && mode === 'bridge' ? rec.Endpoints.bridge : undefined;
    const ns = this.netnsPath(rec.Id);
    const hasNs = running && Object.values(rec.Endpoints ?? {}).some((e) => e.HostIf);
    return {
      Bridge: '',
      SandboxID: hasNs ? hex(ns) : '',
      SandboxKey: hasNs
        ? ns
        : mode.startsWith('container:') || !running
          ? ''
          : rec.State.Pid
            ? `/proc/${rec.State.Pid}/ns/net`
            : '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: ports,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: def?.EndpointID ?? '',
      Gateway: def?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: def?.IPAddress ?? '',
      IPPrefixLen: def?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: def?.MacAddress ?? '',
      Networks: networks,
    };
  }

  // ---- the network API -----------------------------------------------------------------------------

  async create(body: Record<string, unknown>): Promise<{ Id: string; Warning: string }> {
    const name = typeof body.Name === 'string' ? body.Name : '';
    if (!name) throw invalid('network name must not be empty');
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw invalid(`invalid network name "${name}"`);
    if (this.networks.all().some((n) => n.Name === name)) {
      throw conflict(`network with name ${name} already exists`);
    }
    const driver = typeof body.Driver === 'string' && body.Driver ? body.Driver : 'bridge';
    if (driver === 'host' || driver === 'null')
      throw new EngineError('forbidden', `only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    const ipamIn = (body.IPAM ?? {}) as {
      Driver?: string;
      Config?: Array<Record<string, string>>;
      Options?: Record<string, string>;
    };
    const all = Array.isArray(ipamIn.Config) ? ipamIn.Config : [];
    const v6 = all.filter((c) => c.Subnet?.includes(':'));
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
    const cfgIn = all;
    if (cfgIn.length > 1) throw invalid('berth supports one IPv4 subnet per network');
    const used = await this.usedPrefixes();
    let subnet: Prefix;
    let userSubnet = false;
    const c0 = cfgIn[0] ?? {};
    if (c0.Subnet) {
      let c: ReturnType<typeof parseCidr>;
      try {
        c = parseCidr(c0.Subnet);
      } catch (err) {
        throw invalid(`Invalid subnet ${c0.Subnet} : ${errorMessage(err)}`);
      }
      subnet = { base: c.base, bits: c.bits };
      const ours = this.networks.all().flatMap((n) => n.IPAM.Config.map((x) => parseCidr(x.Subnet)));
      if (ours.some((o) => contains({ base: o.base, bits: Math.min(o.bits, subnet.bits) }, subnet.base))) {
        throw new EngineError('forbidden', 'Pool overlaps with other one on this address space');
      }
      userSubnet = true;
    } else {
      if (c0.Gateway || c0.IPRange) throw invalid('Gateway and IPRange need a subnet');
      subnet = pickSubnet(used);
    }
    const pool = makePool(formatPrefix(subnet), c0.Gateway || undefined, c0.IPRange || undefined);
    const options = (body.Options ?? {}) as Record<string, string>;
    const id = newId();
    const bridgeName = options['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    const rec: NetworkRecord = {
      Name: name,
      Id: id,
      Created: new Date(this.deps.clock.now()).toISOString(),
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
      await this.networks.save(rec);
      await this.listenDns(rec);
    } catch (err) {
      await this.firewall?.remove(this.bridgeRulesOf(rec)).catch(() => undefined);
      await deleteLink(this.deps.sys, bridgeName).catch(() => undefined);
      await this.networks.delete(rec).catch(() => undefined);
      throw err;
    }
    this.emit(rec, 'create');
    return { Id: id, Warning: '' };
  }

  private emit(n: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.emit({
      Type: 'network',
      Action: action,
      Actor: { ID: n.Id, Attributes: { name: n.Name, type: n.Driver, ...extra } },
    });
  }

  /** The containers with an active endpoint on a network (what stops rm and prune). */
  usersOf(n: NetworkRecord): ContainerRecord[] {
    return this.users(n);
  }

  private users(n: NetworkRecord): ContainerRecord[] {
    return this.deps.store
      .all()
      .filter((c) => Object.values(c.Endpoints ?? {}).some((e) => e.NetworkID === n.Id && e.IPAddress));
  }

  async remove(ref: string): Promise<void> {
    const n = this.networks.get(ref);
    if (predefined.has(n.Name))
      throw new EngineError('forbidden', `${n.Name} is a pre-defined network and cannot be removed`);
    if (this.users(n).length) {
      throw new EngineError(
        'forbidden',
        `error while removing network: network ${n.Name} id ${n.Id} has active endpoints`,
      );
    }
    await this.destroy(n);
  }

  private async destroy(n: NetworkRecord): Promise<void> {
    await this.settled();
    await this.dns.unlisten(n.IPAM.Config[0]?.Gateway ?? '').catch(() => undefined);
    await this.firewall?.remove(this.bridgeRulesOf(n));
    if (n.BridgeName) await deleteLink(this.deps.sys, n.BridgeName);
    this.allocators.delete(n.Id);
    await this.networks.delete(n);
    this.emit(n, 'destroy');
  }

  async prune(matches: (n: NetworkRecord) => boolean): Promise<string[]> {
    const out: string[] = [];
    for (const n of this.networks.all()) {
      if (predefined.has(n.Name) || this.users(n).length || !matches(n)) continue;
      await this.destroy(n);
      out.push(n.Name);
    }
    return out;
  }

  inspect(n: NetworkRecord): object {
    const containers: Record<string, object> = {};
    for (const c of this.users(n)) {
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
    // dockerd's key order (the CLI prints the JSON as it comes), and the IPAM config as it was asked
    // for: a gateway berthd chose for a given subnet is not shown.
    const { UserSubnet: _u, BridgeName: _b, AutoGateway: auto, Options, Labels, ...head } = n;
    const config = n.IPAM.Config.map((c) => ({
      Subnet: c.Subnet,
      ...(c.IPRange ? { IPRange: c.IPRange } : {}),
      ...(auto ? {} : { Gateway: c.Gateway }),
    }));
    return { ...head, IPAM: { ...n.IPAM, Config: config }, Containers: containers, Options, Labels };
  }

  async connect(ref: string, body: Record<string, unknown>): Promise<void> {
    const n = this.networks.get(ref);
    const cref = typeof body.Container === 'string' ? body.Container : '';
    const rec = this.deps.store.get(cref);
    const mode = rec.HostConfig.NetworkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw new EngineError(
        'forbidden',
        `container sharing network namespace with another container or host cannot be connected to any other network`,
      );
    }
    if (n.Driver === 'null')
      throw new EngineError(
        'forbidden',
        'container cannot be connected to multiple networks with one of the networks in private (none) mode',
      );
    if (n.Driver !== 'bridge')
      throw new EngineError(
        'forbidden',
        `container cannot be disconnected from host network or connected to host network`,
      );
    if (Object.values(rec.Endpoints ?? {}).some((e) => e.NetworkID === n.Id)) {
      throw new EngineError(
        'forbidden',
        `endpoint with name ${rec.Name.slice(1)} already exists in network ${n.Name}`,
      );
    }
    const tmp = {
      ...rec,
      Endpoints: {} as Record<string, EndpointState>,
      HostConfig: { ...rec.HostConfig, NetworkMode: n.Name, PortBindings: {} },
    };
    await this.prepare(tmp as ContainerRecord, { EndpointsConfig: { [n.Name]: body.EndpointConfig ?? {} } });
    const ep = tmp.Endpoints[n.Name];
    rec.Endpoints = { ...(rec.Endpoints ?? {}), [n.Name]: ep };
    if (hasProcess(rec.State.Status)) {
      const ifName = `eth${Object.keys(rec.Endpoints).length - 1}`;
      const hadDns = Object.values(rec.Endpoints).some(
        (e) =>
          e !== ep && e.HostIf && !this.isDefaultBridge(this.networks.find(e.NetworkID) as NetworkRecord),
      );
      try {
        const link = this.planEndpoint(rec, n, ep, {
          ifName,
          defaultRoute: false,
          dns: !hadDns && !this.isDefaultBridge(n),
        });
        await this.sandbox({ netns: this.netnsPath(rec.Id), create: false, endpoints: [link] });
      } catch (err) {
        const ip = parseIPv4(ep.IPAddress);
        if (ip !== undefined) this.allocators.get(n.Id)?.release(ip);
        delete rec.Endpoints[n.Name];
        throw err;
      }
    }
    await this.deps.store.save(rec);
    // As dockerd: a container that is not running joins at its start, which is when the event comes.
    if (hasProcess(rec.State.Status)) this.emit(n, 'connect', { container: rec.Id });
  }

  async disconnect(ref: string, body: Record<string, unknown>): Promise<void> {
    const n = this.networks.get(ref);
    const cref = typeof body.Container === 'string' ? body.Container : '';
    const rec = this.deps.store.find(cref);
    if (!rec) {
      if (body.Force === true) return;
      throw notFound(`No such container: ${cref}`);
    }
    const entry = Object.entries(rec.Endpoints ?? {}).find(([, e]) => e.NetworkID === n.Id);
    if (!entry)
      throw new EngineError('forbidden', `container ${rec.Id} is not connected to network ${n.Name}`);
    const [name, ep] = entry;
    if (n.Driver !== 'bridge')
      throw new EngineError(
        'forbidden',
        `container cannot be disconnected from host network or connected to host network`,
      );
    const ip = parseIPv4(ep.IPAddress);
    if (ip !== undefined) this.allocators.get(n.Id)?.release(ip);
    if (ep.HostIf) await deleteLink(this.deps.sys, ep.HostIf).catch(() => undefined);
    if (rec.Endpoints) delete rec.Endpoints[name];
    await this.deps.store.save(rec);
    // dockerd reports a live endpoint's leave and then the disconnect itself: two events.
    if (ep.IPAddress) this.emit(n, 'disconnect', { container: rec.Id });
    this.emit(n, 'disconnect', { container: rec.Id });
  }
}

function isUserMac(rec: ContainerRecord, ep: EndpointState): boolean {
  const cfg = (rec.Config as { MacAddress?: string }).MacAddress;
  return !!cfg && cfg === ep.MacAddress;
}

function endpointsConfig(raw: unknown): Record<string, Record<string, unknown>> {
  if (!raw || typeof raw !== 'object') return {};
  const ec = (raw as { EndpointsConfig?: unknown }).EndpointsConfig;
  if (!ec || typeof ec !== 'object') return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(ec as Record<string, unknown>))
    out[k] = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return out;
}
