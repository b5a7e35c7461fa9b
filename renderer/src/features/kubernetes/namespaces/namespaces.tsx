// Namespaces: cluster-wide, with their phase; opening one shows it in the screens' namespace switcher.
import type { NamespaceRow } from '../../../../../electron/contract/index.ts';
import { ToneBadge } from '../shared/cells.tsx';
import type { KindSpec } from '../shared/spec.ts';

export const namespaceSpec: KindSpec<NamespaceRow> = {
  deletable: true,
  columns: [
    {
      id: 'phase',
      header: 'Status',
      width: '120px',
      value: (n) => n.phase,
      cell: (n) => (
        <ToneBadge tone={n.phase === 'Active' ? 'ok' : 'muted'} text={n.deleting ? 'Terminating' : n.phase} />
      ),
    },
    {
      id: 'labels',
      header: 'Labels',
      cell: (n) => (
        <span className="mono cell-text small-text">
          {Object.entries(n.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}
        </span>
      ),
    },
  ],
  plain: true,
};
