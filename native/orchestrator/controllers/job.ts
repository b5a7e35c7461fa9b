// The Job controller (non-indexed Jobs): runs up to `parallelism` pods at a time until `completions`
// of them succeeded (without completions: until one succeeded and none is active), counts failures
// against backoffLimit, stops at activeDeadlineSeconds, and writes the status `kubectl get jobs` and
// `kubectl wait --for=condition=complete` read: startTime, active, ready, succeeded, failed,
// completionTime and the Complete or Failed condition. Pods carry the template's labels (job-name,
// controller-uid, as the API server defaulted them) and are owned by the Job.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import {
  asList,
  asObj,
  Controller,
  claim,
  controllerRef,
  freshOwner,
  ignoreGone,
  int,
  isNamespaceTerminating,
  iso,
  isPodReady,
  ownerRefTo,
  selects,
  spec,
  status,
  writeStatus,
} from './common.ts';
import { EventRecorder } from './events.ts';
import { Expectations } from './expectations.ts';

const finished = (job: KubeObject) =>
  asList(status(job).conditions).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

export class JobController extends Controller {
  readonly name = 'job-controller';
  private expectations!: Expectations;
  private events!: EventRecorder;

  private get jobs() {
    return this.env.informers.for(Kinds.Job);
  }

  private get pods() {
    return this.env.informers.for(Kinds.Pod);
  }

  protected register(): void {
    this.expectations = new Expectations(this.clock);
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.jobs.on({
      add: (j) => this.enqueue(j),
      update: (j) => this.enqueue(j),
      delete: (j) => this.expectations.forget(keyOf(j)),
    });
    const owner = (pod: KubeObject) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'Job') return undefined;
      const job = this.jobs.get(pod.metadata?.namespace, ref.name);
      return job?.metadata?.uid === ref.uid ? job : undefined;
    };
    this.pods.on({
      add: (pod) => {
        const job = owner(pod);
        if (!job) return;
        this.expectations.creationObserved(keyOf(job));
        this.enqueue(job);
      },
      update: (pod) => {
        const job = owner(pod);
        if (job) this.enqueue(job);
      },
      delete: (pod) => {
        const job = owner(pod);
        if (!job) return;
        this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        this.enqueue(job);
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const job = this.jobs.get(namespace, name);
    if (!job || job.metadata?.deletionTimestamp || finished(job)) return;
    const pods = await claim(
      this.client,
      Kinds.Pod,
      job,
      Kinds.Job,
      this.pods.list(namespace),
      (p) => selects(spec(job).selector, p.metadata?.labels),
      freshOwner(this.client, Kinds.Job, job),
    );
    const now = this.clock.now();
    const old = status(job);
    const active = pods.filter(
      (p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(String(status(p).phase)),
    );
    const succeeded = Math.max(
      int(old.succeeded),
      pods.filter((p) => status(p).phase === 'Succeeded').length,
    );
    const failed = Math.max(int(old.failed), pods.filter((p) => status(p).phase === 'Failed').length);
    const completions = spec(job).completions as number | undefined;
    const parallelism = int(spec(job).parallelism, 1);
    const startTime = (old.startTime as string | undefined) ?? iso(now);
    const deadline = spec(job).activeDeadlineSeconds as number | undefined;

    let outcome: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    if (failed > int(spec(job).backoffLimit, 6))
      outcome = {
        type: 'Failed',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    else if (deadline !== undefined && Date.parse(startTime) + deadline * 1000 <= now)
      outcome = {
        type: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    else if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0)
      outcome = {
        type: 'Complete',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      };

    let nowActive = active;
    if (outcome) {
      for (const p of active) await ignoreGone(this.client.delete(Kinds.Pod, namespace, p.metadata!.name!));
      nowActive = [];
    } else if (this.expectations.satisfied(key)) {
      const want = spec(job).suspend
        ? 0
        : completions !== undefined
          ? Math.min(parallelism, completions - succeeded)
          : succeeded > 0
            ? 0
            : parallelism;
      nowActive = await this.manage(key, job, active, want);
    }

    const next: Record<string, unknown> = { ...old, startTime, active: nowActive.length };
    next.ready = nowActive.filter(isPodReady).length;
    next.terminating = pods.filter((p) => p.metadata?.deletionTimestamp).length;
    if (succeeded) next.succeeded = succeeded;
    if (failed) next.failed = failed;
    if (!nowActive.length) delete next.active;
    if (outcome) {
      const t = iso(now);
      next.conditions = [
        ...asList(old.conditions),
        {
          type: outcome.type,
          status: 'True',
          lastProbeTime: t,
          lastTransitionTime: t,
          reason: outcome.reason,
          message: outcome.message,
        },
      ];
      if (outcome.type === 'Complete') next.completionTime = t;
      this.events.record(
        job,
        outcome.type === 'Complete' ? 'Normal' : 'Warning',
        outcome.type === 'Complete' ? 'Completed' : outcome.reason,
        outcome.type === 'Complete' ? 'Job completed' : outcome.message,
      );
    } else if (deadline !== undefined) {
      this.queue.addAfter(key, Date.parse(startTime) + deadline * 1000 - now);
    }
    await writeStatus(this.client, Kinds.Job, job, next);
  }

  private async manage(
    key: string,
    job: KubeObject,
    active: KubeObject[],
    want: number,
  ): Promise<KubeObject[]> {
    if (active.length > want) {
      const extra = active.slice(want);
      this.expectations.expectDeletions(key, extra.map(keyOf));
      for (const p of extra)
        await ignoreGone(this.client.delete(Kinds.Pod, job.metadata?.namespace, p.metadata!.name!));
      return active.slice(0, want);
    }
    const n = want - active.length;
    if (n <= 0) return active;
    this.expectations.expectCreations(key, n);
    const made: KubeObject[] = [];
    for (let i = 0; i < n; i++) {
      try {
        made.push(await this.client.create(Kinds.Pod, podFor(job)));
        this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${made.at(-1)?.metadata?.name}`);
      } catch (err) {
        for (let j = i; j < n; j++) this.expectations.creationObserved(key);
        if (isNamespaceTerminating(err)) break;
        throw err;
      }
    }
    return [...active, ...made];
  }
}

function podFor(job: KubeObject): KubeObject {
  const template = asObj(spec(job).template);
  const meta = asObj(template.metadata);
  return {
    metadata: {
      generateName: `${job.metadata?.name}-`,
      namespace: job.metadata?.namespace,
      labels: { ...(meta.labels as Record<string, string>) },
      ...(meta.annotations ? { annotations: { ...(meta.annotations as Record<string, string>) } } : {}),
      ownerReferences: [ownerRefTo(job, Kinds.Job)],
    },
    spec: structuredClone(asObj(template.spec)),
  };
}
