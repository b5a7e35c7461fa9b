// batch/v1: Job and CronJob.
import { f, kind, type SchemaPackage } from './dsl.ts';

const jobSpecFields = {
  parallelism: f('int32', 'Pods running at once at most.'),
  completions: f('int32', 'Successful pods needed.'),
  activeDeadlineSeconds: f('int64', 'Seconds the job may run.'),
  backoffLimit: f('int32', 'Retries before the job fails.'),
  backoffLimitPerIndex: f('int32', 'Retries per index (Indexed jobs).'),
  maxFailedIndexes: f('int32', 'Failed indexes before the job fails.'),
  selector: f('LabelSelector', 'Labels of its pods; generated unless manualSelector.'),
  manualSelector: f('boolean', 'Use the given selector as is.'),
  template: f('PodTemplateSpec', 'The pods it runs.', { required: true }),
  ttlSecondsAfterFinished: f('int32', 'Seconds after it finishes before it is deleted.'),
  completionMode: f('string', 'NonIndexed or Indexed.'),
  suspend: f('boolean', 'Hold the job.'),
  podFailurePolicy: f('object', 'How pod failures count.'),
  successPolicy: f('object', 'When the job counts as succeeded.'),
  podReplacementPolicy: f('string', 'When failed pods are replaced.'),
  managedBy: f('string', 'The controller that manages the job.'),
};

export const batchPackage: SchemaPackage = {
  name: 'io.k8s.api.batch.v1',
  types: {
    Job: kind('batch', 'v1', 'Job', 'Pods that run to completion.', {
      spec: f('JobSpec', 'The pods and how many must succeed.'),
      status: f('JobStatus', 'The progress of the job.'),
    }),
    JobSpec: { desc: 'The spec of a job.', fields: jobSpecFields },
    JobStatus: {
      desc: 'The state of a job.',
      fields: {
        conditions: f('[]object', 'Complete, Failed, Suspended…', { atomic: true }),
        startTime: f('Time', 'When it started.'),
        completionTime: f('Time', 'When it completed.'),
        active: f('int32', 'Pods running.'),
        succeeded: f('int32', 'Pods that succeeded.'),
        failed: f('int32', 'Pods that failed.'),
        terminating: f('int32', 'Pods terminating.'),
        completedIndexes: f('string', 'Indexes that completed.'),
        failedIndexes: f('string', 'Indexes that failed.'),
        uncountedTerminatedPods: f('object', 'Finished pods not yet counted.'),
        ready: f('int32', 'Pods ready.'),
      },
    },
    CronJob: kind('batch', 'v1', 'CronJob', 'Jobs made on a schedule.', {
      spec: f('CronJobSpec', 'The schedule and the job.'),
      status: f('CronJobStatus', 'Jobs made and running.'),
    }),
    CronJobSpec: {
      desc: 'The spec of a cron job.',
      fields: {
        schedule: f('string', 'When, in cron syntax.', { required: true }),
        timeZone: f('string', 'The time zone of the schedule.'),
        startingDeadlineSeconds: f('int64', 'How late a missed job may still start.'),
        concurrencyPolicy: f('string', 'Allow, Forbid or Replace.'),
        suspend: f('boolean', 'Hold new jobs.'),
        jobTemplate: f('JobTemplateSpec', 'The job made each time.', { required: true }),
        successfulJobsHistoryLimit: f('int32', 'Finished jobs kept.'),
        failedJobsHistoryLimit: f('int32', 'Failed jobs kept.'),
      },
    },
    JobTemplateSpec: {
      desc: 'The job a cron job makes.',
      fields: {
        metadata: f('ObjectMeta', 'Labels and annotations of the jobs.'),
        spec: f('JobSpec', 'The job.'),
      },
    },
    CronJobStatus: {
      desc: 'The state of a cron job.',
      fields: {
        active: f('[]ObjectReference', 'Jobs running.', { atomic: true }),
        lastScheduleTime: f('Time', 'When a job was last made.'),
        lastSuccessfulTime: f('Time', 'When a job last succeeded.'),
      },
    },
  },
};
