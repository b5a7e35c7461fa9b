// StatefulSets: scaled and restarted as deployments are, with their history (ControllerRevisions) and undo.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { WorkloadActions } from '../deployments/deployments.tsx';
import { RolloutHistory } from '../shared/RolloutHistory.tsx';
import type { KindSpec } from '../shared/spec.ts';
import { workloadColumns, workloadFacts } from '../shared/workloads.tsx';

export const statefulSetSpec: KindSpec<WorkloadRow> = {
  deletable: true,
  columns: workloadColumns,
  rowData: (w) => ({ 'data-ready': `${w.ready}/${w.desired}` }),
  facts: workloadFacts,
  DetailActions: WorkloadActions,
  tabs: [
    {
      id: 'history',
      label: 'History',
      render: ({ row, context }) => <RolloutHistory row={row} context={context} kind="statefulsets" />,
    },
  ],
};
