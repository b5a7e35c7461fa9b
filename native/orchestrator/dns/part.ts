// The cluster's DNS (CoreDNS's job in a real cluster), served in process on the kube-dns Service's
// ClusterIP, port 53, UDP and TCP: names of the cluster domain from the Service and Endpoints
// informers (records.ts), anything else relayed to the host's own resolvers. The kubelet points every
// ClusterFirst pod's resolv.conf here, with Kubernetes' search list and ndots:5.
import { promises as fs } from 'node:fs';
import { DnsServer } from '../../network/dns.ts';
import { Kinds } from '../client/client.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { resolveClusterName } from './records.ts';

export interface ClusterDnsOptions {
  /** Where names outside the cluster go (default: the host's /etc/resolv.conf nameservers). */
  upstreams?: string[];
  /** The port (53 unless a test says otherwise). */
  port?: number;
}

/** Nameservers of a resolv.conf, as `ip:53`. */
export function resolvConfUpstreams(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((ip): ip is string => !!ip && !ip.includes(':'))
    .map((ip) => `${ip}:53`);
}

export class ClusterDns implements ClusterPart {
  readonly name = 'cluster-dns';
  private server: DnsServer | undefined;

  constructor(private readonly opts: ClusterDnsOptions = {}) {}

  async start(env: PartEnv): Promise<void> {
    const dns = env.clusterDNS;
    if (!dns) return;
    const services = env.informers.for(Kinds.Service);
    const endpoints = env.informers.for(Kinds.Endpoints);
    const namespaces = env.informers.for(Kinds.Namespace);
    const upstreams =
      this.opts.upstreams ??
      resolvConfUpstreams(await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
    const view = {
      service: (ns: string, name: string) => services.get(ns, name),
      endpoints: (ns: string, name: string) => endpoints.get(ns, name),
      namespaceExists: (name: string) => namespaces.get(undefined, name) !== undefined,
    };
    await Promise.all([services.synced, endpoints.synced, namespaces.synced]);
    this.server = new DnsServer({
      log: env.log,
      resolve: (q) => {
        const a =
          q.type === 'A' || q.type === 'AAAA' ? resolveClusterName(q.name, dns.domain, view) : undefined;
        if (a === undefined) {
          if (q.name === dns.domain || q.name.endsWith(`.${dns.domain}`)) return { answer: [] };
          return upstreams.length ? { forward: upstreams } : { nxdomain: true };
        }
        if ('nxdomain' in a) return { nxdomain: true };
        return { answer: a.ips.map((ip) => ({ type: 'A' as const, value: ip, ttl: 30 })) };
      },
    });
    if (env.serviceInterface) {
      const r = await env.sys.run('ip', ['addr', 'add', `${dns.ip}/32`, 'dev', env.serviceInterface]);
      if (r.code !== 0 && !/exists|already assigned/i.test(r.stderr))
        throw new Error(`cannot give the cluster DNS its address ${dns.ip}: ${r.stderr.trim()}`);
    }
    await this.server.listen(dns.ip, this.opts.port ?? 53);
  }

  /** The port it serves (53 unless chosen otherwise). */
  get port(): number {
    return this.server?.port ?? 0;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
