// CronJobs: the schedule, whether it is suspended, its active jobs, and a run triggered now
// (`kubectl create job --from=cronjob/NAME`).
import type { CronJobRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { formatTime } from '../../../ui/format.ts';
import { IconButton } from '../../../ui/IconButton.tsx';
import { kubeAge } from '../model.ts';
import { countColumn, type KindSpec } from '../shared/spec.ts';

async function trigger(row: CronJobRow, context: string) {
  const s = useStore.getState();
  const r = await s.kubeCall('kube.triggerCronJob', { context, namespace: row.namespace, name: row.name });
  s.report(
    r.ok ? `Started job ${r.value.job} from ${row.name}.` : '',
    r.ok ? null : r.error,
    `Cannot trigger ${row.name}`,
  );
}

function TriggerIcon({ row, context }: { row: CronJobRow; context: string }) {
  return (
    <IconButton
      icon="run"
      label={`Trigger ${row.name} now`}
      tip="Run now"
      onClick={() => void trigger(row, context)}
    />
  );
}

function TriggerButton({ row, context }: { row: CronJobRow; context: string }) {
  return (
    <button type="button" onClick={() => void trigger(row, context)}>
      Trigger now
    </button>
  );
}

const lastSchedule = (c: CronJobRow, now: number) =>
  c.lastScheduleAt ? (
    <span title={formatTime(c.lastScheduleAt)}>{kubeAge(c.lastScheduleAt, now)} ago</span>
  ) : (
    '—'
  );

export const cronJobSpec: KindSpec<CronJobRow> = {
  deletable: true,
  actionsWidth: '80px',
  columns: [
    {
      id: 'schedule',
      header: 'Schedule',
      width: '18%',
      className: 'mono',
      value: (c) => c.schedule,
      cell: (c) => c.schedule,
    },
    {
      id: 'suspend',
      header: 'Suspend',
      width: '80px',
      value: (c) => String(c.suspend),
      cell: (c) => (c.suspend ? 'True' : 'False'),
    },
    countColumn('active', 'Active', '70px', (c) => c.active),
    {
      id: 'last',
      header: 'Last schedule',
      value: (c) => (c.lastScheduleAt ? Date.parse(c.lastScheduleAt) : undefined),
      cell: lastSchedule,
    },
  ],
  RowActions: TriggerIcon,
  DetailActions: TriggerButton,
  facts: (c, now) => [
    [
      'Schedule',
      <span key="s" className="mono">
        {c.schedule}
      </span>,
    ],
    ['Suspended', c.suspend ? 'yes' : 'no'],
    ['Active jobs', c.active],
    ['Last schedule', lastSchedule(c, now)],
  ],
};
