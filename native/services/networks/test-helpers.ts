import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { systemClock } from '../../core/clock.ts';
import { sha256 } from '../../core/ids.ts';
import { silentLogger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import { testDir } from '../../core/test-dir.ts';
import { Firewall } from '../../network/firewall.ts';
import { type Prefix, parseCidr } from '../../network/ipam.ts';
import type { PortProxy, ProxyTarget } from '../../network/proxy.ts';
import type { ResolvConf } from '../../network/resolv-conf.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { ContainerStore } from '../containers/store.ts';
import { type EngineEvent, EventBus } from '../events.ts';
import { NetworkContext, type NetworkOptions } from './context.ts';
import type { NetHost, SandboxPlan } from './host.ts';
import { baseRecord } from './predefined.ts';
import { type NetworkRecord, NetworkStore } from './store.ts';

/** A host that records what berthd would do to links, namespaces and ports, and does none of it. */
export interface FakeHost extends NetHost {
  calls: string[];
  links: Set<string>;
  netns: Set<string>;
  plans: Array<SandboxPlan & { hostRules?: string }>;
  /** Open proxies, as `proto ip:port -> containerIp:containerPort`. */
  proxies: Map<string, string>;
  /** Addresses that cannot be bound (EADDRNOTAVAIL), e.g. `::` on a host without IPv6. */
  unbindable: Set<string>;
  /** Makes the next configureSandbox with endpoints fail. */
  failSandbox?: string;
}

/**
 * What engines on one host share: its route table (a bridge put up adds its subnet's route) and the
 * subnet lock. Two fake hosts over one stand for two engines started on one machine.
 */
export interface SharedHost {
  routes: Prefix[];
  /** How many engines held the subnet lock at once, at most. */
  maxHolders: number;
  lock(): Promise<() => Promise<void>>;
}

export function sharedHost(): SharedHost {
  let tail: Promise<void> = Promise.resolve();
  let holders = 0;
  const shared: SharedHost = {
    routes: [],
    maxHolders: 0,
    async lock() {
      let release!: () => void;
      const prev = tail;
      tail = new Promise<void>((r) => {
        release = r;
      });
      await prev;
      holders++;
      shared.maxHolders = Math.max(shared.maxHolders, holders);
      return async () => {
        holders--;
        release();
      };
    },
  };
  return shared;
}

export function fakeHost(
  opts: {
    ipv6?: boolean;
    routes?: Array<{ base: number; bits: number }>;
    resolvConf?: Partial<ResolvConf>;
    /** Another engine's host too: routes and the subnet lock are shared. */
    shared?: SharedHost;
  } = {},
): FakeHost {
  const shared = opts.shared ?? sharedHost();
  if (opts.routes) shared.routes.push(...opts.routes);
  let nextPort = 32768;
  const bridgeRoutes = new Map<string, Prefix>();
  const h: FakeHost = {
    calls: [],
    links: new Set(),
    netns: new Set(),
    plans: [],
    proxies: new Map(),
    unbindable: new Set(),
    async ensureBridge(name, cidr, mtu) {
      h.calls.push(`bridge ${name} ${cidr} mtu ${mtu}`);
      if (!h.links.has(name)) {
        const { base, bits } = parseCidr(cidr);
        bridgeRoutes.set(name, { base, bits });
        shared.routes.push({ base, bits });
      }
      h.links.add(name);
    },
    async deleteLink(name) {
      h.calls.push(`del ${name}`);
      h.links.delete(name);
      const r = bridgeRoutes.get(name);
      if (r) shared.routes = shared.routes.filter((x) => x.base !== r.base || x.bits !== r.bits);
      bridgeRoutes.delete(name);
    },
    async linkExists(name) {
      return h.links.has(name);
    },
    async netnsExists(file) {
      return h.netns.has(file);
    },
    async deleteNetns(file) {
      h.calls.push(`del netns ${path.basename(file)}`);
      h.netns.delete(file);
    },
    async configureSandbox(plan) {
      if (plan.endpoints.length && h.failSandbox) {
        const msg = h.failSandbox;
        h.failSandbox = undefined;
        throw new Error(msg);
      }
      h.plans.push(plan);
      if (plan.create) h.netns.add(plan.netns);
      // The container's end goes into the namespace and vanishes with it; the host end stays.
      for (const ep of plan.endpoints) h.links.add(ep.hostIf);
    },
    async enableForwarding() {
      h.calls.push('forwarding');
    },
    ipv6: async () => opts.ipv6 ?? false,
    routes: async () => [...shared.routes],
    lockSubnets: () => shared.lock(),
    resolvConf: async () => ({ nameservers: [], search: [], options: [], ...opts.resolvConf }),
    async startProxy(t: ProxyTarget): Promise<PortProxy> {
      if (h.unbindable.has(t.hostIp)) throw new Error(`listen ${t.hostIp}: cannot assign requested address`);
      const port = t.hostPort || nextPort++;
      const key = `${t.proto} ${t.hostIp}:${port}`;
      if (h.proxies.has(key)) throw new Error(`${key}: address already in use`);
      h.proxies.set(key, `${t.containerIp}:${t.containerPort}`);
      return { hostIp: t.hostIp, hostPort: port, close: async () => void h.proxies.delete(key) };
    },
  };
  return h;
}

/** A Sys that records iptables input (and answers "no such rule" to `iptables -C`); fails when told. */
export function iptablesSys(): Sys & { inputs: string[]; commands: string[]; broken: boolean } {
  const s = {
    inputs: [] as string[],
    commands: [] as string[],
    broken: false,
    async run(cmd: string, args: string[], o?: { input?: string | Buffer }) {
      s.commands.push([cmd, ...args].join(' '));
      if (s.broken) return { code: 1, stdout: '', stderr: `${cmd}: can't initialize iptables table` };
      if (o?.input !== undefined) s.inputs.push(String(o.input));
      return { code: args.includes('-C') ? 1 : 0, stdout: '', stderr: '' };
    },
    kill: () => true,
    alive: () => false,
  };
  return s;
}

export const testTag = '-t3st00';

export interface TestNet {
  ctx: NetworkContext;
  host: FakeHost;
  sys: ReturnType<typeof iptablesSys>;
  events: EngineEvent[];
  dir: string;
}

/** A network context over temp dirs, a fake host, and (unless `iptables: false`) a recording firewall. */
export async function testNet(
  opts: {
    iptables?: boolean;
    options?: Partial<NetworkOptions>;
    host?: FakeHost;
    clock?: Clock;
    dir?: string;
  } = {},
): Promise<TestNet> {
  const dir = opts.dir ?? testDir('berth-net-');
  const networks = new NetworkStore(path.join(dir, 'network'), silentLogger);
  await networks.load();
  const store = new ContainerStore(path.join(dir, 'containers'), silentLogger);
  await store.load();
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const sys = iptablesSys();
  const host = opts.host ?? fakeHost();
  const ctx = new NetworkContext(
    {
      sys,
      log: silentLogger,
      clock: opts.clock ?? systemClock,
      events: bus,
      store,
      networks,
      host,
      execRoot: path.join(dir, 'exec'),
      options: { iptables: opts.iptables ?? true, dns: [], ...opts.options },
      tag: testTag,
    },
    opts.iptables === false ? undefined : new Firewall(sys, testTag),
  );
  return { ctx, host, sys, events, dir };
}

/** Saves a bridge network record as `create` would have made it (no bridge is brought up). */
export async function bridgeNetwork(
  ctx: NetworkContext,
  name: string,
  subnet: string,
  gateway: string,
  extra: Partial<NetworkRecord> = {},
): Promise<NetworkRecord> {
  const rec: NetworkRecord = {
    ...baseRecord(name, 'bridge', new Date(0).toISOString()),
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: subnet, Gateway: gateway }] },
    BridgeName: `br-${name}`,
    ...extra,
  };
  if (name === 'bridge') rec.Options = { 'com.docker.network.bridge.default_bridge': 'true' };
  await ctx.networks.save(rec);
  return rec;
}

/** A container record with its /etc files in the test's dir; not saved. */
export function containerRecord(
  t: Pick<TestNet, 'dir'>,
  name: string,
  over: {
    Config?: Partial<ContainerRecord['Config']>;
    HostConfig?: Partial<ContainerRecord['HostConfig']>;
    State?: Partial<ContainerRecord['State']>;
  } = {},
): ContainerRecord {
  const id = sha256(name).slice('sha256:'.length);
  return {
    Id: id,
    Name: `/${name}`,
    Config: { Hostname: id.slice(0, 12), Domainname: '', ...over.Config },
    HostConfig: { NetworkMode: 'default', PortBindings: {}, Dns: null, ...over.HostConfig },
    State: { Status: 'created', Pid: 0, ...over.State },
    HostsPath: path.join(t.dir, `${name}.hosts`),
    ResolvConfPath: path.join(t.dir, `${name}.resolv.conf`),
  } as unknown as ContainerRecord;
}
