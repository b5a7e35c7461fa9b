// What the controllers share: label selectors as objects, controller references, adoption, pod
// readiness and availability as Kubernetes' podutil works them out, and the skeleton every
// controller is (informer handlers that add keys to one work queue, a sync per key).
import type { Clock } from '../../core/clock.ts';
import type { KubeObject, OwnerReference } from '../apiserver/registry.ts';
import { apiVersionOf, sameJson } from '../apiserver/registry.ts';
import { matchLabels, selectorRequirements } from '../apiserver/selectors.ts';
import { ApiError } from '../apiserver/status.ts';
import type { KindRef, KubeClient } from '../client/client.ts';
import { keyOf } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';

export { selectorRequirements };

export type Obj = Record<string, unknown>;
export const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
export const spec = (o: KubeObject): Obj => asObj(o.spec);
export const status = (o: KubeObject): Obj => asObj(o.status);
export const int = (v: unknown, dflt = 0): number => (typeof v === 'number' ? v : dflt);

export const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Whether a workload's selector selects these labels; an empty selector selects nothing (as for workloads). */
export function selects(sel: unknown, labels: Record<string, string> | undefined): boolean {
  const reqs = selectorRequirements(sel);
  return !!reqs && reqs.length > 0 && matchLabels(reqs, labels);
}

/** A Service's spec.selector (a plain map): empty or absent selects nothing. */
export function mapSelects(sel: unknown, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(asObj(sel));
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function ownerRefTo(owner: KubeObject, kind: KindRef, version = 'v1'): OwnerReference {
  return {
    apiVersion: apiVersionOf({ group: kind.group, version }),
    kind: kind.kind,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** An informer handler that brings back the owner (of `ownerKind`) of the object that changed. */
export function queueOwner(queue: WorkQueue, ownerKind: string): (obj: KubeObject) => void {
  return (obj) => {
    const ref = controllerRef(obj);
    if (ref?.kind === ownerKind) queue.add(`${obj.metadata?.namespace}/${ref.name}`);
  };
}

const reason = (err: unknown) => (err instanceof ApiError ? err.reason : undefined);
export const isNotFound = (err: unknown) => reason(err) === 'NotFound';
export const isConflict = (err: unknown) => reason(err) === 'Conflict';
/** A create refused because the namespace is going away: nothing to retry, the namespace takes it all. */
export const isNamespaceTerminating = (err: unknown) =>
  err instanceof ApiError && err.code === 403 && /being terminated/.test(err.message);

export function condition(obj: KubeObject, type: string): Obj | undefined {
  return asList(status(obj).conditions).find((c) => c.type === type);
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: KubeObject) => condition(pod, 'Ready')?.status === 'True';

/** When the pod last became ready (ms), or undefined. */
export function podReadySince(pod: KubeObject): number | undefined {
  const c = condition(pod, 'Ready');
  if (c?.status !== 'True') return undefined;
  const t = Date.parse(String(c.lastTransitionTime ?? ''));
  return Number.isNaN(t) ? undefined : t;
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/** controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = status(pod).phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export const creationMs = (o: KubeObject) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

/**
 * Claims objects for an owner as client-go's ControllerRefManager does: those it controls and its
 * selector still selects are its own; those it controls that no longer match are released; orphans
 * that match are adopted (unless the owner is being deleted). Writes go through `client.update`.
 */
export async function claim(
  client: KubeClient,
  kind: KindRef,
  owner: KubeObject,
  ownerKind: KindRef,
  candidates: KubeObject[],
  matches: (o: KubeObject) => boolean,
  /** A fresh look at the owner before adopting (its uid unchanged, not being deleted). */
  canAdopt: () => Promise<boolean>,
): Promise<KubeObject[]> {
  const uid = owner.metadata?.uid;
  const mine: KubeObject[] = [];
  let adoptable: boolean | undefined;
  for (const o of candidates) {
    const ref = controllerRef(o);
    if (ref && ref.uid !== uid) continue;
    if (ref) {
      if (matches(o)) {
        mine.push(o);
        continue;
      }
      if (owner.metadata?.deletionTimestamp) continue;
      await ignoreGone(
        client.update(kind, {
          ...o,
          metadata: {
            ...o.metadata,
            ownerReferences: o.metadata?.ownerReferences?.filter((r) => r.uid !== uid),
          },
        }),
      );
      continue;
    }
    if (!matches(o) || owner.metadata?.deletionTimestamp || o.metadata?.deletionTimestamp) continue;
    adoptable ??= await canAdopt();
    if (!adoptable) continue;
    try {
      const adopted = await client.update(kind, {
        ...o,
        metadata: {
          ...o.metadata,
          ownerReferences: [...(o.metadata?.ownerReferences ?? []), ownerRefTo(owner, ownerKind)],
        },
      });
      mine.push(adopted);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return mine;
}

export async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A fresh GET says the owner is still the one we cached and is not going. */
export function freshOwner(client: KubeClient, kind: KindRef, owner: KubeObject) {
  return async () => {
    const fresh = await client.get(kind, owner.metadata?.namespace, owner.metadata!.name!);
    return !!fresh && fresh.metadata?.uid === owner.metadata?.uid && !fresh.metadata?.deletionTimestamp;
  };
}

/** Writes the status only when it differs (a sync that changes nothing writes nothing). */
export async function writeStatus(
  client: KubeClient,
  kind: KindRef,
  obj: KubeObject,
  next: Obj,
): Promise<KubeObject> {
  if (sameJson(obj.status ?? {}, next)) return obj;
  return client.updateStatus(kind, { ...obj, status: next });
}

/**
 * The shape of every controller: informer handlers add keys to one work queue, and `sync(key)`
 * reconciles the object with that key from the informers' caches.
 */
export abstract class Controller implements ClusterPart {
  abstract readonly name: string;
  protected env!: PartEnv;
  protected queue!: WorkQueue;

  protected get client(): KubeClient {
    return this.env.client;
  }

  protected get clock(): Clock {
    return this.env.clock;
  }

  async start(env: PartEnv): Promise<void> {
    this.env = env;
    this.queue = new WorkQueue(this.name, (key) => this.syncOrWait(key), { clock: env.clock, log: env.log });
    this.register();
    await env.informers.synced();
  }

  stop(): void {
    this.queue?.stop();
  }

  /** Resolves when the queue is empty and no sync runs (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  protected enqueue(obj: KubeObject): void {
    this.queue.add(keyOf(obj));
  }

  /**
   * A conflict means a newer version of what was written is on its way through an informer, whose
   * handler brings the key back: nothing to retry until then (a retry now would meet the same stale
   * cache).
   */
  private async syncOrWait(key: string): Promise<void> {
    try {
      await this.sync(key);
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.env.log.debug(`${this.name}: ${key} changed meanwhile; syncing on its next event`);
    }
  }

  /** Adds the informer handlers. */
  protected abstract register(): void;
  protected abstract sync(key: string): Promise<void>;
}
