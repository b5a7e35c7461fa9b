// Events the controllers leave on the objects they act on (ScalingReplicaSet, SuccessfulCreate…), as
// core/v1 Events the way client-go's recorder writes them, so `kubectl describe` and `kubectl get
// events` read as on a real cluster. Recording never fails a sync: an event that cannot be written
// is dropped, as the real recorder drops it.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds, type KubeClient } from '../client/client.ts';
import { iso } from './common.ts';

export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly component: string,
  ) {}

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    const now = iso(this.clock.now());
    const event: KubeObject = {
      metadata: {
        // client-go names an event <object>.<hex of the time>; random hex keeps two apart here.
        name: `${meta.name}.${randomBytes(8).toString('hex')}`,
        namespace: meta.namespace ?? 'default',
      },
      involvedObject: {
        kind: obj.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: '',
    };
    this.client.create(Kinds.Event, event).catch(() => {});
  }
}
