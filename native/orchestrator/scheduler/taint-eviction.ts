// Taint eviction (kube-controller-manager's taint-eviction-controller): a pod on a node with a
// NoExecute taint it does not tolerate is deleted at once; one that tolerates every such taint for a
// while (tolerationSeconds) is deleted when the shortest of those runs out, counted from when the
// eviction was first planned; a pod that tolerates them for ever stays, and a planned eviction is
// cancelled when the taint goes or the pod changes its mind. The due time is a WorkQueue.addAfter on
// the Clock seam. Before deleting, the pod gets the DisruptionTarget condition, and events say what
// was planned or cancelled, as the real controller's do.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { type Informer, keyOf, splitKey } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { disruptPod } from './disrupt.ts';
import { EventRecorder } from './events.ts';
import { nodeTaints, podTolerations, type Taint, type Toleration, tolerates } from './matching.ts';
import { asObj } from './resources.ts';

export const controllerName = 'taint-eviction-controller';

/**
 * What the NoExecute taints mean for a pod: 'now' (one it does not tolerate), a number of ms it may
 * stay, or 'never' (no NoExecute taint, or tolerated for ever).
 */
export function evictionDelay(taints: Taint[], tolerations: Toleration[]): 'now' | 'never' | number {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return 'never';
  let min = Number.POSITIVE_INFINITY;
  for (const taint of noExecute) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (!used.length) return 'now';
    for (const t of used)
      if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null)
        min = Math.min(min, Math.max(0, Number(t.tolerationSeconds)) * 1000);
  }
  return min === Number.POSITIVE_INFINITY ? 'never' : min;
}

const active = (pod: KubeObject) =>
  !!asObj(pod.spec).nodeName &&
  !pod.metadata?.deletionTimestamp &&
  !['Succeeded', 'Failed'].includes(String(asObj(pod.status).phase));

export class TaintEviction implements ClusterPart {
  readonly name = controllerName;
  private env!: PartEnv;
  private pods!: Informer;
  private nodes!: Informer;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  /** Pods with an eviction planned: when it was first planned. */
  private readonly planned = new Map<string, number>();
  private synced!: Promise<unknown>;

  start(env: PartEnv): void {
    this.env = env;
    this.pods = env.informers.for(Kinds.Pod);
    this.nodes = env.informers.for(Kinds.Node);
    this.recorder = new EventRecorder(
      env.client,
      { component: controllerName, instance: '' },
      env.clock,
      env.log,
    );
    this.queue = new WorkQueue(controllerName, (key) => this.reconcile(key), {
      clock: env.clock,
      log: env.log,
    });
    this.synced = Promise.all([this.pods.synced, this.nodes.synced]);
    const nodeChanged = (node: KubeObject) => {
      for (const pod of this.pods.list())
        if (asObj(pod.spec).nodeName === node.metadata?.name) this.queue.add(keyOf(pod));
    };
    this.nodes.on({
      add: nodeChanged,
      update: (node, old) => {
        if (JSON.stringify(asObj(node.spec).taints ?? []) !== JSON.stringify(asObj(old.spec).taints ?? []))
          nodeChanged(node);
      },
    });
    this.pods.on({
      add: (pod) => this.queue.add(keyOf(pod)),
      update: (pod, old) => {
        const spec = asObj(pod.spec);
        const before = asObj(old.spec);
        if (
          spec.nodeName !== before.nodeName ||
          JSON.stringify(spec.tolerations ?? []) !== JSON.stringify(before.tolerations ?? []) ||
          !!pod.metadata?.deletionTimestamp !== !!old.metadata?.deletionTimestamp
        )
          this.queue.add(keyOf(pod));
      },
      delete: (pod) => this.planned.delete(keyOf(pod)),
    });
  }

  stop(): void {
    this.queue?.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async reconcile(key: string): Promise<void> {
    // Both caches first, so a pod is never judged against a node not listed yet.
    await this.synced;
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !active(pod)) {
      this.planned.delete(key);
      return;
    }
    const node = this.nodes.get(undefined, String(asObj(pod.spec).nodeName));
    const delay = node ? evictionDelay(nodeTaints(node), podTolerations(pod)) : 'never';
    const now = this.env.clock.now();
    if (delay === 'never') {
      if (this.planned.delete(key))
        await this.recorder.record(
          pod,
          'Normal',
          'TaintManagerEviction',
          'Eviction',
          `Cancelling deletion of Pod ${key}`,
        );
      return;
    }
    let start = this.planned.get(key);
    if (start === undefined) {
      start = now;
      this.planned.set(key, start);
    }
    const due = delay === 'now' ? now : start + delay;
    if (due > now) {
      this.queue.addAfter(key, due - now);
      return;
    }
    await this.recorder.record(
      pod,
      'Normal',
      'TaintManagerEviction',
      'Eviction',
      `Marking for deletion Pod ${key}`,
    );
    await this.evict(pod);
    this.planned.delete(key);
  }

  /** The DisruptionTarget condition, then the delete (with the pod's own grace period). */
  private evict(pod: KubeObject): Promise<void> {
    return disruptPod(
      this.env.client,
      this.env.clock,
      pod,
      'DeletionByTaintManager',
      'Taint manager: deleting due to NoExecute taint',
    );
  }
}
