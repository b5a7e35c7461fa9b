// DaemonSets: one pod per node; restarted, never scaled; their history (ControllerRevisions) and undo.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { RolloutHistory } from '../shared/RolloutHistory.tsx';
import type { KindSpec } from '../shared/spec.ts';
import { RestartButton, workloadColumns, workloadFacts } from '../shared/workloads.tsx';

export const daemonSetSpec: KindSpec<WorkloadRow> = {
  deletable: true,
  columns: workloadColumns,
  rowData: (w) => ({ 'data-ready': `${w.ready}/${w.desired}` }),
  facts: workloadFacts,
  DetailActions: RestartButton,
  tabs: [
    {
      id: 'history',
      label: 'History',
      render: ({ row, context }) => <RolloutHistory row={row} context={context} kind="daemonsets" />,
    },
  ],
};
