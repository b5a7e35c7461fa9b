// One live Kubernetes list as the renderer keeps it: the rows of the last snapshot with the changes
// since applied, keyed by uid, and the watch's state and problem, so that a list that cannot be shown
// says why instead of looking empty. Pure: the kube slice feeds it the watch's events in batches.
import type {
  ContractError,
  KubeListParams,
  KubeProblem,
  KubeRow,
  KubeWatchEvent,
} from '../../../electron/contract/index.ts';

export type KubeWatchState = 'syncing' | 'live' | 'reconnecting' | 'error';

export interface KubeListState {
  params: KubeListParams;
  /** Keyed by uid; a batch makes a new map, leaving the rows it did not touch as they were (same objects). */
  rows: ReadonlyMap<string, KubeRow>;
  state: KubeWatchState;
  problem?: KubeProblem;
  /** A snapshot has arrived: an empty list is empty, not loading. */
  loaded: boolean;
}

/** One key per list the main process watches: the same key, the same subscription. */
export function listKey(p: KubeListParams): string {
  return [p.context, p.kind, p.namespace ?? '*', p.labelSelector ?? '', p.fieldSelector ?? ''].join('\u0000');
}

export function emptyList(params: KubeListParams): KubeListState {
  return { params, rows: new Map(), state: 'syncing', loaded: false };
}

/** The events of one batch applied in order; the list itself is never changed. */
export function applyWatchEvents(list: KubeListState, events: readonly KubeWatchEvent[]): KubeListState {
  let rows: Map<string, KubeRow> | null = null;
  let { state, problem, loaded } = list;
  for (const e of events) {
    if (e.type === 'snapshot') {
      rows = new Map(e.rows.map((r) => [r.uid, r]));
      loaded = true;
    } else if (e.type === 'changes') {
      rows ??= new Map(list.rows);
      for (const r of e.upserts) rows.set(r.uid, r);
      for (const uid of e.deletes) rows.delete(uid);
    } else {
      state = e.state;
      problem = e.problem;
    }
  }
  const out: KubeListState = { params: list.params, rows: rows ?? list.rows, state, loaded };
  if (problem) out.problem = problem;
  return out;
}

/** A stream that ended with an error (the transport went, or main refused the watch), as a problem. */
export function problemOfError(error: ContractError): KubeProblem {
  const kind: KubeProblem['kind'] =
    error.kind === 'forbidden'
      ? 'forbidden'
      : error.kind === 'unreachable'
        ? 'unreachable'
        : error.kind === 'not_found'
          ? 'not_found'
          : error.kind === 'invalid_argument'
            ? 'invalid'
            : 'other';
  return { kind, message: error.message };
}
