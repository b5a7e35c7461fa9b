// Service addresses, as the API server's service storage hands them out: a ClusterIP from the
// cluster's service range for every Service but a headless or ExternalName one, and a node port from
// 30000–32767 for each port of a NodePort or LoadBalancer Service. Given ones are checked (inside the
// range, not taken) with kube-apiserver's messages. Taken addresses are read from the stored
// Services at each allocation, with the ones handed out by creates still in flight held apart, so
// two concurrent creates never get the same address.
import type { Store } from '../store/store.ts';
import type { AdmissionPlugin } from './admission.ts';
import { child, type KubeObject, type ResourceDef, storeKey } from './registry.ts';
import { asList, asObj } from './resources/podspec.ts';
import { type FieldError, invalid } from './status.ts';
import { invalidValue } from './validation.ts';

export interface ServiceRanges {
  /** IPv4 CIDR of ClusterIPs, e.g. 10.96.0.0/12. */
  serviceCidr: string;
  nodePorts: [number, number];
}

export const defaultServiceRanges: ServiceRanges = { serviceCidr: '10.96.0.0/12', nodePorts: [30000, 32767] };

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function parseCidr(cidr: string): { base: number; size: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  return { base: ipToInt(m[1]) - (ipToInt(m[1]) % size), size };
}

const isIPv4 = (s: string) =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((o) => Number(o) <= 255);

/** The address of the cluster DNS (the kube-dns Service in kube-system): the range's tenth, as kubeadm's. */
export function clusterDnsIP(ranges: ServiceRanges): string {
  return intToIp(parseCidr(ranges.serviceCidr).base + 10);
}

/** Services whose ClusterIP is served by the orchestrator itself (the cluster DNS), not by the proxy. */
export const servedInProcess = 'berth.dev/served-in-process';

/** The address a `kubernetes` Service in `default` has: the range's first usable one. */
export function apiServiceIP(ranges: ServiceRanges): string {
  return intToIp(parseCidr(ranges.serviceCidr).base + 1);
}

export function serviceAllocation(
  store: Store,
  serviceDef: ResourceDef,
  ranges: ServiceRanges,
): AdmissionPlugin {
  const cidr = parseCidr(ranges.serviceCidr);
  const inFlightIPs = new Set<string>();
  const inFlightPorts = new Set<number>();
  let nextIP = 0;
  let nextPort = 0;

  async function taken(exceptKey?: string) {
    const ips = new Set(inFlightIPs);
    const ports = new Set(inFlightPorts);
    const all = await store.list(storeKey(serviceDef, undefined));
    for (const s of all.items) {
      if (s.key === exceptKey) continue;
      const spec = asObj((s.value as KubeObject).spec);
      if (typeof spec.clusterIP === 'string') ips.add(spec.clusterIP);
      for (const p of asList(spec.ports)) if (typeof p.nodePort === 'number') ports.add(p.nodePort);
    }
    return { ips, ports };
  }

  return {
    name: 'ServiceAllocation',
    async admit(req) {
      if (req.def !== serviceDef || !req.object || req.subresource) return;
      if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
      const obj = req.object;
      const spec = child(obj, 'spec');
      const old = req.oldObject ? asObj(req.oldObject.spec) : undefined;
      const type = String(spec.type ?? 'ClusterIP');
      const errs: FieldError[] = [];
      const used = await taken(storeKey(serviceDef, req.namespace, req.name));
      const held: { ip?: string; ports: number[] } = { ports: [] };

      if (type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else if (spec.clusterIP !== 'None' && !(old && old.clusterIP === spec.clusterIP && spec.clusterIP)) {
        const wanted =
          typeof spec.clusterIP === 'string' && spec.clusterIP !== '' ? spec.clusterIP : undefined;
        if (wanted) {
          const n = isIPv4(wanted) ? ipToInt(wanted) : Number.NaN;
          if (!(n > cidr.base && n < cidr.base + cidr.size - 1))
            errs.push(
              invalidValue(
                'spec.clusterIPs',
                [wanted],
                `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${ranges.serviceCidr}`,
              ),
            );
          else if (used.ips.has(wanted))
            errs.push(
              invalidValue(
                'spec.clusterIPs',
                [wanted],
                `failed to allocate IP ${wanted}: provided IP is already allocated`,
              ),
            );
          else held.ip = wanted;
        } else {
          // The next free address after the last one handed out (the first is the API's own Service's).
          const usable = cidr.size - 2;
          for (let i = 0; i < usable; i++) {
            const candidate = intToIp(cidr.base + 1 + ((nextIP + i) % usable));
            if (!used.ips.has(candidate)) {
              held.ip = candidate;
              nextIP = (nextIP + i + 1) % usable;
              break;
            }
          }
          if (!held.ip)
            errs.push(invalidValue('spec.clusterIPs', [], 'failed to allocate a serviceIP: range is full'));
        }
        if (held.ip) {
          spec.clusterIP = held.ip;
          spec.clusterIPs = [held.ip];
        }
      }
      if (type !== 'ExternalName') {
        if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }

      const wantsNodePorts = type === 'NodePort' || type === 'LoadBalancer';
      const [lo, hi] = ranges.nodePorts;
      asList(spec.ports).forEach((p, i) => {
        if (!wantsNodePorts) {
          delete p.nodePort;
          return;
        }
        const oldPort = asList(old?.ports).find(
          (o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
        )?.nodePort;
        if (p.nodePort === undefined && typeof oldPort === 'number') p.nodePort = oldPort;
        if (typeof p.nodePort === 'number' && p.nodePort === oldPort) return;
        if (typeof p.nodePort === 'number') {
          if (p.nodePort < lo || p.nodePort > hi)
            errs.push(
              invalidValue(
                `spec.ports[${i}].nodePort`,
                p.nodePort,
                `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`,
              ),
            );
          else if (used.ports.has(p.nodePort) || held.ports.includes(p.nodePort))
            errs.push(
              invalidValue(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'),
            );
          else held.ports.push(p.nodePort);
          return;
        }
        const count = hi - lo + 1;
        for (let k = 0; k < count; k++) {
          const candidate = lo + ((nextPort + k) % count);
          if (!used.ports.has(candidate) && !held.ports.includes(candidate)) {
            p.nodePort = candidate;
            held.ports.push(candidate);
            nextPort = (nextPort + k + 1) % count;
            return;
          }
        }
        errs.push(invalidValue(`spec.ports[${i}].nodePort`, 0, 'range is full'));
      });
      if (errs.length) throw invalid('Service', '', req.name, errs);
      if (req.dryRun) return;
      // Held apart until the write is surely in the store (or failed), when the store's list tells.
      if (held.ip) inFlightIPs.add(held.ip);
      for (const p of held.ports) inFlightPorts.add(p);
      setTimeout(() => {
        if (held.ip) inFlightIPs.delete(held.ip);
        for (const p of held.ports) inFlightPorts.delete(p);
      }, 10_000).unref();
    },
  };
}
