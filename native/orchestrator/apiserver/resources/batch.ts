// batch/v1: Job and CronJob (their controllers come later).
import { child, type KubeObject, type ResourceDef, sameJson } from '../registry.ts';
import { labelSelectorString } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { ageColumn, column, humanDuration, nameColumn, since } from '../table.ts';
import { invalidValue, nonNegative, notSupported, required } from '../validation.ts';
import { asList, asObj, defaultTemplate, templateColumns, validateTemplate } from './podspec.ts';

const batch = { group: 'batch', version: 'v1' } as const;
const jobRestart = ['OnFailure', 'Never'];

const hasCondition = (o: KubeObject, type: string) =>
  asList(asObj(o.status).conditions).some((c) => c.type === type && c.status === 'True');

function jobStatus(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const s = asObj(o.spec);
  const succeeded = Number(asObj(o.status).succeeded ?? 0);
  if (s.completions !== undefined && s.completions !== null) return `${succeeded}/${s.completions}`;
  const parallelism = Number(s.parallelism ?? 1);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, now: number): string {
  const st = asObj(o.status);
  if (typeof st.startTime !== 'string') return '';
  const start = Date.parse(st.startTime);
  const end = typeof st.completionTime === 'string' ? Date.parse(st.completionTime) : now;
  return humanDuration(end - start);
}

function defaultJobSpec(s: Record<string, unknown>): void {
  if (s.completions === undefined && s.parallelism === undefined) s.completions = 1;
  s.parallelism ??= 1;
  s.backoffLimit ??= 6;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  s.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultTemplate(s.template);
}

const completionModes = ['NonIndexed', 'Indexed'];
const failureActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validateJobSpec(s: Record<string, unknown>, path: string, needSelector: boolean): FieldError[] {
  const errs: FieldError[] = [
    ...nonNegative(`${path}.parallelism`, s.parallelism),
    ...nonNegative(`${path}.completions`, s.completions),
    ...nonNegative(`${path}.backoffLimit`, s.backoffLimit),
  ];
  const t = asObj(s.template);
  const restart = asObj(t.spec).restartPolicy;
  if (!jobRestart.includes(String(restart)))
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, restart, jobRestart));
  else if (s.podFailurePolicy && restart !== 'Never')
    errs.push(
      invalidValue(
        `${path}.template.spec.restartPolicy`,
        restart,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  if (!completionModes.includes(String(s.completionMode)))
    errs.push(notSupported(`${path}.completionMode`, s.completionMode, completionModes));
  else if (s.completionMode === 'Indexed' && s.completions === undefined)
    errs.push({ ...required(`${path}.completions`), detail: 'when completion mode is Indexed' });
  for (const [i, rule] of asList(asObj(s.podFailurePolicy).rules).entries())
    if (!failureActions.includes(String(rule.action)))
      errs.push(notSupported(`${path}.podFailurePolicy.rules[${i}].action`, rule.action, failureActions));
  errs.push(
    ...validateTemplate(s.template, needSelector ? s.selector : undefined, `${path}.template`, [
      ...jobRestart,
      String(restart),
    ]),
  );
  return errs;
}

export const jobDef: ResourceDef = {
  ...batch,
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  fieldSelectors: { 'status.successful': (o) => String(Number(asObj(o.status).succeeded ?? 0)) },
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true },
  table: [
    nameColumn,
    column('Status', jobStatus, 'Where the job is in its life.'),
    column('Completions', jobCompletions, 'Pods that succeeded of those wanted.'),
    column('Duration', jobDuration, 'How long the job ran.'),
    ageColumn,
    ...templateColumns(),
    column(
      'Selector',
      (o) => labelSelectorString(asObj(asObj(o.spec).selector)) || '<none>',
      'The labels of its pods.',
      { wide: true },
    ),
  ],
  strategy: {
    defaults: (o) => {
      const s = child(o, 'spec');
      defaultJobSpec(s);
      // The job's own uid selects its pods, unless the user chose the selector.
      const uid = o.metadata?.uid;
      const name = o.metadata?.name;
      if (!s.manualSelector && uid && !s.selector) {
        s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        const t = asObj(s.template);
        const meta = child(t, 'metadata');
        meta.labels = {
          ...asObj(meta.labels),
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': name,
          'controller-uid': uid,
          'job-name': name,
        };
      }
    },
    validate: (o, old) => {
      const s = asObj(o.spec);
      const errs = validateJobSpec(s, 'spec', true);
      if (old && !sameJson(asObj(old.spec).template, s.template) && !asObj(old.spec).suspend)
        errs.push(invalidValue('spec.template', '', 'field is immutable'));
      return errs;
    },
    initialStatus: () => ({}),
  },
};

const cronRe = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \S+)|(\S+\s+){4}\S+)$/;

export const cronJobDef: ResourceDef = {
  ...batch,
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  tracksGeneration: true,
  subresources: { status: true },
  table: [
    nameColumn,
    column('Schedule', (o) => String(asObj(o.spec).schedule ?? ''), 'When jobs are made, in cron syntax.'),
    column('Timezone', (o) => String(asObj(o.spec).timeZone ?? '<none>'), 'The time zone of the schedule.'),
    column('Suspend', (o) => asObj(o.spec).suspend === true, 'Whether new jobs are held back.', {
      type: 'boolean',
    }),
    column('Active', (o) => asList(asObj(o.status).active).length, 'Jobs running now.', { type: 'integer' }),
    column(
      'Last Schedule',
      (o, now) => {
        const t = asObj(o.status).lastScheduleTime;
        return t ? since(t, now) : '<none>';
      },
      'When a job was last made.',
    ),
    ageColumn,
    ...templateColumns('spec.jobTemplate.spec.template'),
    column(
      'Selector',
      (o) => labelSelectorString(asObj(asObj(asObj(asObj(o.spec).jobTemplate).spec).selector)) || '<none>',
      'The labels of its pods.',
      { wide: true },
    ),
  ],
  strategy: {
    defaults: (o) => {
      const s = child(o, 'spec');
      s.concurrencyPolicy ??= 'Allow';
      s.suspend ??= false;
      s.successfulJobsHistoryLimit ??= 3;
      s.failedJobsHistoryLimit ??= 1;
      const jt = child(s, 'jobTemplate');
      defaultJobSpec(child(jt, 'spec'));
    },
    validate: (o) => {
      const s = asObj(o.spec);
      const errs: FieldError[] = [];
      if (!s.schedule) errs.push(required('spec.schedule'));
      else if (!cronRe.test(String(s.schedule).trim()))
        errs.push(invalidValue('spec.schedule', s.schedule, 'unparseable schedule'));
      const policies = ['Allow', 'Forbid', 'Replace'];
      if (!policies.includes(String(s.concurrencyPolicy)))
        errs.push(notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, policies));
      errs.push(...validateJobSpec(asObj(asObj(s.jobTemplate).spec), 'spec.jobTemplate.spec', false));
      return errs;
    },
    initialStatus: () => ({}),
  },
};

export const batchDefs = [jobDef, cronJobDef];
