// What the service proxy serves for one Service, and where to: the addresses and ports it listens on
// (the ClusterIP, a node port on the host's 127.0.0.1, a LoadBalancer address of its own in
// 127.0.0.0/8) and, for each service port, the ready endpoints behind it, read from the Service's
// Endpoints as kube-proxy reads them (a service port matches the endpoint port of the same name).
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, asObj } from '../apiserver/resources/podspec.ts';

export interface Backend {
  ip: string;
  port: number;
}

export interface Frontend {
  /** `<namespace>/<service>:<port name or number>/<protocol>`: the key backends are kept under. */
  key: string;
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

const portKey = (svc: KubeObject, p: Record<string, unknown>) =>
  `${svc.metadata?.namespace}/${svc.metadata?.name}:${p.name || p.port}/${p.protocol ?? 'TCP'}`;

/** The listeners a Service needs; `lbIP` is the LoadBalancer address it was given, if any. */
export function frontends(svc: KubeObject, lbIP?: string): Frontend[] {
  const spec = asObj(svc.spec);
  const type = String(spec.type ?? 'ClusterIP');
  if (type === 'ExternalName') return [];
  const out: Frontend[] = [];
  const clusterIP = typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' ? spec.clusterIP : '';
  for (const p of asList(spec.ports)) {
    const protocol = p.protocol === 'UDP' ? 'UDP' : p.protocol === 'SCTP' ? undefined : 'TCP';
    if (!protocol || typeof p.port !== 'number') continue;
    const key = portKey(svc, p);
    if (clusterIP) out.push({ key, ip: clusterIP, port: p.port, protocol });
    if ((type === 'NodePort' || type === 'LoadBalancer') && typeof p.nodePort === 'number')
      out.push({ key, ip: '127.0.0.1', port: p.nodePort, protocol });
    if (type === 'LoadBalancer' && lbIP) out.push({ key, ip: lbIP, port: p.port, protocol });
  }
  return out;
}

/** Port key → the ready endpoints serving it. */
export function backends(svc: KubeObject, endpoints: KubeObject | undefined): Map<string, Backend[]> {
  const out = new Map<string, Backend[]>();
  const ports = asList(asObj(svc.spec).ports);
  for (const p of ports) out.set(portKey(svc, p), []);
  for (const subset of asList(endpoints?.subsets)) {
    const ips = asList(subset.addresses)
      .map((a) => a.ip)
      .filter((ip): ip is string => typeof ip === 'string');
    for (const ep of asList(subset.ports)) {
      // Endpoints name their ports after the service's; a single unnamed port matches the single one.
      const sp = ports.find(
        (p) => (p.name ?? '') === (ep.name ?? '') && (p.protocol ?? 'TCP') === (ep.protocol ?? 'TCP'),
      );
      if (!sp || typeof ep.port !== 'number') continue;
      const list = out.get(portKey(svc, sp))!;
      for (const ip of ips) list.push({ ip, port: ep.port });
    }
  }
  return out;
}
