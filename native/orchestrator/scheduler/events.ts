// Events about pods, as kube-scheduler's events.k8s.io recorder writes them (eventTime, action,
// reportingController/Instance, a series when the same thing happens again) and with the core/v1
// fields older readers use (source.component, count, first/lastTimestamp), so `kubectl describe pod`
// shows "Warning FailedScheduling 3s (x2 over 10s) default-scheduler 0/1 nodes are available: …"
// and `kubectl get events` the same. A repeat of the same event for the same object updates the one
// it made instead of adding another.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { iso } from '../apiserver/rest/write.ts';
import { ApiError } from '../apiserver/status.ts';
import { Kinds, type KubeClient } from '../client/client.ts';
import { EventNames } from '../client/event-names.ts';

export interface EventSource {
  /** source.component and reportingController: `default-scheduler`. */
  component: string;
  /** reportingInstance: `default-scheduler-<host>`. */
  instance: string;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Events remembered for repeats; older ones are forgotten first. */
const maxRemembered = 4096;

export class EventRecorder {
  private readonly made = new Map<string, KubeObject>();
  private readonly names = new EventNames();

  constructor(
    private readonly client: KubeClient,
    private readonly source: EventSource,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Records an event about `regarding`; failures are logged, never thrown (an event is advisory). */
  async record(
    regarding: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    message: string,
  ): Promise<void> {
    const meta = regarding.metadata ?? {};
    const id = [meta.uid, type, reason, action, message].join('\u0000');
    const now = this.clock.now();
    try {
      const seen = this.made.get(id);
      if (seen) {
        const count = Number(seen.count ?? 1) + 1;
        const updated = await this.client.update(Kinds.Event, {
          ...seen,
          count,
          lastTimestamp: iso(now),
          series: { count, lastObservedTime: microTime(now) },
        });
        this.remember(id, updated);
        return;
      }
      const made = await this.client.create(Kinds.Event, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: this.names.next(meta.name, now),
          namespace: meta.namespace ?? 'default',
        },
        involvedObject: {
          apiVersion: regarding.apiVersion ?? 'v1',
          kind: regarding.kind ?? 'Pod',
          namespace: meta.namespace,
          name: meta.name,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        reason,
        message,
        type,
        action,
        source: { component: this.source.component },
        reportingComponent: this.source.component,
        reportingInstance: this.source.instance,
        eventTime: microTime(now),
        firstTimestamp: iso(now),
        lastTimestamp: iso(now),
        count: 1,
      });
      this.remember(id, made);
    } catch (err) {
      // The event (or its namespace) went meanwhile: the next repeat makes a new one.
      if (err instanceof ApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))
        this.made.delete(id);
      this.log.warn('cannot record an event', {
        reason,
        object: `${meta.namespace}/${meta.name}`,
        error: String(err),
      });
    }
  }

  /** Forgets the events about an object that is gone. */
  forget(uid: string | undefined): void {
    if (!uid) return;
    for (const id of this.made.keys()) if (id.startsWith(`${uid}\u0000`)) this.made.delete(id);
  }

  private remember(id: string, event: KubeObject): void {
    this.made.delete(id);
    this.made.set(id, event);
    if (this.made.size > maxRemembered) this.made.delete(this.made.keys().next().value!);
  }
}
