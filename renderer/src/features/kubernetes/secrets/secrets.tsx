// Secrets: type and keys in the list, never a value; the detail's Data tab shows a value only when
// asked, one key at a time.
import type { ConfigRow } from '../../../../../electron/contract/index.ts';
import { keysColumn } from '../configmaps/configmaps.tsx';
import { countColumn, type KindSpec } from '../shared/spec.ts';
import { SecretData } from './SecretData.tsx';

export const secretSpec: KindSpec<ConfigRow> = {
  deletable: true,
  columns: [
    {
      id: 'type',
      header: 'Type',
      width: '26%',
      value: (c) => c.type,
      cell: (c) => <span className="cell-text">{c.type ?? '—'}</span>,
    },
    countColumn('count', 'Data', '60px', (c) => c.keys.length),
    keysColumn,
  ],
  facts: (c) => [['Type', c.type ?? '—']],
  tabs: [
    { id: 'data', label: 'Data', render: ({ row, context }) => <SecretData row={row} context={context} /> },
  ],
  plain: true,
};
