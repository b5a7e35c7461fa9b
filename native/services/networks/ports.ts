import { EngineError, errorMessage, invalid } from '../../core/errors.ts';
import { portRules, type Rule } from '../../network/firewall.ts';
import type { PortProxy } from '../../network/proxy.ts';
import type { ContainerRecord, PublishedPort } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { NetworkContext } from './context.ts';
import type { NetworkRecord } from './store.ts';

/**
 * Published ports: each host port is held by a userland proxy (so a second user gets Docker's "port is
 * already allocated", and loopback and IPv6 clients reach the container), and, with iptables, DNAT
 * rules in the daemon's chains carry the rest of the traffic in the kernel.
 */

export type Proto = 'tcp' | 'udp' | 'sctp';

/** One container port and the host bindings asked for it (`-p`, or `-P` for the exposed ones). */
export interface PortSpec {
  proto: Proto;
  containerPort: number;
  bindings: Array<{ HostIp: string; HostPort: string }>;
}

/** `80`, `53/udp`: Docker's keys of ExposedPorts and PortBindings. */
export function parsePortKey(key: string): { port: number; proto: Proto } {
  const [p, proto = 'tcp'] = key.split('/');
  const port = Number(p);
  if (!/^\d+$/.test(p ?? '') || port < 1 || port > 65535) throw invalid(`invalid port specification: "${p}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalid(`invalid proto: ${proto}`);
  return { port, proto };
}

/** A binding's HostPort: '' (any), `8080`, or a range `8000-8010`; [0, 0] means any. */
export function hostPortRange(spec: string): [number, number] {
  if (spec === '') return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  const a = Number(m?.[1]);
  const b = m?.[2] === undefined ? a : Number(m[2]);
  if (!m || a > 65535 || b > 65535 || b < a) throw invalid(`invalid hostPort: ${spec}`);
  return [a, b];
}

/** The ports to publish: PortBindings, plus every exposed port without a binding when PublishAllPorts. */
export function portSpecs(rec: ContainerRecord): PortSpec[] {
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

/** At create: every port key and host port of the container is one Docker would take. */
export function validatePorts(rec: ContainerRecord): void {
  for (const key of Object.keys(rec.HostConfig.PortBindings ?? {})) parsePortKey(key);
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) parsePortKey(key);
  for (const spec of portSpecs(rec)) for (const b of spec.bindings) hostPortRange(b.HostPort ?? '');
}

const isRunning = (rec: ContainerRecord) => hasProcess(rec.State.Status);

/** `Ports` of `docker ps`: exposed ports without a host side, then the published ones (while running). */
export function portList(rec: ContainerRecord): object[] {
  const out: object[] = [];
  const published = rec.PublishedPorts ?? [];
  const running = isRunning(rec);
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

/** `NetworkSettings.Ports` of inspect: each exposed port, null or its bindings (empty unless running). */
export function portMap(
  rec: ContainerRecord,
): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  if (!isRunning(rec)) return ports;
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
    const { port, proto } = parsePortKey(key);
    ports[`${port}/${proto}`] = null;
  }
  for (const p of rec.PublishedPorts ?? []) {
    const k = `${p.containerPort}/${p.proto}`;
    ports[k] = [...(ports[k] ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }];
  }
  return ports;
}

/** The host ports of running containers: their proxies, and the firewall rules that go with them. */
export class PublishedPorts {
  private readonly proxies = new Map<string, PortProxy[]>();
  /** Whether the host has IPv6: a default binding then listens on `::` too. */
  ipv6 = false;

  constructor(private readonly ctx: NetworkContext) {}

  /**
   * Binds the container's ports on the host (at start, on its first network); a range takes its first
   * free port. Fails with dockerd's "driver failed programming external connectivity" error.
   */
  async bind(rec: ContainerRecord, n: NetworkRecord): Promise<PublishedPort[]> {
    const ep = Object.values(rec.Endpoints ?? {}).find((e) => e.NetworkID === n.Id);
    const specs = portSpecs(rec);
    if (!specs.length || !ep?.IPAddress) return [];
    const out: PublishedPort[] = [];
    const proxies: PortProxy[] = [];
    this.proxies.set(rec.Id, proxies);
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
            if (port !== 0 && ips.some((ip) => this.taken(rec, s.proto, ip, port))) {
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

  /** Whether another container holds the port on that address (or on every address). */
  private taken(rec: ContainerRecord, proto: string, ip: string, port: number): boolean {
    const wild = (a: string) => a === '0.0.0.0' || a === '::';
    return this.ctx.store
      .all()
      .some(
        (c) =>
          c.Id !== rec.Id &&
          (c.PublishedPorts ?? []).some(
            (p) =>
              p.proto === proto && p.hostPort === port && (p.hostIp === ip || wild(p.hostIp) || wild(ip)),
          ),
      );
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
          const p = await this.ctx.host.startProxy({
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

  /** The DNAT/ACCEPT/MASQUERADE rules of the ports (IPv4 only), to the container's first endpoint. */
  rulesOf(rec: ContainerRecord, ports: PublishedPort[]): Rule[] {
    const fw = this.ctx.firewall;
    if (!fw) return [];
    const ep = Object.values(rec.Endpoints ?? {})[0];
    const n = ep && this.ctx.networks.find(ep.NetworkID);
    if (!ep?.IPAddress || !n?.BridgeName) return [];
    const bridge = n.BridgeName;
    return ports
      .filter((p) => !p.hostIp.includes(':'))
      .flatMap((p) =>
        portRules(fw.chains, {
          proto: p.proto,
          hostIp: p.hostIp,
          hostPort: p.hostPort,
          containerIp: ep.IPAddress,
          containerPort: p.containerPort,
          bridge,
        }),
      );
  }

  /** After a daemon restart: the proxies and rules of a running container's ports, again. */
  async restore(rec: ContainerRecord): Promise<void> {
    const ports = rec.PublishedPorts ?? [];
    if (!ports.length) return;
    const ep = Object.values(rec.Endpoints ?? {})[0];
    if (!ep?.IPAddress) return;
    const proxies: PortProxy[] = [];
    for (const p of ports) {
      try {
        proxies.push(
          await this.ctx.host.startProxy({
            proto: p.proto,
            hostIp: p.hostIp,
            hostPort: p.hostPort,
            containerIp: ep.IPAddress,
            containerPort: p.containerPort,
          }),
        );
      } catch (err) {
        this.ctx.log.warn('could not bind published port again', {
          id: rec.Id,
          port: p.hostPort,
          error: errorMessage(err),
        });
      }
    }
    this.proxies.set(rec.Id, proxies);
    await this.ctx.firewall?.append(this.rulesOf(rec, ports));
  }

  /** The container stopped: its host ports are free again and its rules gone. */
  async unpublish(rec: ContainerRecord): Promise<void> {
    for (const p of this.proxies.get(rec.Id) ?? []) await p.close().catch(() => undefined);
    this.proxies.delete(rec.Id);
    if (rec.PublishedPorts?.length) await this.ctx.firewall?.remove(this.rulesOf(rec, rec.PublishedPorts));
  }

  /** berthd stops: the proxies close (the rules stay for live restore). */
  async close(): Promise<void> {
    for (const ps of this.proxies.values()) for (const p of ps) await p.close().catch(() => undefined);
    this.proxies.clear();
  }
}
