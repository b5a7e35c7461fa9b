// The CronJob controller: at each scheduled time (a timer set through the work queue's addAfter, so
// an idle CronJob costs nothing between runs) it makes a Job from jobTemplate named
// `<cronjob>-<minutes since the epoch>`, as Kubernetes names them; missed runs start only the latest
// (within startingDeadlineSeconds when set); concurrencyPolicy Allow, Forbid (skip while one runs)
// or Replace (delete the running ones first); suspend; finished Jobs beyond
// successfulJobsHistoryLimit / failedJobsHistoryLimit go, oldest first. Status: active references,
// lastScheduleTime, lastSuccessfulTime.
import type { KubeObject } from '../apiserver/registry.ts';
import { Kinds } from '../client/client.ts';
import { keyOf, splitKey } from '../client/informer.ts';
import {
  asList,
  asObj,
  Controller,
  controllerRef,
  creationMs,
  ignoreGone,
  int,
  iso,
  ownerRefTo,
  spec,
  status,
  writeStatus,
} from './common.ts';
import { parseSchedule, type Schedule } from './cron.ts';
import { EventRecorder } from './events.ts';

const jobState = (job: KubeObject): 'Complete' | 'Failed' | undefined => {
  const c = asList(status(job).conditions).find(
    (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
  );
  return c?.type as 'Complete' | 'Failed' | undefined;
};

export class CronJobController extends Controller {
  readonly name = 'cronjob-controller';
  private events!: EventRecorder;

  private get cronJobs() {
    return this.env.informers.for(Kinds.CronJob);
  }

  private get jobs() {
    return this.env.informers.for(Kinds.Job);
  }

  protected register(): void {
    this.events = new EventRecorder(this.client, this.clock, this.name);
    this.cronJobs.on({ add: (c) => this.enqueue(c), update: (c) => this.enqueue(c) });
    const owner = (job: KubeObject) => {
      const ref = controllerRef(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata?.namespace}/${ref.name}`);
    };
    this.jobs.on({ add: owner, update: owner, delete: owner });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cj = this.cronJobs.get(namespace, name);
    if (!cj || cj.metadata?.deletionTimestamp) return;
    const mine = this.jobs
      .list(namespace)
      .filter((j) => controllerRef(j)?.uid === cj.metadata?.uid && !j.metadata?.deletionTimestamp);
    let active = mine.filter((j) => !jobState(j));
    const old = status(cj);
    const next: Record<string, unknown> = { ...old };
    const succeeded = mine
      .filter((j) => jobState(j) === 'Complete')
      .map((j) => String(status(j).completionTime ?? ''))
      .sort();
    if (succeeded.length && (!old.lastSuccessfulTime || succeeded.at(-1)! > String(old.lastSuccessfulTime)))
      next.lastSuccessfulTime = succeeded.at(-1);

    let schedule: Schedule;
    try {
      schedule = parseSchedule(String(spec(cj).schedule), spec(cj).timeZone as string | undefined);
    } catch (err) {
      this.events.record(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${(err as Error).message}`,
      );
      return;
    }
    const now = this.clock.now();
    const since = Date.parse(String(old.lastScheduleTime ?? '')) || creationMs(cj);
    // The latest run due (missed ones before it are not made up).
    let due: number | undefined;
    for (let t = schedule.next(since), n = 0; t <= now && n < 100_000; t = schedule.next(t), n++) due = t;
    if (due !== undefined && !spec(cj).suspend) {
      const deadline = spec(cj).startingDeadlineSeconds as number | undefined;
      const policy = String(spec(cj).concurrencyPolicy ?? 'Allow');
      if (deadline !== undefined && due + deadline * 1000 < now) {
        this.events.record(
          cj,
          'Warning',
          'MissSchedule',
          `Missed scheduled time to start a job: ${iso(due)}`,
        );
        next.lastScheduleTime = iso(due);
      } else if (policy === 'Forbid' && active.length) {
        // Skipped: looked at again when the running Job ends (its update) or at the next time.
      } else {
        if (policy === 'Replace')
          for (const j of active) {
            await ignoreGone(
              this.client.delete(Kinds.Job, namespace, j.metadata!.name!, {
                propagationPolicy: 'Background',
              }),
            );
            this.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata?.name}`);
          }
        if (policy === 'Replace') active = [];
        const job = await this.createJob(cj, due);
        if (job) active = [...active, job];
        next.lastScheduleTime = iso(due);
      }
    }
    if (active.length)
      next.active = active.map((j) => ({
        kind: 'Job',
        namespace: j.metadata?.namespace,
        name: j.metadata?.name,
        uid: j.metadata?.uid,
        apiVersion: 'batch/v1',
        resourceVersion: j.metadata?.resourceVersion,
      }));
    else delete next.active;
    await writeStatus(this.client, Kinds.CronJob, cj, next);
    await this.cleanHistory(cj, mine);
    // The next run: a timer, not a poll (100 ms after, as Kubernetes adds).
    this.queue.addAfter(key, schedule.next(now) - now + 100);
  }

  private async createJob(cj: KubeObject, scheduled: number): Promise<KubeObject | undefined> {
    const template = asObj(spec(cj).jobTemplate);
    const meta = asObj(template.metadata);
    const name = `${cj.metadata?.name}-${Math.floor(scheduled / 60_000)}`;
    try {
      const job = await this.client.create(Kinds.Job, {
        metadata: {
          name,
          namespace: cj.metadata?.namespace,
          labels: { ...(meta.labels as Record<string, string>) },
          annotations: {
            ...(meta.annotations as Record<string, string>),
            'batch.kubernetes.io/cronjob-scheduled-timestamp': iso(scheduled),
          },
          ownerReferences: [ownerRefTo(cj, Kinds.CronJob)],
        },
        spec: structuredClone(asObj(template.spec)),
      });
      this.events.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return job;
    } catch (err) {
      if (err instanceof Error && /already exists/.test(err.message)) return undefined;
      this.events.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      throw err;
    }
  }

  private async cleanHistory(cj: KubeObject, jobs: KubeObject[]): Promise<void> {
    const limits: ['Complete' | 'Failed', number][] = [
      ['Complete', int(spec(cj).successfulJobsHistoryLimit, 3)],
      ['Failed', int(spec(cj).failedJobsHistoryLimit, 1)],
    ];
    for (const [state, limit] of limits) {
      const done = jobs
        .filter((j) => jobState(j) === state)
        .sort((a, b) => creationMs(a) - creationMs(b) || keyOf(a).localeCompare(keyOf(b)));
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        await ignoreGone(
          this.client.delete(Kinds.Job, j.metadata?.namespace, j.metadata!.name!, {
            propagationPolicy: 'Background',
          }),
        );
        this.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata?.name}`);
      }
    }
  }
}
