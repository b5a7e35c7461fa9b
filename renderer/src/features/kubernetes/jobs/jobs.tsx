// Jobs: kubectl's COMPLETIONS and DURATION, and how the job stands.
import type { JobRow } from '../../../../../electron/contract/index.ts';
import { kubeDuration, type Tone } from '../model.ts';
import { OwnerLink, ToneBadge } from '../shared/cells.tsx';
import type { KindSpec } from '../shared/spec.ts';

const jobTone: Record<JobRow['status'], Tone> = {
  Running: 'warn',
  Complete: 'ok',
  Failed: 'bad',
  Suspended: 'muted',
};

export const jobSpec: KindSpec<JobRow> = {
  deletable: true,
  columns: [
    {
      id: 'status',
      header: 'Status',
      width: '100px',
      value: (j) => j.status,
      cell: (j) => <ToneBadge tone={jobTone[j.status]} text={j.status} />,
    },
    {
      id: 'completions',
      header: 'Completions',
      width: '100px',
      value: (j) => j.completions,
      cell: (j) => j.completions,
    },
    {
      id: 'duration',
      header: 'Duration',
      width: '90px',
      value: (j) => j.durationS,
      cell: (j) => (j.durationS === undefined ? '—' : kubeDuration(j.durationS * 1000)),
    },
    {
      id: 'images',
      header: 'Images',
      value: (j) => j.images.join(' '),
      cell: (j) => <span className="mono cell-text">{j.images.join(', ')}</span>,
    },
    {
      id: 'owner',
      header: 'Controlled by',
      width: '18%',
      value: (j) => j.owner?.name,
      cell: (j) => <OwnerLink owner={j.owner} namespace={j.namespace} />,
    },
  ],
  rowData: (j) => ({ 'data-status': j.status }),
  facts: (j) => [
    ['Status', <ToneBadge key="s" tone={jobTone[j.status]} text={j.status} />],
    ['Completions', j.completions],
    ['Duration', j.durationS === undefined ? '—' : kubeDuration(j.durationS * 1000)],
    ['Controlled by', <OwnerLink key="o" owner={j.owner} namespace={j.namespace} />],
  ],
};
