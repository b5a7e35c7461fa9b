// Events: live, newest first; the search finds them by type, reason, object or message.
import type { EventRow, KubeKind } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { AgeCell, ToneBadge } from '../shared/cells.tsx';
import type { KindSpec, KubeColumn } from '../shared/spec.ts';

const objectKinds: Record<string, KubeKind> = {
  Pod: 'pods',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
};

function EventObject({ row }: { row: EventRow }) {
  const navigate = useStore((s) => s.navigate);
  const kind = objectKinds[row.object.kind];
  const text = `${row.object.kind.toLowerCase()}/${row.object.name}`;
  if (!kind) return <span className="cell-text">{text}</span>;
  return (
    <button
      type="button"
      className="link plain cell-text"
      title={text}
      onClick={() =>
        navigate({ screen: 'kubeObject', kind, namespace: row.namespace, name: row.object.name })
      }
    >
      {text}
    </button>
  );
}

export const eventColumns: KubeColumn<EventRow>[] = [
  {
    id: 'lastSeen',
    header: 'Last seen',
    width: '100px',
    value: (e) => Date.parse(e.lastSeen) || 0,
    cell: (e, now) => <AgeCell iso={e.lastSeen} now={now} />,
  },
  {
    id: 'type',
    header: 'Type',
    width: '84px',
    value: (e) => e.type,
    cell: (e) => <ToneBadge tone={e.type === 'Warning' ? 'bad' : 'muted'} text={e.type} />,
  },
  {
    id: 'reason',
    header: 'Reason',
    width: '150px',
    value: (e) => e.reason,
    cell: (e) => <span className="cell-text">{e.reason}</span>,
  },
  {
    id: 'object',
    header: 'Object',
    width: '24%',
    minListWidth: 800,
    value: (e) => `${e.object.kind}/${e.object.name}`,
    cell: (e) => <EventObject row={e} />,
  },
  {
    id: 'message',
    header: 'Message',
    cell: (e) => (
      <span className="cell-text" title={e.message}>
        {e.message}
        {e.count > 1 && <span className="muted"> (×{e.count})</span>}
      </span>
    ),
  },
];

export const eventSpec: KindSpec<EventRow> = {
  deletable: false,
  defaultSort: { key: 'lastSeen', descending: true },
  columns: eventColumns,
  // An event's name is its object's and a number: in a narrow list the reason opens the event.
  nameMinListWidth: 1000,
  openColumn: 'reason',
  rowData: (e) => ({ 'data-type': e.type, 'data-reason': e.reason }),
  facts: (e) => [
    ['Type', e.type],
    ['Reason', e.reason],
    ['Object', <EventObject key="o" row={e} />],
    ['Message', e.message],
    ['Count', e.count],
    ['Source', e.source],
  ],
  plain: true,
};
