// The store's shape, apart from its slices' code, so that each slice file can name the whole state
// without importing the file that assembles it.
import type { StateCreator } from 'zustand';
import type { ContainersSlice } from './containers.ts';
import type { DashboardSlice } from './dashboard.ts';
import type { EngineSlice } from './engine.ts';
import type { ImagesSlice } from './images.ts';
import type { KubeSlice } from './kube.ts';
import type { MachineSlice } from './machine.ts';
import type { NetworksSlice } from './networks.ts';
import type { NoticesSlice } from './notices.ts';
import type { PaletteSlice } from './palette.ts';
import type { SettingsSlice } from './settings.ts';
import type { TerminalsSlice } from './terminals.ts';
import type { TroubleshootSlice } from './troubleshoot.ts';
import type { UiSlice } from './ui.ts';
import type { VolumesSlice } from './volumes.ts';

export type State = EngineSlice &
  ContainersSlice &
  ImagesSlice &
  VolumesSlice &
  NetworksSlice &
  SettingsSlice &
  TroubleshootSlice &
  TerminalsSlice &
  NoticesSlice &
  UiSlice &
  DashboardSlice &
  PaletteSlice &
  MachineSlice &
  KubeSlice;
export type Slice<T> = StateCreator<State, [], [], T>;
export type Theme = 'dark' | 'light';
