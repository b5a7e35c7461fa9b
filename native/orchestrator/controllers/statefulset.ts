// The StatefulSet controller: pods with a stable identity — `<set>-<ordinal>`, hostname the pod's name
// and subdomain the set's governing Service (so `web-0.web.<ns>.svc.cluster.local` resolves through
// the headless Service's endpoints), and a claim per volumeClaimTemplate per ordinal
// (`<template>-<set>-<ordinal>`) that outlives the pod. OrderedReady (the default) makes pods one at a
// time in ordinal order, each once the ones before it are Running and Ready, and removes them from the
// highest down; Parallel makes and removes them all at once. RollingUpdate replaces pods of an old
// revision from the highest ordinal down (those at or above the partition), one at a time once the
// rest are Ready; OnDelete leaves that to the user. Each template is a ControllerRevision (history.ts)
// whose name the pods carry as controller-revision-hash; status carries the counts and the current
// and update revisions that `kubectl rollout status|history|undo statefulset/…` read.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { splitKey } from '../client/informer.ts';
import {
  asList,
  asObj,
  Controller,
  controllerRef,
  ignoreGone,
  int,
  isNamespaceTerminating,
  isPodReady,
  type Obj,
  ownerRefTo,
  queueOwner,
  spec,
  writeStatus,
} from './common.ts';
import { EventRecorder } from './events.ts';
import {
  ownedRevisions,
  pruneRevisions,
  revisionHashLabel as revisionLabel,
  syncRevision,
} from './history.ts';

const podNameLabel = 'statefulset.kubernetes.io/pod-name';
const podIndexLabel = 'apps.kubernetes.io/pod-index';

const ordinalOf = (set: KubeObject, pod: KubeObject): number | undefined => {
  const prefix = `${set.metadata?.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const n = Number(name.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 && String(n) === name.slice(prefix.length) ? n : undefined;
};

const isRunningAndReady = (pod: KubeObject) =>
  asObj(pod.status).phase === 'Running' && isPodReady(pod) && !pod.metadata?.deletionTimestamp;

export class StatefulSetController extends Controller {
  readonly name = 'statefulset-controller';
  private events!: EventRecorder;

  private get sets() {
    return this.env.informers.for(Kinds.StatefulSet);
  }

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  private get claims() {
    return this.env.informers.for(Kinds.PersistentVolumeClaim);
  }

  private get revisions() {
    return this.env.informers.for(Kinds.ControllerRevision);
  }

  protected register(): void {
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.sets.on({
      add: (s) => this.enqueue(s),
      update: (s) => this.enqueue(s),
      delete: (s) => this.enqueue(s),
    });
    const owner = queueOwner(this.queue, 'StatefulSet');
    this.pods.on({ add: owner, update: owner, delete: owner });
    this.revisions.on({ add: owner, update: owner, delete: owner });
    // Claims are read from their informer (started here with the others).
    void this.claims;
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const s = spec(set);
    const replicas = int(s.replicas, 1);
    const parallel = s.podManagementPolicy === 'Parallel';
    const strategy = asObj(s.updateStrategy);
    const rolling = strategy.type !== 'OnDelete';
    const partition = int(asObj(strategy.rollingUpdate).partition, 0);
    const revisions = ownedRevisions(this.revisions.list(namespace), set);
    const history = await syncRevision(this.client, set, Kinds.StatefulSet, revisions);
    if (!history) return;
    const revision = history.revision.metadata!.name!;
    const pods = this.pods
      .list(namespace)
      .filter((p) => controllerRef(p)?.uid === set.metadata?.uid && ordinalOf(set, p) !== undefined);
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(set, p)!, p]));

    try {
      // Make what is missing, lowest ordinal first.
      for (let i = 0; i < replicas; i++) {
        const pod = byOrdinal.get(i);
        if (pod) {
          // A failed pod is replaced (as the real controller does), a finished one kept.
          if (asObj(pod.status).phase === 'Failed' && !pod.metadata?.deletionTimestamp) {
            await ignoreGone(this.client.delete(Kinds.Pod, namespace, pod.metadata!.name!));
            if (!parallel) break;
          }
          if (!parallel && !isRunningAndReady(pod)) break;
          continue;
        }
        await this.ensureClaims(set, i);
        await this.client.create(Kinds.Pod, this.podFor(set, i, revision));
        this.events.record(
          set,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${name}-${i} in StatefulSet ${name} successful`,
        );
        if (!parallel) break;
      }
      // Remove what is beyond the replicas, highest first; one at a time unless Parallel.
      const extra = [...byOrdinal.entries()].filter(([i]) => i >= replicas).sort(([a], [b]) => b - a);
      for (const [, pod] of extra) {
        if (pod.metadata?.deletionTimestamp) {
          if (!parallel) break;
          continue;
        }
        await ignoreGone(this.client.delete(Kinds.Pod, namespace, pod.metadata!.name!));
        this.events.record(
          set,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${pod.metadata?.name} in StatefulSet ${name} successful`,
        );
        if (!parallel) break;
      }
      // Roll: the highest ordinal of an old revision (at or above the partition) goes once all are ready.
      const inRange = [...byOrdinal.entries()].filter(([i]) => i < replicas);
      const allReady = inRange.length === replicas && inRange.every(([, p]) => isRunningAndReady(p));
      if (rolling && allReady) {
        const stale = inRange
          .filter(([i, p]) => i >= partition && p.metadata?.labels?.[revisionLabel] !== revision)
          .sort(([a], [b]) => b - a)[0];
        if (stale) {
          await ignoreGone(this.client.delete(Kinds.Pod, namespace, stale[1].metadata!.name!));
          this.events.record(
            set,
            'Normal',
            'SuccessfulDelete',
            `delete Pod ${stale[1].metadata?.name} in StatefulSet ${name} successful`,
          );
        }
      }
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      throw err;
    }

    const live = [...byOrdinal.values()].filter((p) => !p.metadata?.deletionTimestamp);
    const updated = live.filter((p) => p.metadata?.labels?.[revisionLabel] === revision).length;
    const ready = live.filter(isPodReady).length;
    const prior = asObj(set.status);
    const done = updated === replicas && ready === replicas && live.length === replicas;
    const currentRevision = done || !prior.currentRevision ? revision : String(prior.currentRevision);
    await writeStatus(this.client, Kinds.StatefulSet, set, {
      observedGeneration: set.metadata?.generation,
      replicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: currentRevision === revision ? updated : live.length - updated,
      updatedReplicas: updated,
      currentRevision,
      updateRevision: revision,
      collisionCount: history.collisionCount,
    });
    const inUse = new Set([
      currentRevision,
      revision,
      ...pods.map((p) => p.metadata?.labels?.[revisionLabel]),
    ]);
    await pruneRevisions(this.client, set, revisions, (r) => inUse.has(r.metadata?.name ?? ''));
  }

  /** The claims of an ordinal's volumeClaimTemplates, made when missing (they stay when the pod goes). */
  private async ensureClaims(set: KubeObject, ordinal: number): Promise<void> {
    const ns = set.metadata?.namespace;
    for (const tmpl of asList(spec(set).volumeClaimTemplates)) {
      const meta = asObj(tmpl.metadata);
      const claimName = `${meta.name}-${set.metadata?.name}-${ordinal}`;
      if (
        this.claims.get(ns, claimName) ||
        (await this.client.get(Kinds.PersistentVolumeClaim, ns, claimName))
      )
        continue;
      const labels = {
        ...(asObj(asObj(spec(set).selector).matchLabels) as Record<string, string>),
        ...(meta.labels as Record<string, string>),
      };
      try {
        await this.client.create(Kinds.PersistentVolumeClaim, {
          metadata: { name: claimName, namespace: ns, labels },
          spec: structuredClone(asObj(tmpl.spec)),
        });
      } catch (err) {
        if (!(err instanceof Error && /already exists/.test(err.message))) throw err;
      }
    }
  }

  private podFor(set: KubeObject, ordinal: number, revision: string): KubeObject {
    const template = asObj(spec(set).template);
    const meta = asObj(template.metadata);
    const name = `${set.metadata?.name}-${ordinal}`;
    const podSpec = structuredClone(asObj(template.spec)) as Obj;
    podSpec.hostname = name;
    if (spec(set).serviceName) podSpec.subdomain = spec(set).serviceName;
    const claims = asList(spec(set).volumeClaimTemplates).map((t) => String(asObj(t.metadata).name));
    if (claims.length)
      podSpec.volumes = [
        ...asList(podSpec.volumes).filter((v) => !claims.includes(String(v.name))),
        ...claims.map((c) => ({
          name: c,
          persistentVolumeClaim: { claimName: `${c}-${set.metadata?.name}-${ordinal}` },
        })),
      ];
    return {
      metadata: {
        name,
        namespace: set.metadata?.namespace,
        labels: {
          ...(meta.labels as Record<string, string>),
          [revisionLabel]: revision,
          [podNameLabel]: name,
          [podIndexLabel]: String(ordinal),
        },
        ...(meta.annotations ? { annotations: { ...(meta.annotations as Record<string, string>) } } : {}),
        ownerReferences: [ownerRefTo(set, Kinds.StatefulSet)],
      },
      spec: podSpec,
    };
  }
}
