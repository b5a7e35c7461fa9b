// DaemonSets: one pod per node; restarted, never scaled.
import type { WorkloadRow } from '../../../../../electron/contract/index.ts';
import type { KindSpec } from '../shared/spec.ts';
import { RestartButton, workloadColumns, workloadFacts } from '../shared/workloads.tsx';

export const daemonSetSpec: KindSpec<WorkloadRow> = {
  deletable: true,
  columns: workloadColumns,
  rowData: (w) => ({ 'data-ready': `${w.ready}/${w.desired}` }),
  facts: workloadFacts,
  DetailActions: RestartButton,
};
