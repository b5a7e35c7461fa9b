// The TTL-after-finished controller: a Job with spec.ttlSecondsAfterFinished is deleted that many
// seconds after it finished (its Complete or Failed condition's time), with its pods (Foreground
// propagation), as kube-controller-manager's ttl-after-finished controller does. A Job not yet due is
// looked at again when it is (the work queue's addAfter), so waiting Jobs cost nothing meanwhile; the
// delete is conditional on the version read, so a Job changed meanwhile (a new TTL) is judged again.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { splitKey } from '../client/informer.ts';
import { asList, Controller, ignoreGone, spec, status } from './common.ts';

/** When the Job finished (ms), from its Complete or Failed condition; undefined while it runs. */
export function finishedAt(job: KubeObject): number | undefined {
  const done = asList(status(job).conditions).find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!done) return undefined;
  const t = Date.parse(String(done.lastTransitionTime ?? status(job).completionTime ?? ''));
  return Number.isNaN(t) ? undefined : t;
}

/** When the Job is due for deletion (ms); undefined when it has no TTL, has not finished or is going. */
export function expiresAt(job: KubeObject): number | undefined {
  const ttl = spec(job).ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata?.deletionTimestamp) return undefined;
  const finished = finishedAt(job);
  return finished === undefined ? undefined : finished + ttl * 1000;
}

export class TtlAfterFinishedController extends Controller {
  readonly name = 'ttl-after-finished-controller';

  private get jobs() {
    return this.env.informers.for(Kinds.Job);
  }

  protected register(): void {
    const look = (job: KubeObject) => {
      if (expiresAt(job) !== undefined) this.enqueue(job);
    };
    this.jobs.on({ add: look, update: look });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.get(namespace, name);
    if (!cached || expiresAt(cached) === undefined) return;
    // The cache may be behind: the Job as stored decides.
    const job = await this.client.get(Kinds.Job, namespace, name);
    const due = job && expiresAt(job);
    if (!job || due === undefined) return;
    const now = this.clock.now();
    if (due > now) {
      this.queue.addAfter(key, due - now);
      return;
    }
    await ignoreGone(
      this.client.delete(Kinds.Job, namespace, name, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata?.uid, resourceVersion: job.metadata?.resourceVersion },
      }),
    );
  }
}
