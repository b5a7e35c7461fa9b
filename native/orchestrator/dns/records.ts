// What the cluster's names mean, as Kubernetes' DNS specification has them, for the cluster domain:
//   <service>.<ns>.svc.<domain>            the ClusterIP; for a headless Service, its ready endpoints
//   <hostname>.<service>.<ns>.svc.<domain> an endpoint with that hostname (a StatefulSet's pods)
//   <a-b-c-d>.<ns>.pod.<domain>            the address a-b-c-d itself
// A name inside the domain that means nothing is NXDOMAIN; a name outside it is not ours (undefined).
import type { KubeObject } from '../apiserver/registry.ts';
import { asList, asObj } from '../apiserver/resources/podspec.ts';

export interface ClusterView {
  service(namespace: string, name: string): KubeObject | undefined;
  endpoints(namespace: string, name: string): KubeObject | undefined;
  namespaceExists(name: string): boolean;
}

export type Answer = { ips: string[] } | { nxdomain: true } | undefined;

const ipv4 = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

export function resolveClusterName(name: string, domain: string, view: ClusterView): Answer {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n !== domain && !n.endsWith(`.${domain}`)) return undefined;
  const labels = n === domain ? [] : n.slice(0, -(domain.length + 1)).split('.');
  // …svc.<domain>
  if (labels.at(-1) === 'svc') {
    const rest = labels.slice(0, -1);
    if (rest.length === 2 || rest.length === 3) {
      const [ns, svcName] = [rest.at(-1)!, rest.at(-2)!];
      const svc = view.service(ns, svcName);
      if (!svc) return { nxdomain: true };
      const spec = asObj(svc.spec);
      if (spec.type === 'ExternalName') return { nxdomain: true };
      const ready = readyAddresses(view.endpoints(ns, svcName));
      if (rest.length === 3) {
        const ips = ready.filter((a) => a.hostname === rest[0]).map((a) => a.ip);
        return ips.length ? { ips } : { nxdomain: true };
      }
      if (typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' && spec.clusterIP !== '')
        return { ips: [spec.clusterIP] };
      return { ips: ready.map((a) => a.ip) };
    }
    return { nxdomain: true };
  }
  // <a-b-c-d>.<ns>.pod.<domain>
  if (labels.at(-1) === 'pod' && labels.length === 3) {
    const octets = ipv4.exec(labels[0])?.slice(1).map(Number);
    if (octets?.every((o) => o <= 255) && view.namespaceExists(labels[1])) return { ips: [octets.join('.')] };
  }
  return { nxdomain: true };
}

function readyAddresses(ep: KubeObject | undefined): { ip: string; hostname?: string }[] {
  const out: { ip: string; hostname?: string }[] = [];
  for (const subset of asList(ep?.subsets))
    for (const a of asList(subset.addresses))
      if (typeof a.ip === 'string')
        out.push({ ip: a.ip, hostname: typeof a.hostname === 'string' ? a.hostname : undefined });
  return out;
}
