// A pull or push as the screen draws it: one bar per layer, the lines about the whole image, and the
// overall state. Pure: the store feeds it the stream's events.
import type { ContractError, TransferProgress } from '../../../../electron/contract/index.ts';

export type TransferKind = 'pull' | 'push';

export interface LayerState {
  id: string;
  status: string;
  current?: number;
  total?: number;
  /** 0…1 of the layer's whole work. */
  fraction: number;
  done: boolean;
  /** The transfer ended with an error before this layer was done: it is no longer in progress. */
  failed?: boolean;
}

export interface TransferState {
  kind: TransferKind;
  ref: string;
  /** A pull the run form started for an image the engine lacks: the form shows it, not the images screen. */
  forRun?: boolean;
  phase: 'running' | 'done' | 'failed';
  layers: LayerState[];
  lines: string[];
  error: ContractError | null;
}

export function newTransfer(kind: TransferKind, ref: string, forRun = false): TransferState {
  return { kind, ref, ...(forRun ? { forRun } : {}), phase: 'running', layers: [], lines: [], error: null };
}

const doneStatuses = ['Pull complete', 'Already exists', 'Pushed', 'Layer already exists'];

/**
 * How far a layer is, from its status: a pull downloads (first half) then extracts (second half);
 * a push uploads. Statuses this does not know keep the layer where it was.
 */
export function layerFraction(
  kind: TransferKind,
  p: TransferProgress,
  before: number,
): { fraction: number; done: boolean } {
  if (doneStatuses.includes(p.status) || p.status.startsWith('Mounted from'))
    return { fraction: 1, done: true };
  const part = p.total && p.current !== undefined ? Math.min(1, p.current / p.total) : 0;
  switch (p.status) {
    case 'Pulling fs layer':
    case 'Waiting':
    case 'Preparing':
      return { fraction: 0, done: false };
    case 'Downloading':
      return { fraction: 0.5 * part, done: false };
    case 'Verifying Checksum':
    case 'Download complete':
      return { fraction: 0.5, done: false };
    case 'Extracting':
      return { fraction: 0.5 + 0.5 * part, done: false };
    case 'Pushing':
      return { fraction: kind === 'push' ? Math.min(part, 0.99) : part, done: false };
    default:
      return { fraction: before, done: false };
  }
}

export function applyProgress(state: TransferState, p: TransferProgress): TransferState {
  if (!p.layer) return { ...state, lines: [...state.lines, p.status] };
  const i = state.layers.findIndex((l) => l.id === p.layer);
  const before = i >= 0 ? state.layers[i] : undefined;
  const { fraction, done } = layerFraction(state.kind, p, before?.fraction ?? 0);
  const layer: LayerState = {
    id: p.layer,
    status: p.status,
    ...(p.current !== undefined ? { current: p.current } : {}),
    ...(p.total !== undefined ? { total: p.total } : {}),
    fraction,
    done,
  };
  const layers = state.layers.slice();
  if (i >= 0) layers[i] = layer;
  else layers.push(layer);
  return { ...state, layers };
}

/** What a layer that was not done shows once the transfer failed (Docker leaves it on its last status). */
export const failedStatus = 'Failed';

export function finishTransfer(state: TransferState, error?: ContractError): TransferState {
  if (!error) return { ...state, phase: 'done' };
  const layers = state.layers.map((l) =>
    l.done ? l : { id: l.id, status: failedStatus, fraction: l.fraction, done: false, failed: true },
  );
  return { ...state, phase: 'failed', error, layers };
}

/** The whole transfer, 0…1: the mean of its layers; a finished one is 1 whatever the layers said. */
export function overallFraction(state: TransferState): number {
  if (state.phase === 'done') return 1;
  if (state.layers.length === 0) return 0;
  return state.layers.reduce((a, l) => a + l.fraction, 0) / state.layers.length;
}
