// One store of typed slices (one file each); components read it with selectors.
import { create } from 'zustand';
import { containersSlice } from './containers.ts';
import { dashboardSlice } from './dashboard.ts';
import { engineSlice } from './engine.ts';
import { imagesSlice } from './images.ts';
import { kubeSlice } from './kube.ts';
import { machineSlice } from './machine.ts';
import { networksSlice } from './networks.ts';
import { noticesSlice } from './notices.ts';
import { paletteSlice } from './palette.ts';
import { settingsSlice } from './settings.ts';
import { terminalsSlice } from './terminals.ts';
import { troubleshootSlice } from './troubleshoot.ts';
import type { State } from './types.ts';
import { uiSlice } from './ui.ts';
import { volumesSlice } from './volumes.ts';

export { engineDown, engineUp } from './engine.ts';
export { activeKubeContext, activeKubeNamespace, kindListParams, kubeAheadMs, kubeBatchMs } from './kube.ts';
export type { KubeListState, KubeWatchState } from './kube-list.ts';
export { listKey } from './kube-list.ts';
export type { BulkOutcome, Selection, UseFilter } from './lists.ts';
export { bootLines, consoleLines, type MachineAction, machineNotRunning } from './machine.ts';
export { filterNetworks } from './networks.ts';
export type { TerminalPlace } from './terminals.ts';
export type { Slice, State, Theme } from './types.ts';
export { kubeKinds, parseRoute, type Route, routeHash } from './ui.ts';
export { filterVolumes } from './volumes.ts';

export const useStore = create<State>()((...a) => ({
  ...engineSlice(...a),
  ...containersSlice(...a),
  ...imagesSlice(...a),
  ...volumesSlice(...a),
  ...networksSlice(...a),
  ...settingsSlice(...a),
  ...troubleshootSlice(...a),
  ...terminalsSlice(...a),
  ...noticesSlice(...a),
  ...uiSlice(...a),
  ...dashboardSlice(...a),
  ...paletteSlice(...a),
  ...machineSlice(...a),
  ...kubeSlice(...a),
}));
