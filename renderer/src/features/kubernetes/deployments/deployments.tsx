// Deployments: scale, restart, their rollout's status, and their history with undo.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { RolloutHistory } from '../shared/RolloutHistory.tsx';
import type { KindSpec } from '../shared/spec.ts';
import { RestartButton, workloadColumns, workloadFacts } from '../shared/workloads.tsx';
import { ScaleControl } from './ScaleControl.tsx';

export function WorkloadActions({ row, context }: { row: WorkloadRow; context: string }) {
  return (
    <>
      <ScaleControl row={row} context={context} />
      <RestartButton row={row} context={context} />
    </>
  );
}

export const deploymentSpec: KindSpec<WorkloadRow> = {
  deletable: true,
  columns: workloadColumns,
  rowData: (w) => ({ 'data-ready': `${w.ready}/${w.desired}` }),
  facts: workloadFacts,
  DetailActions: WorkloadActions,
  tabs: [
    {
      id: 'history',
      label: 'History',
      render: ({ row, context }) => <RolloutHistory row={row} context={context} kind="deployments" />,
    },
  ],
};
