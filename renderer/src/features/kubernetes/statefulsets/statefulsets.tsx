// StatefulSets: scaled and restarted as deployments are.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import { WorkloadActions } from '../deployments/deployments.tsx';
import type { KindSpec } from '../shared/spec.ts';
import { workloadColumns, workloadFacts } from '../shared/workloads.tsx';

export const statefulSetSpec: KindSpec<WorkloadRow> = {
  deletable: true,
  columns: workloadColumns,
  rowData: (w) => ({ 'data-ready': `${w.ready}/${w.desired}` }),
  facts: workloadFacts,
  DetailActions: WorkloadActions,
};
