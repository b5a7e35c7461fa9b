// Resource quantities and what a pod asks of a node, as the scheduler counts them: cpu in millicores,
// memory and ephemeral storage in bytes, other (extended) resources in their own units; a pod's
// requests are its containers' sum, or its largest init container if that is more (sidecar init
// containers, restartPolicy Always, run beside the rest and add to both), plus the pod's overhead —
// the same arithmetic as k8s.io/component-helpers' PodRequests, so a pod that does not fit here does
// not fit on a real cluster either.
import type { KubeObject } from '../apiserver/registry.ts';

type Obj = Record<string, unknown>;
export const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

const suffixes: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A resource.Quantity ('250m', '1.5', '128Mi', '1e3') as a number of base units; NaN when malformed. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return Number.NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE])?)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  return n * suffixes[m[3] ?? ''];
}

/** What a pod requests or a node offers: cpu in millicores, bytes, pods, and extended resources by name. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (nvidia.com/gpu, hugepages-2Mi…). */
  scalar: Record<string, number>;
}

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

/** A ResourceList (`{cpu: '500m', memory: '1Gi'}`) as Resources; `pods` is left to the caller. */
export function fromResourceList(list: unknown): Resources {
  const r = emptyResources();
  for (const [name, value] of Object.entries(asObj(list))) {
    const n = parseQuantity(value);
    if (!Number.isFinite(n)) continue;
    if (name === 'cpu') r.milliCPU = Math.ceil(n * 1000);
    else if (name === 'memory') r.memory = Math.ceil(n);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = Math.ceil(n);
    else if (name !== 'pods') r.scalar[name] = Math.ceil(n);
  }
  return r;
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}

function maxResources(a: Resources, b: Resources): Resources {
  const out: Resources = {
    milliCPU: Math.max(a.milliCPU, b.milliCPU),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    scalar: { ...a.scalar },
  };
  for (const [k, v] of Object.entries(b.scalar)) out.scalar[k] = Math.max(out.scalar[k] ?? 0, v);
  return out;
}

/** Scoring's stand-ins for a container that requests nothing (kube-scheduler's non-zero defaults). */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

/**
 * A pod's effective requests. With `nonZero`, a container that requests no cpu or memory counts as
 * 100m / 200MiB, as the scheduler's scoring does so that empty requests do not all pile on one node.
 */
export function podRequests(pod: KubeObject, nonZero = false): Resources {
  const spec = asObj(pod.spec);
  const containerReq = (c: Obj): Resources => {
    const r = fromResourceList(asObj(c.resources).requests);
    if (nonZero) {
      const req = asObj(asObj(c.resources).requests);
      if (req.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
      if (req.memory === undefined) r.memory = defaultMemoryRequest;
    }
    return r;
  };
  let reqs = emptyResources();
  for (const c of asList(spec.containers)) addResources(reqs, containerReq(c));
  const sidecars = emptyResources();
  let initMax = emptyResources();
  for (const c of asList(spec.initContainers)) {
    const r = containerReq(c);
    let running: Resources;
    if (c.restartPolicy === 'Always') {
      addResources(sidecars, r);
      addResources(reqs, r);
      running = { ...sidecars, scalar: { ...sidecars.scalar } };
    } else {
      running = { ...r, scalar: { ...r.scalar } };
      addResources(running, sidecars);
    }
    initMax = maxResources(initMax, running);
  }
  reqs = maxResources(reqs, initMax);
  if (spec.overhead) addResources(reqs, fromResourceList(spec.overhead));
  return reqs;
}

/** What a node offers pods: status.allocatable (capacity when the kubelet wrote none), and its pod count. */
export function nodeAllocatable(node: KubeObject): { resources: Resources; pods: number } {
  const status = asObj(node.status);
  const list = status.allocatable ?? status.capacity;
  const pods = parseQuantity(asObj(list).pods);
  return { resources: fromResourceList(list), pods: Number.isFinite(pods) ? pods : 0 };
}
