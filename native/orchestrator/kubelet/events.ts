// The kubelet's Events about pods (and its Node), as `kubectl describe` lists them: one Event object per
// (pod, reason, message), its count and lastTimestamp bumped when the same thing happens again (a
// real kubelet's recorder aggregates the same way, so a crash loop is one BackOff line, `x12`).
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds, type KubeClient } from '../client/client.ts';
import { EventNames } from '../client/event-names.ts';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export class EventRecorder implements Recorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private chain: Promise<void> = Promise.resolve();
  private readonly names = new EventNames();

  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly nodeName: string,
  ) {}

  /** Written in order, in the background: a slow store never holds a pod's sync. */
  event(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    this.chain = this.chain
      .then(() => this.write(pod, type, reason, message, fieldPath))
      .catch((err) => this.log.debug('cannot record an event', { reason, error: String(err) }));
  }

  /** Resolves once every event so far is written (tests). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string) {
    const meta = pod.metadata ?? {};
    // The kubelet's reference to its Node: the node's name for a UID, its events in `default`.
    const node = pod.kind === 'Node';
    const namespace = node ? 'default' : String(meta.namespace ?? 'default');
    const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${meta.uid}\0${fieldPath ?? ''}\0${reason}\0${message}`;
    const prior = this.seen.get(key);
    if (prior) {
      const old = await this.client.get(Kinds.Event, prior.namespace, prior.name);
      if (old) {
        prior.count++;
        await this.client.update(Kinds.Event, { ...old, count: prior.count, lastTimestamp: now });
        return;
      }
    }
    const name = this.names.next(meta.name, this.clock.now());
    await this.client.create(Kinds.Event, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: node
        ? { kind: 'Node', name: meta.name, uid: meta.name }
        : {
            kind: 'Pod',
            apiVersion: 'v1',
            namespace,
            name: meta.name,
            uid: meta.uid,
            resourceVersion: meta.resourceVersion,
            ...(fieldPath ? { fieldPath } : {}),
          },
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.nodeName },
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.seen.set(key, { name, namespace, count: 1 });
    if (this.seen.size > 5000) this.seen.delete(this.seen.keys().next().value as string);
  }
}
