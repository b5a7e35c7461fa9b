// What deployments, statefulsets and daemonsets share: their columns (READY, UP-TO-DATE, AVAILABLE, the
// images, the rollout under way) and the restart action.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { kindWords } from '../kinds.ts';
import type { Tone } from '../model.ts';
import { ToneBadge } from './cells.tsx';
import { countColumn, type KubeColumn } from './spec.ts';

export function workloadTone(w: WorkloadRow): Tone {
  if (w.rollout && /exceeded|fail/i.test(w.rollout)) return 'bad';
  if (w.rollout || w.ready < w.desired) return 'warn';
  return w.desired === 0 ? 'muted' : 'ok';
}

export const workloadColumns: KubeColumn<WorkloadRow>[] = [
  {
    id: 'ready',
    header: 'Ready',
    width: '80px',
    value: (w) => w.ready / (w.desired || 1),
    cell: (w) => <ToneBadge tone={workloadTone(w)} text={`${w.ready}/${w.desired}`} />,
  },
  countColumn('upToDate', 'Up to date', '90px', (w) => w.upToDate),
  countColumn('available', 'Available', '84px', (w) => w.available),
  {
    id: 'images',
    header: 'Images',
    minListWidth: 760,
    value: (w) => w.images.join(' '),
    cell: (w) => (
      <span className="mono cell-text" title={w.images.join('\n')}>
        {w.images.join(', ')}
      </span>
    ),
  },
  {
    id: 'rollout',
    header: 'Rollout',
    width: '20%',
    minListWidth: 760,
    value: (w) => w.rollout,
    cell: (w) =>
      w.rollout ? (
        <span className="small-text cell-text" title={w.rollout} data-testid="rollout">
          {w.rollout}
        </span>
      ) : (
        <span className="muted small-text">complete</span>
      ),
  },
];

export const workloadFacts = (w: WorkloadRow): [string, React.ReactNode][] => [
  ['Ready', <ToneBadge key="r" tone={workloadTone(w)} text={`${w.ready}/${w.desired}`} />],
  ['Up to date', w.upToDate],
  ['Available', w.available],
  [
    'Selector',
    <span key="s" className="mono">
      {w.selector || '—'}
    </span>,
  ],
  [
    'Rollout',
    <span key="o" data-testid="rollout-status">
      {w.rollout ?? 'complete'}
    </span>,
  ],
];

/** `kubectl rollout restart`, after asking. */
export function RestartButton({ row, context }: { row: WorkloadRow; context: string }) {
  const s = useStore.getState;
  const what = `${kindWords[row.kind].singular.toLowerCase()} ${row.name}`;
  const restart = async () => {
    const ok = await s().confirm({
      title: `Restart ${what}?`,
      body: <p>Its pods are replaced one by one, as `kubectl rollout restart` does.</p>,
      confirmLabel: 'Restart',
    });
    if (!ok) return;
    const r = await s().kubeCall('kube.restart', {
      context,
      kind: row.kind,
      namespace: row.namespace,
      name: row.name,
    });
    s().report(`Restarting ${what}.`, r.ok ? null : r.error, `Cannot restart ${what}`);
  };
  return (
    <button type="button" onClick={() => void restart()}>
      Restart
    </button>
  );
}
