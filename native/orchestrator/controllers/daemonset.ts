// The DaemonSet controller: one pod of the template on every node it fits — the template's
// nodeSelector and required node affinity match the node and every NoSchedule/NoExecute taint is
// tolerated; a daemon already there stays through a NoSchedule taint and goes with a NoExecute one
// (daemonPlacement). Each pod is pinned to its node with required node affinity on metadata.name, as
// the real controller pins them (the scheduler then binds it there). DaemonSet pods get the
// tolerations the real controller adds (not-ready, unreachable, disk/memory/pid pressure,
// unschedulable), so a cordoned node keeps its daemons. RollingUpdate replaces pods of an old
// template up to maxUnavailable at a time; OnDelete leaves that to the user. Each template is a
// ControllerRevision (history.ts) whose hash the pods carry as controller-revision-hash, for
// `kubectl rollout history|undo daemonset/…`. Status: desired, current, ready, available, updated and
// misscheduled counts.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { splitKey } from '../client/informer.ts';
import {
  firstUntolerated,
  nodeTaints,
  podMatchesNodeSelectorAndAffinity,
  podTolerations,
  type Toleration,
} from '../scheduler/matching.ts';
import {
  asList,
  asObj,
  Controller,
  controllerRef,
  ignoreGone,
  isNamespaceTerminating,
  isPodReady,
  type Obj,
  ownerRefTo,
  queueOwner,
  spec,
  writeStatus,
} from './common.ts';
import { scaled } from './deployment-util.ts';
import { EventRecorder } from './events.ts';
import {
  revisionHashLabel as generationLabel,
  ownedRevisions,
  pruneRevisions,
  revisionHash,
  syncRevision,
} from './history.ts';

/** The tolerations the DaemonSet controller adds to its pods. */
const daemonTolerations: Obj[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * Where the template's daemons go, as the real controller decides it: `shouldRun` when the node
 * matches the template's nodeSelector and required node affinity and every NoSchedule/NoExecute
 * taint is tolerated (the template's tolerations and every daemon's); `shouldContinueRunning`, for a
 * daemon already there, unless the node no longer matches or has a NoExecute taint it does not
 * tolerate. A NoSchedule taint keeps new daemons off and leaves the running one be.
 */
export function daemonPlacement(
  template: Obj,
  node: KubeObject,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const pod = { spec: asObj(template.spec) } as KubeObject;
  if (!podMatchesNodeSelectorAndAffinity(pod, node))
    return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = [...podTolerations(pod), ...(daemonTolerations as unknown as Toleration[])];
  const taints = nodeTaints(node);
  const untolerated = firstUntolerated(
    taints,
    tolerations,
    (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  if (!untolerated) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = firstUntolerated(taints, tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

const pinnedNode = (pod: KubeObject): string | undefined => {
  const terms = asList(
    asObj(asObj(asObj(asObj(pod.spec).affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution)
      .nodeSelectorTerms,
  );
  const field = asList(terms[0]?.matchFields).find((f) => f.key === 'metadata.name');
  return (field?.values as string[] | undefined)?.[0] ?? ((asObj(pod.spec).nodeName as string) || undefined);
};

export class DaemonSetController extends Controller {
  readonly name = 'daemonset-controller';
  private events!: EventRecorder;

  private get sets() {
    return this.env.informers.for(Kinds.DaemonSet);
  }

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  private get nodes() {
    return this.env.informers.for(Kinds.Node);
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
    const owner = queueOwner(this.queue, 'DaemonSet');
    this.pods.on({ add: owner, update: owner, delete: owner });
    this.revisions.on({ add: owner, update: owner, delete: owner });
    // A node that comes, goes or changes labels and taints may change where daemons belong.
    const all = () => {
      for (const s of this.sets.list()) this.enqueue(s);
    };
    this.nodes.on({
      add: all,
      delete: all,
      update: (n, old) => {
        if (
          JSON.stringify([n.metadata?.labels, spec(n).taints]) !==
          JSON.stringify([old.metadata?.labels, spec(old).taints])
        )
          all();
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const template = asObj(spec(set).template);
    const revisions = ownedRevisions(this.revisions.list(namespace), set);
    const history = await syncRevision(this.client, set, Kinds.DaemonSet, revisions);
    if (!history) return;
    const hash = revisionHash(history.revision);
    const pods = this.pods
      .list(namespace)
      .filter((p) => controllerRef(p)?.uid === set.metadata?.uid && !p.metadata?.deletionTimestamp);
    const nodes = this.nodes.list();
    const placements = nodes.map((n) => ({ name: n.metadata!.name!, ...daemonPlacement(template, n) }));
    const wanted = placements.filter((p) => p.shouldRun).map((p) => p.name);
    const kept = new Set(placements.filter((p) => p.shouldContinueRunning).map((p) => p.name));
    const strategy = asObj(spec(set).updateStrategy);
    const maxUnavailable = Math.max(
      1,
      scaled(asObj(strategy.rollingUpdate).maxUnavailable ?? 1, wanted.length, true),
    );
    try {
      for (const node of wanted) {
        if (pods.some((p) => pinnedNode(p) === node)) continue;
        const made = await this.client.create(Kinds.Pod, this.podFor(set, node, hash));
        this.events.record(set, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata?.name}`);
      }
      // Daemons on nodes they no longer fit go (gone nodes, changed labels, NoExecute taints).
      for (const pod of pods.filter((p) => !kept.has(pinnedNode(p) ?? ''))) {
        await ignoreGone(this.client.delete(Kinds.Pod, namespace, pod.metadata!.name!));
        this.events.record(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      }
      if (strategy.type !== 'OnDelete') {
        const unavailable = pods.filter((p) => !isPodReady(p)).length;
        const stale = pods.filter((p) => p.metadata?.labels?.[generationLabel] !== hash);
        for (const pod of stale.slice(0, Math.max(0, maxUnavailable - unavailable))) {
          await ignoreGone(this.client.delete(Kinds.Pod, namespace, pod.metadata!.name!));
          this.events.record(set, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        }
      }
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      throw err;
    }
    const onWanted = pods.filter((p) => wanted.includes(pinnedNode(p) ?? ''));
    const ready = onWanted.filter(isPodReady).length;
    await writeStatus(this.client, Kinds.DaemonSet, set, {
      observedGeneration: set.metadata?.generation,
      desiredNumberScheduled: wanted.length,
      currentNumberScheduled: onWanted.length,
      numberMisscheduled: pods.length - onWanted.length,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, wanted.length - ready),
      updatedNumberScheduled: onWanted.filter((p) => p.metadata?.labels?.[generationLabel] === hash).length,
      ...(history.collisionCount ? { collisionCount: history.collisionCount } : {}),
    });
    const inUse = new Set([hash, ...pods.map((p) => p.metadata?.labels?.[generationLabel])]);
    await pruneRevisions(this.client, set, revisions, (r) => inUse.has(revisionHash(r)));
  }

  private podFor(set: KubeObject, node: string, hash: string): KubeObject {
    const template = asObj(spec(set).template);
    const meta = asObj(template.metadata);
    const podSpec = structuredClone(asObj(template.spec)) as Obj;
    const affinity = asObj(podSpec.affinity);
    podSpec.affinity = {
      ...affinity,
      nodeAffinity: {
        ...asObj(affinity.nodeAffinity),
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
        },
      },
    };
    const own = asList(podSpec.tolerations);
    podSpec.tolerations = [...own, ...daemonTolerations.filter((t) => !own.some((o) => o.key === t.key))];
    return {
      metadata: {
        generateName: `${set.metadata?.name}-`,
        namespace: set.metadata?.namespace,
        labels: {
          ...(meta.labels as Record<string, string>),
          [generationLabel]: hash,
          'pod-template-generation': String(set.metadata?.generation ?? 1),
        },
        ...(meta.annotations ? { annotations: { ...(meta.annotations as Record<string, string>) } } : {}),
        ownerReferences: [ownerRefTo(set, Kinds.DaemonSet)],
      },
      spec: podSpec,
    };
  }
}
