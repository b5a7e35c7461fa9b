// The Job controller: runs up to `parallelism` pods at a time until `completions` of them succeeded
// (without completions: until one succeeded and none is active) — or, for an Indexed Job, until each
// index 0…completions-1 has a pod that succeeded, each pod holding one index (annotation and label
// batch.kubernetes.io/job-completion-index, JOB_COMPLETION_INDEX, hostname <job>-<index>). Failed pods
// go through the podFailurePolicy (FailJob ends the Job, Ignore does not count) and count against
// backoffLimit; a replacement waits 10 s, doubling per failure since the last success (at most
// 6 min). Stops at activeDeadlineSeconds, and writes the status `kubectl get jobs` and `kubectl wait
// --for=condition=complete` read: startTime, active, ready, succeeded, failed, completedIndexes,
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
import {
  completionIndexKey,
  formatIndexes,
  indexOf,
  matchFailurePolicy,
  parseIndexes,
  replacementDueAt,
} from './job-policy.ts';

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
    const completions = spec(job).completions as number | undefined;
    const indexed = spec(job).completionMode === 'Indexed' && completions !== undefined;
    const succeededPods = pods.filter((p) => status(p).phase === 'Succeeded');
    const doneIndexes = indexed ? parseIndexes(old.completedIndexes, completions) : new Set<number>();
    if (indexed)
      for (const p of succeededPods) {
        const i = indexOf(p, completions);
        if (i !== undefined) doneIndexes.add(i);
      }
    const succeeded = indexed ? doneIndexes.size : Math.max(int(old.succeeded), succeededPods.length);
    // What the podFailurePolicy says of each failed pod: FailJob ends the Job, Ignore does not count.
    let failJob: string | undefined;
    const counted: KubeObject[] = [];
    for (const p of pods.filter((p) => status(p).phase === 'Failed')) {
      const match = matchFailurePolicy(spec(job).podFailurePolicy, p);
      if (match?.action === 'FailJob') failJob ??= match.message;
      if (match?.action !== 'Ignore') counted.push(p);
    }
    const failed = Math.max(int(old.failed), counted.length);
    const parallelism = int(spec(job).parallelism, 1);
    const startTime = (old.startTime as string | undefined) ?? iso(now);
    const deadline = spec(job).activeDeadlineSeconds as number | undefined;

    let outcome: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    if (failJob) outcome = { type: 'Failed', reason: 'PodFailurePolicy', message: failJob };
    else if (failed > int(spec(job).backoffLimit, 6))
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
      // After failures a replacement waits its back-off; the queue brings the Job back when it is due.
      const due = replacementDueAt(counted, succeededPods);
      const room = due > now ? Math.min(want, active.length) : want;
      if (due > now && want > active.length) this.queue.addAfter(key, due - now);
      nowActive = indexed
        ? await this.manageIndexed(key, job, active, room, completions, doneIndexes)
        : await this.manage(key, job, active, room);
    }

    const next: Record<string, unknown> = { ...old, startTime, active: nowActive.length };
    next.ready = nowActive.filter(isPodReady).length;
    next.terminating = pods.filter((p) => p.metadata?.deletionTimestamp).length;
    if (succeeded) next.succeeded = succeeded;
    if (failed) next.failed = failed;
    if (indexed) next.completedIndexes = formatIndexes(doneIndexes);
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

  /**
   * An Indexed Job's pods: one running pod per index (a duplicate, or one whose index is done, goes),
   * then the lowest pending indexes started up to `want` running.
   */
  private async manageIndexed(
    key: string,
    job: KubeObject,
    active: KubeObject[],
    want: number,
    completions: number,
    done: Set<number>,
  ): Promise<KubeObject[]> {
    const running = new Map<number, KubeObject>();
    const extra: KubeObject[] = [];
    for (const p of active) {
      const i = indexOf(p, completions);
      if (i === undefined || done.has(i) || running.has(i)) extra.push(p);
      else running.set(i, p);
    }
    let keep = [...running.values()];
    if (keep.length > want) {
      extra.push(...keep.slice(want));
      keep = keep.slice(0, want);
    }
    if (extra.length) {
      this.expectations.expectDeletions(key, extra.map(keyOf));
      for (const p of extra)
        await ignoreGone(this.client.delete(Kinds.Pod, job.metadata?.namespace, p.metadata!.name!));
    }
    const start = pendingIndexes(completions, done, new Set(running.keys()), want - keep.length);
    return [...keep, ...(await this.create(key, job, start))];
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
    return [
      ...active,
      ...(await this.create(
        key,
        job,
        Array.from({ length: n }, () => undefined),
      )),
    ];
  }

  /** Creates one pod per entry (an index, or undefined for a non-indexed pod), counting expectations. */
  private async create(key: string, job: KubeObject, indexes: (number | undefined)[]): Promise<KubeObject[]> {
    const n = indexes.length;
    if (!n) return [];
    this.expectations.expectCreations(key, n);
    const made: KubeObject[] = [];
    for (let i = 0; i < n; i++) {
      try {
        made.push(await this.client.create(Kinds.Pod, podFor(job, indexes[i])));
        this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${made.at(-1)?.metadata?.name}`);
      } catch (err) {
        for (let j = i; j < n; j++) this.expectations.creationObserved(key);
        if (isNamespaceTerminating(err)) break;
        throw err;
      }
    }
    return made;
  }
}

/** The indexes to start next: those neither done nor running, lowest first. */
export function pendingIndexes(
  completions: number,
  done: Set<number>,
  running: Set<number>,
  n: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!done.has(i) && !running.has(i)) out.push(i);
  return out;
}

function podFor(job: KubeObject, index?: number): KubeObject {
  const template = asObj(spec(job).template);
  const meta = asObj(template.metadata);
  const name = job.metadata?.name;
  const pod: KubeObject = {
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata?.namespace,
      labels: { ...(meta.labels as Record<string, string>) },
      ...(meta.annotations ? { annotations: { ...(meta.annotations as Record<string, string>) } } : {}),
      ownerReferences: [ownerRefTo(job, Kinds.Job)],
    },
    spec: structuredClone(asObj(template.spec)),
  };
  if (index === undefined) return pod;
  // An Indexed Job's pod knows its index: annotation, label, the environment, and a stable hostname.
  pod.metadata!.annotations = { ...pod.metadata!.annotations, [completionIndexKey]: String(index) };
  pod.metadata!.labels = { ...pod.metadata!.labels, [completionIndexKey]: String(index) };
  const podSpec = pod.spec as Record<string, unknown>;
  podSpec.hostname ??= `${name}-${index}`;
  const env = {
    name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } },
  };
  for (const list of ['initContainers', 'containers'])
    for (const c of asList(podSpec[list]))
      c.env = [...asList(c.env).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), env];
  return pod;
}
