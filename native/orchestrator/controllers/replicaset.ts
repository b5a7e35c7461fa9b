// The ReplicaSet controller: keeps spec.replicas pods from the template, adopting orphans its
// selector matches and releasing pods that stopped matching; deletes extra pods in Kubernetes'
// ranking; writes status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas with
// minReadySeconds, observedGeneration). Expectations keep it from making pods twice between its
// write and its informer seeing it; a pod that becomes available only after minReadySeconds brings
// its ReplicaSet back at that moment (a timer, not a poll).
import { copyJson, type KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import {
  asObj,
  Controller,
  claim,
  controllerRef,
  freshOwner,
  ignoreGone,
  int,
  isNamespaceTerminating,
  isPodActive,
  isPodAvailable,
  isPodReady,
  podReadySince,
  selects,
  spec,
  writeStatus,
} from './common.ts';
import { EventRecorder } from './events.ts';
import { Expectations } from './expectations.ts';
import { podsToDelete } from './pod-ranking.ts';

/** At most this many pods are made or deleted in one sync (kube-controller-manager's burstReplicas). */
const burstReplicas = 500;

export class ReplicaSetController extends Controller {
  readonly name = 'replicaset-controller';
  private expectations!: Expectations;
  private events!: EventRecorder;

  private get sets() {
    return this.env.informers.for(Kinds.ReplicaSet);
  }

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  protected register(): void {
    this.expectations = new Expectations(this.clock);
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.sets.on({
      add: (rs) => this.enqueue(rs),
      update: (rs) => this.enqueue(rs),
      delete: (rs) => {
        this.expectations.forget(keyOf(rs));
        this.enqueue(rs);
      },
    });
    this.pods.on({
      add: (pod) => {
        if (pod.metadata?.deletionTimestamp) return this.podGone(pod);
        const owner = this.ownerOf(pod);
        if (owner) {
          this.expectations.creationObserved(keyOf(owner));
          this.enqueue(owner);
        } else if (!controllerRef(pod)) for (const rs of this.matching(pod)) this.enqueue(rs);
      },
      update: (pod, old) => {
        if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.podGone(pod);
        const owner = this.ownerOf(pod);
        const oldOwner = this.ownerOf(old);
        if (oldOwner && oldOwner.metadata?.uid !== owner?.metadata?.uid) this.enqueue(oldOwner);
        if (owner) this.enqueue(owner);
        else if (!controllerRef(pod)) for (const rs of this.matching(pod)) this.enqueue(rs);
      },
      delete: (pod) => this.podGone(pod),
    });
  }

  private podGone(pod: KubeObject): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), keyOf(pod));
    this.enqueue(owner);
  }

  /** The ReplicaSet that controls the pod, if it is one we know (same uid). */
  private ownerOf(pod: KubeObject): KubeObject | undefined {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const rs = this.sets.get(pod.metadata?.namespace, ref.name);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  private matching(pod: KubeObject): KubeObject[] {
    return this.sets
      .list(pod.metadata?.namespace)
      .filter((rs) => selects(spec(rs).selector, pod.metadata?.labels));
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.sets.get(namespace, name);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata?.deletionTimestamp;
    const selector = spec(rs).selector;
    const candidates = this.pods.list(namespace).filter(isPodActive);
    const pods = await claim(
      this.client,
      Kinds.Pod,
      rs,
      Kinds.ReplicaSet,
      candidates,
      (p) => selects(selector, p.metadata?.labels),
      freshOwner(this.client, Kinds.ReplicaSet, rs),
    );
    let failure: unknown;
    if (needsSync) {
      try {
        await this.manage(key, rs, pods);
      } catch (err) {
        failure = err;
      }
    }
    const now = this.clock.now();
    const fresh = this.sets.get(namespace, name) ?? rs;
    if (fresh.metadata?.uid !== rs.metadata?.uid) return;
    await writeStatus(this.client, Kinds.ReplicaSet, fresh, this.status(rs, pods, now));
    this.wakeForAvailability(key, rs, pods, now);
    if (failure) throw failure;
  }

  private async manage(key: string, rs: KubeObject, pods: KubeObject[]): Promise<void> {
    const want = int(spec(rs).replicas, 1);
    const diff = pods.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, burstReplicas);
      this.expectations.expectCreations(key, n);
      // Slow start, as Kubernetes does: 1, 2, 4… so a template that cannot be created fails once.
      let made = 0;
      for (let batch = 1; made < n; batch *= 2) {
        const size = Math.min(batch, n - made);
        const results = await Promise.allSettled(
          Array.from({ length: size }, async () => {
            const pod = await this.client.create(Kinds.Pod, podFromTemplate(rs));
            this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
          }),
        );
        made += size;
        const failed = results.filter((r) => r.status === 'rejected');
        if (failed.length) {
          // What was not made will not be observed; nor will the batches never tried.
          for (let i = 0; i < failed.length + (n - made); i++) this.expectations.creationObserved(key);
          const err = (failed[0] as PromiseRejectedResult).reason;
          if (isNamespaceTerminating(err)) return;
          this.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      }
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, burstReplicas);
      const related = this.relatedPods(rs);
      const victims = podsToDelete(pods, related, n, this.clock.now());
      this.expectations.expectDeletions(key, victims.map(keyOf));
      const results = await Promise.allSettled(
        victims.map(async (p) => {
          await ignoreGone(
            this.client.delete(Kinds.Pod, p.metadata?.namespace, p.metadata!.name!, {
              preconditions: { uid: p.metadata?.uid },
            }),
          );
          this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
        }),
      );
      const failed = results.findIndex((r) => r.status === 'rejected');
      if (failed >= 0) {
        for (const [i, r] of results.entries())
          if (r.status === 'rejected') this.expectations.deletionObserved(key, keyOf(victims[i]));
        throw (results[failed] as PromiseRejectedResult).reason;
      }
    }
  }

  /** The pods of every ReplicaSet with the same controller (a Deployment's other revisions). */
  private relatedPods(rs: KubeObject): KubeObject[] {
    const owner = controllerRef(rs);
    const sets = owner
      ? this.sets.list(rs.metadata?.namespace).filter((s) => controllerRef(s)?.uid === owner.uid)
      : [rs];
    const uids = new Set(sets.map((s) => s.metadata?.uid));
    return this.pods
      .list(rs.metadata?.namespace)
      .filter((p) => isPodActive(p) && uids.has(controllerRef(p)?.uid));
  }

  private status(rs: KubeObject, pods: KubeObject[], now: number): Record<string, unknown> {
    const minReady = int(spec(rs).minReadySeconds);
    const templateLabels = asObj(asObj(spec(rs).template).metadata).labels as
      | Record<string, string>
      | undefined;
    const fullyLabeled = pods.filter((p) =>
      Object.entries(templateLabels ?? {}).every(([k, v]) => p.metadata?.labels?.[k] === v),
    ).length;
    const ready = pods.filter(isPodReady).length;
    const available = pods.filter((p) => isPodAvailable(p, minReady, now)).length;
    // Zero counts are left out, as the API's omitempty leaves them out; replicas is always there.
    const out: Record<string, unknown> = { replicas: pods.length };
    if (fullyLabeled) out.fullyLabeledReplicas = fullyLabeled;
    if (ready) out.readyReplicas = ready;
    if (available) out.availableReplicas = available;
    if (rs.metadata?.generation !== undefined) out.observedGeneration = rs.metadata.generation;
    const failure = (rs.status?.conditions as unknown[] | undefined)?.filter(
      (c) => (c as { type?: string }).type === 'ReplicaFailure',
    );
    if (failure?.length) out.conditions = failure;
    return out;
  }

  /** A ready pod that is not yet available becomes so after minReadySeconds: sync again then. */
  private wakeForAvailability(key: string, rs: KubeObject, pods: KubeObject[], now: number): void {
    const minReady = int(spec(rs).minReadySeconds);
    if (minReady <= 0) return;
    let soonest = Number.POSITIVE_INFINITY;
    for (const p of pods) {
      const since = podReadySince(p);
      if (since === undefined) continue;
      const at = since + minReady * 1000;
      if (at > now) soonest = Math.min(soonest, at);
    }
    if (soonest !== Number.POSITIVE_INFINITY) this.queue.addAfter(key, soonest - now);
  }
}

/** A pod of the ReplicaSet's template: its labels, annotations and spec, owned by the ReplicaSet. */
export function podFromTemplate(rs: KubeObject): KubeObject {
  const template = asObj(spec(rs).template);
  const meta = asObj(template.metadata);
  return {
    metadata: {
      generateName: `${rs.metadata?.name}-`,
      namespace: rs.metadata?.namespace,
      labels: { ...(meta.labels as Record<string, string>) },
      ...(meta.annotations ? { annotations: { ...(meta.annotations as Record<string, string>) } } : {}),
      ...(meta.finalizers ? { finalizers: [...(meta.finalizers as string[])] } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata!.name!,
          uid: rs.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: copyJson(asObj(template.spec)),
  };
}
