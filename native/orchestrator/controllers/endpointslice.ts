// The EndpointSlice controller: for each Service with a selector, EndpointSlices (generateName
// `<service>-`, label kubernetes.io/service-name, managed-by endpointslice-controller.k8s.io, owned by
// the Service) holding its pods as endpoints with the ready/serving/terminating conditions — one
// slice per address type and port set, at most 100 endpoints each, and a placeholder slice with no
// endpoints when no pod is selected, as Kubernetes keeps one. Existing slices are reused in place;
// slices whose contents are already right are not written.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, splitKey } from '../client/informer.ts';
import { asList, asObj, ignoreGone, isPodReady, type Obj, ownerRefTo, spec, status } from './common.ts';
import { isHeadless, podHostname, podInEndpoints, resolvePort, ServiceWatch } from './endpoints.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedBy = 'endpointslice-controller.k8s.io';
const maxEndpointsPerSlice = 100;

interface Desired {
  addressType: string;
  ports: Obj[] | null;
  endpoints: Obj[] | null;
}

const sliceContent = (s: Obj) =>
  JSON.stringify({ addressType: s.addressType, ports: s.ports ?? null, endpoints: s.endpoints ?? null });

export class EndpointSliceController extends ServiceWatch {
  readonly name = 'endpointslice-controller';

  private get slices(): Informer {
    return this.env.informers.for(Kinds.EndpointSlice);
  }

  protected override register(): void {
    super.register();
    this.slices.on({
      delete: (slice) => {
        const svc = this.services.get(
          slice.metadata?.namespace,
          slice.metadata?.labels?.[serviceNameLabel] ?? '',
        );
        if (svc && slice.metadata?.labels?.[managedByLabel] === managedBy) this.enqueue(svc);
      },
    });
  }

  private ownSlices(namespace: string | undefined, service: string): KubeObject[] {
    return this.slices
      .list(namespace)
      .filter(
        (s) =>
          s.metadata?.labels?.[serviceNameLabel] === service &&
          s.metadata?.labels?.[managedByLabel] === managedBy,
      );
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    const existing = this.ownSlices(namespace, name);
    if (!svc || !Object.keys(asObj(spec(svc).selector)).length) {
      // The garbage collector would take them with the service; a selector removed is ours to undo.
      if (svc)
        for (const s of existing)
          await ignoreGone(this.client.delete(Kinds.EndpointSlice, namespace, s.metadata!.name!));
      return;
    }
    const desired = this.desired(svc);
    const labels: Record<string, string> = {
      ...svc.metadata?.labels,
      [serviceNameLabel]: name,
      [managedByLabel]: managedBy,
    };
    if (isHeadless(svc)) labels['service.kubernetes.io/headless'] = '';
    // Slices already right stay as they are; the others are rewritten in place or made.
    const unused = [...existing];
    const todo: Desired[] = [];
    for (const d of desired) {
      const i = unused.findIndex(
        (s) => sliceContent(s) === sliceContent(d as unknown as Obj) && sameLabels(s, labels),
      );
      if (i >= 0) unused.splice(i, 1);
      else todo.push(d);
    }
    for (const d of todo) {
      const reuse = unused.findIndex((s) => s.addressType === d.addressType);
      if (reuse >= 0) {
        const [s] = unused.splice(reuse, 1);
        await this.client.update(Kinds.EndpointSlice, {
          ...s,
          metadata: { ...s.metadata, labels },
          ports: d.ports,
          endpoints: d.endpoints,
        });
      } else
        await this.client.create(Kinds.EndpointSlice, {
          metadata: {
            generateName: `${name}-`,
            namespace,
            labels,
            ownerReferences: [ownerRefTo(svc, Kinds.Service)],
          },
          addressType: d.addressType,
          ports: d.ports,
          endpoints: d.endpoints,
        });
    }
    for (const s of unused)
      await ignoreGone(this.client.delete(Kinds.EndpointSlice, namespace, s.metadata!.name!));
  }

  private desired(svc: KubeObject): Desired[] {
    const publishNotReady = spec(svc).publishNotReadyAddresses === true;
    const ports = asList(spec(svc).ports);
    const groups = new Map<string, { addressType: string; ports: Obj[]; endpoints: Obj[] }>();
    for (const pod of this.selectedPods(svc)) {
      if (!podInEndpoints(pod, true)) continue;
      const ip = String(status(pod).podIP);
      const addressType = ip.includes(':') ? 'IPv6' : 'IPv4';
      const epPorts: Obj[] = [];
      for (const sp of ports) {
        const port = resolvePort(pod, sp);
        if (port === undefined) continue;
        epPorts.push({
          name: String(sp.name ?? ''),
          port,
          protocol: sp.protocol ?? 'TCP',
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        });
      }
      if (ports.length && !epPorts.length) continue;
      const serving = isPodReady(pod);
      const terminating = !!pod.metadata?.deletionTimestamp;
      const hostname = podHostname(pod, svc);
      const endpoint: Obj = {
        addresses: [ip],
        conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
        ...(hostname ? { hostname } : {}),
        ...(spec(pod).nodeName ? { nodeName: spec(pod).nodeName } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata?.namespace,
          name: pod.metadata?.name,
          uid: pod.metadata?.uid,
        },
      };
      const k = `${addressType} ${JSON.stringify(epPorts)}`;
      const g = groups.get(k) ?? { addressType, ports: epPorts, endpoints: [] };
      groups.set(k, g);
      g.endpoints.push(endpoint);
    }
    const out: Desired[] = [];
    for (const [, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
      g.endpoints.sort((a, b) =>
        String(asList(a.addresses)[0]).localeCompare(String(asList(b.addresses)[0])),
      );
      for (let i = 0; i < g.endpoints.length; i += maxEndpointsPerSlice)
        out.push({
          addressType: g.addressType,
          ports: g.ports,
          endpoints: g.endpoints.slice(i, i + maxEndpointsPerSlice),
        });
    }
    // No endpoints: a placeholder, so the service always has a slice.
    if (!out.length) out.push({ addressType: 'IPv4', ports: null, endpoints: null });
    return out;
  }
}

const sameLabels = (s: KubeObject, labels: Record<string, string>) =>
  JSON.stringify(Object.entries(s.metadata?.labels ?? {}).sort()) ===
  JSON.stringify(Object.entries(labels).sort());
