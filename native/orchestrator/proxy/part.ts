// The service proxy, kube-proxy's job in userspace: every Service is served where Kubernetes serves
// it — its ClusterIP (an address on an interface of the cluster's own — a bridge with no ports, which
// every kernel that runs containers has, unlike the dummy driver — so pods reach it through their
// default route and the host reaches it too), a NodePort on the host's 127.0.0.1, and for a
// LoadBalancer an address of its own in 127.0.0.0/8 (written to status.loadBalancer.ingress), so two
// LoadBalancer Services can both take port 80 on one machine. Connections go to the ready endpoints
// in turn. Event-driven: a Service or Endpoints change reconciles that Service alone.
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, asObj } from '../apiserver/resources/podspec.ts';
import { servedInProcess } from '../apiserver/service-alloc.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, keyOf, splitKey } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { backends, type Frontend, frontends } from './frontends.ts';
import { type Relay, startRelay } from './relay.ts';

export interface ServiceProxyOptions {
  /** Where LoadBalancer addresses come from (default 127.42.0.0/16). */
  loadBalancerRange?: { first: string; count: number };
}

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const relayId = (f: Frontend) => `${f.ip}:${f.port}/${f.protocol}`;

export class ServiceProxy implements ClusterPart {
  readonly name = 'service-proxy';
  private env!: PartEnv;
  private services!: Informer;
  private endpoints!: Informer;
  private queue!: WorkQueue;
  /** Service key → its relays by relayId. */
  private readonly relays = new Map<string, Map<string, Relay>>();
  /** ClusterIPs on the interface, and which Service has each. */
  private readonly addresses = new Map<string, string>();

  constructor(private readonly opts: ServiceProxyOptions = {}) {}

  async start(env: PartEnv): Promise<void> {
    this.env = env;
    const iface = env.serviceInterface;
    if (iface) {
      await env.sys.run('ip', ['link', 'add', iface, 'type', 'bridge']);
      const up = await env.sys.run('ip', ['link', 'set', iface, 'up']);
      if (up.code !== 0) throw new Error(`cannot make the service interface ${iface}: ${up.stderr.trim()}`);
    }
    this.queue = new WorkQueue('service-proxy', (key) => this.reconcile(key), {
      clock: env.clock,
      log: env.log,
      baseDelayMs: 200,
    });
    this.services = env.informers.for(Kinds.Service);
    this.endpoints = env.informers.for(Kinds.Endpoints);
    const enqueue = (o: KubeObject) => this.queue.add(keyOf(o));
    this.services.on({ add: enqueue, update: enqueue, delete: enqueue });
    this.endpoints.on({ add: enqueue, update: enqueue, delete: enqueue });
  }

  /** Resolves when every change seen so far is served (tests wait on it). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.queue?.stop();
    for (const relays of this.relays.values()) await Promise.all([...relays.values()].map((r) => r.close()));
    this.relays.clear();
    if (this.env?.serviceInterface) await this.env.sys.run('ip', ['link', 'del', this.env.serviceInterface]);
    this.addresses.clear();
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    let wanted: Frontend[] = [];
    if (svc) {
      const lbIP = asObj(svc.spec).type === 'LoadBalancer' ? await this.loadBalancerIP(svc) : undefined;
      wanted = frontends(svc, lbIP).filter((f) => this.env.serviceInterface || !this.isClusterIP(svc, f));
      // The cluster DNS listens on its ClusterIP itself; the proxy only keeps the address there.
      if (svc.metadata?.annotations?.[servedInProcess]) wanted = [];
    }
    await this.placeClusterIP(key, svc);
    const pools = svc ? backends(svc, this.endpoints.get(namespace, name)) : new Map();
    const current = this.relays.get(key) ?? new Map<string, Relay>();
    const keep = new Set(wanted.map(relayId));
    for (const [id, relay] of current)
      if (!keep.has(id) || relay.frontend.key !== wanted.find((f) => relayId(f) === id)?.key) {
        current.delete(id);
        await relay.close();
      }
    for (const f of wanted) {
      const pool = pools.get(f.key) ?? [];
      const existing = current.get(relayId(f));
      if (existing) existing.setBackends(pool);
      else {
        try {
          current.set(relayId(f), await startRelay(f, pool));
        } catch (err) {
          this.env.log.warn(`cannot serve ${key} on ${relayId(f)}`, { error: String(err) });
        }
      }
    }
    if (current.size) this.relays.set(key, current);
    else this.relays.delete(key);
  }

  private isClusterIP(svc: KubeObject, f: Frontend): boolean {
    return f.ip === asObj(svc.spec).clusterIP;
  }

  /** Puts the Service's ClusterIP on the interface (and takes a previous one of it off). */
  private async placeClusterIP(key: string, svc: KubeObject | undefined): Promise<void> {
    const iface = this.env.serviceInterface;
    if (!iface) return;
    const ip = svc ? asObj(svc.spec).clusterIP : undefined;
    const want = typeof ip === 'string' && ip !== 'None' && ip !== '' ? ip : undefined;
    for (const [addr, owner] of this.addresses)
      if (owner === key && addr !== want) {
        this.addresses.delete(addr);
        await this.env.sys.run('ip', ['addr', 'del', `${addr}/32`, 'dev', iface]);
      }
    if (want && !this.addresses.has(want)) {
      const r = await this.env.sys.run('ip', ['addr', 'add', `${want}/32`, 'dev', iface]);
      if (r.code !== 0 && !/exists|already assigned/i.test(r.stderr))
        throw new Error(`cannot add ${want}: ${r.stderr.trim()}`);
      this.addresses.set(want, key);
    }
  }

  /** The Service's LoadBalancer address: the one in its status if it is ours, else the next free one. */
  private async loadBalancerIP(svc: KubeObject): Promise<string | undefined> {
    const range = this.opts.loadBalancerRange ?? { first: '127.42.0.1', count: 65_534 };
    const first = ipToInt(range.first);
    const inRange = (ip: unknown): ip is string =>
      typeof ip === 'string' && ipToInt(ip) >= first && ipToInt(ip) < first + range.count;
    const ingressIP = (o: KubeObject) => asList(asObj(asObj(o.status).loadBalancer).ingress)[0]?.ip;
    const own = ingressIP(svc);
    const taken = new Set(
      this.services
        .list()
        .filter((o) => keyOf(o) !== keyOf(svc))
        .map(ingressIP)
        .filter(inRange),
    );
    if (inRange(own) && !taken.has(own)) return own;
    let ip: string | undefined;
    for (let i = 0; i < range.count && !ip; i++) if (!taken.has(intToIp(first + i))) ip = intToIp(first + i);
    if (!ip) {
      this.env.log.warn('no LoadBalancer address is free', { service: keyOf(svc) });
      return undefined;
    }
    const status = { ...(svc.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
    await this.env.client.updateStatus(Kinds.Service, { ...svc, status });
    return ip;
  }
}
