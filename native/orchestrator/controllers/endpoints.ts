// The Endpoints controller: for each Service with a selector, an Endpoints object of the same name
// listing its pods' IPs — ready ones as addresses, the others as notReadyAddresses — with each
// service port resolved against the pod (targetPort by number, or by the name of a container port),
// subsets grouped by port set as Kubernetes repacks them; headless services without ports get
// addresses alone. Kept current from pod and service changes; an unchanged result is not written.
// ServiceWatch is what this and the EndpointSlice controller share: which services a pod change
// touches, and how a pod maps to a port.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, splitKey } from '../client/informer.ts';
import {
  asList,
  asObj,
  Controller,
  ignoreGone,
  isPodReady,
  mapSelects,
  type Obj,
  spec,
  status,
} from './common.ts';

/** Where a service port lands on a pod: its number, or undefined when the pod has no such named port. */
export function resolvePort(pod: KubeObject, servicePort: Obj): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const c of asList(spec(pod).containers))
    for (const p of asList(c.ports))
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return Number(p.containerPort);
  return undefined;
}

/** ShouldPodBeInEndpoints: an IP, not finished, and (unless terminating ones are wanted) not going. */
export function podInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = status(pod).phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!status(pod).podIP) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

export const isHeadless = (svc: KubeObject) => spec(svc).clusterIP === 'None';

/** The hostname a pod has in a headless service's DNS (spec.hostname under subdomain = the service). */
export function podHostname(pod: KubeObject, svc: KubeObject): string | undefined {
  const s = spec(pod);
  return s.hostname &&
    s.subdomain === svc.metadata?.name &&
    svc.metadata?.namespace === pod.metadata?.namespace
    ? String(s.hostname)
    : undefined;
}

/** A controller keyed by Service that follows the services and the pods they select. */
export abstract class ServiceWatch extends Controller {
  protected get services(): Informer {
    return this.env.informers.for(Kinds.Service);
  }

  protected get pods(): Informer {
    return this.env.informers.for(Kinds.Pod);
  }

  protected register(): void {
    this.services.on({
      add: (s) => this.enqueue(s),
      update: (s) => this.enqueue(s),
      delete: (s) => this.enqueue(s),
    });
    const touch = (pod: KubeObject) => {
      for (const svc of this.services.list(pod.metadata?.namespace))
        if (mapSelects(spec(svc).selector, pod.metadata?.labels)) this.enqueue(svc);
    };
    this.pods.on({
      add: touch,
      update: (pod, old) => {
        touch(pod);
        if (JSON.stringify(pod.metadata?.labels) !== JSON.stringify(old.metadata?.labels)) touch(old);
      },
      delete: touch,
    });
  }

  protected selectedPods(svc: KubeObject): KubeObject[] {
    return this.pods
      .list(svc.metadata?.namespace)
      .filter((p) => mapSelects(spec(svc).selector, p.metadata?.labels));
  }
}

const byIp = (a: Obj, b: Obj) =>
  String(a.ip).localeCompare(String(b.ip)) ||
  String(asObj(a.targetRef).uid).localeCompare(String(asObj(b.targetRef).uid));

export class EndpointsController extends ServiceWatch {
  readonly name = 'endpoint-controller';

  private get endpoints(): Informer {
    return this.env.informers.for(Kinds.Endpoints);
  }

  protected override register(): void {
    super.register();
    // Someone removed the Endpoints of a service that still selects pods: make them again.
    this.endpoints.on({
      delete: (ep) => {
        const svc = this.services.get(ep.metadata?.namespace, ep.metadata!.name!);
        if (svc) this.enqueue(svc);
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      await ignoreGone(this.client.delete(Kinds.Endpoints, namespace, name));
      return;
    }
    if (!Object.keys(asObj(spec(svc).selector)).length) return;
    const subsets = this.subsets(svc);
    const labels: Record<string, string> = { ...svc.metadata?.labels };
    if (isHeadless(svc)) labels['service.kubernetes.io/headless'] = '';
    const current = this.endpoints.get(namespace, name);
    if (current) {
      const same =
        JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) &&
        JSON.stringify(current.metadata?.labels ?? {}) === JSON.stringify(labels);
      if (same) return;
      const metadata: KubeObject['metadata'] = { ...current.metadata, labels };
      if (!Object.keys(labels).length) delete metadata.labels;
      await this.client.update(Kinds.Endpoints, { ...current, metadata, subsets });
      return;
    }
    await this.client.create(Kinds.Endpoints, {
      metadata: { name, namespace, ...(Object.keys(labels).length ? { labels } : {}) },
      subsets,
    });
  }

  private subsets(svc: KubeObject): Obj[] {
    const publishNotReady = spec(svc).publishNotReadyAddresses === true;
    const ports = asList(spec(svc).ports);
    // Port set (as JSON) → ready and not-ready addresses.
    const groups = new Map<string, { ports: Obj[]; ready: Obj[]; notReady: Obj[] }>();
    const add = (epPorts: Obj[], address: Obj, ready: boolean) => {
      const k = JSON.stringify(epPorts);
      const g = groups.get(k) ?? { ports: epPorts, ready: [], notReady: [] };
      groups.set(k, g);
      (ready ? g.ready : g.notReady).push(address);
    };
    for (const pod of this.selectedPods(svc)) {
      if (!podInEndpoints(pod, publishNotReady)) continue;
      const address: Obj = {
        ip: status(pod).podIP,
        ...(podHostname(pod, svc) ? { hostname: podHostname(pod, svc) } : {}),
        ...(spec(pod).nodeName ? { nodeName: spec(pod).nodeName } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
        },
      };
      const ready = publishNotReady || isPodReady(pod);
      if (!ports.length) {
        if (isHeadless(svc)) add([], address, ready);
        continue;
      }
      const epPorts: Obj[] = [];
      for (const sp of ports) {
        const port = resolvePort(pod, sp);
        if (port === undefined) continue;
        epPorts.push({
          ...(sp.name ? { name: sp.name } : {}),
          port,
          protocol: sp.protocol ?? 'TCP',
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        });
      }
      if (epPorts.length) add(epPorts, address, ready);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, g]) => ({
        ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
        ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
        ...(g.ports.length ? { ports: g.ports } : {}),
      }));
  }
}
