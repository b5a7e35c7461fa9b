// The typed contract between the UI and main (Electron IPC or web mode). Channel names and types live
// in one file per domain and are assembled here; the channel lists are `ChannelList`s of the maps, so a
// channel missing from a list is a type error (channels.test.ts holds the proof). No runtime
// dependencies: only types and constant sets.

import { type AppInvoke, appChannels } from './app.ts';
import type { ChannelList } from './channel-list.ts';
import {
  type ContainersEvents,
  type ContainersInvoke,
  containersChannels,
  containersEventChannels,
} from './containers.ts';
import { type EngineInvoke, engineChannels } from './engine.ts';
import type { ContractError, Result } from './errors.ts';
import { type ImagesEvents, type ImagesInvoke, imagesChannels, imagesEventChannels } from './images.ts';
import {
  type KubernetesEvents,
  type KubernetesInvoke,
  kubernetesChannels,
  kubernetesEventChannels,
} from './kubernetes.ts';
import { type MachineEvents, type MachineInvoke, machineChannels, machineEventChannels } from './machine.ts';
import { type NetworksInvoke, networksChannels } from './networks.ts';
import {
  type TerminalEvents,
  type TerminalInvoke,
  terminalChannels,
  terminalEventChannels,
} from './terminal.ts';
import { type TransfersInvoke, transfersChannels } from './transfers.ts';
import { type VolumesInvoke, volumesChannels } from './volumes.ts';

export * from './app.ts';
export * from './channel-list.ts';
export * from './containers.ts';
export * from './engine.ts';
export * from './errors.ts';
export * from './images.ts';
export * from './kubernetes.ts';
export * from './machine.ts';
export * from './networks.ts';
export * from './terminal.ts';
export * from './transfers.ts';
export * from './volumes.ts';

/** Request/response types of each invoke channel. */
export interface InvokeMap
  extends EngineInvoke,
    ContainersInvoke,
    ImagesInvoke,
    VolumesInvoke,
    NetworksInvoke,
    TerminalInvoke,
    TransfersInvoke,
    MachineInvoke,
    KubernetesInvoke,
    AppInvoke {}
export type InvokeChannel = keyof InvokeMap;
export type InvokeRequest<C extends InvokeChannel> = InvokeMap[C]['req'];
export type InvokeResponse<C extends InvokeChannel> = InvokeMap[C]['res'];

/**
 * Streams: subscribe with params, receive events until the stream ends or the subscriber unsubscribes.
 * A stream ends with an `end` event (and an error when it failed).
 */
export interface EventMap
  extends ContainersEvents,
    ImagesEvents,
    TerminalEvents,
    MachineEvents,
    KubernetesEvents {}
export type EventChannel = keyof EventMap;
export type EventParams<C extends EventChannel> = EventMap[C]['params'];
export type EventPayload<C extends EventChannel> = EventMap[C]['event'];

export type StreamMessage<C extends EventChannel> =
  | { type: 'event'; event: EventPayload<C> }
  | { type: 'end'; error?: ContractError };

const invokeChannelSet: ChannelList<InvokeMap> = {
  ...engineChannels,
  ...containersChannels,
  ...imagesChannels,
  ...volumesChannels,
  ...networksChannels,
  ...terminalChannels,
  ...transfersChannels,
  ...machineChannels,
  ...kubernetesChannels,
  ...appChannels,
};
const eventChannelSet: ChannelList<EventMap> = {
  ...containersEventChannels,
  ...imagesEventChannels,
  ...terminalEventChannels,
  ...machineEventChannels,
  ...kubernetesEventChannels,
};

export const invokeChannels = Object.keys(invokeChannelSet) as readonly InvokeChannel[];
export const eventChannels = Object.keys(eventChannelSet) as readonly EventChannel[];

export function isInvokeChannel(c: string): c is InvokeChannel {
  return Object.hasOwn(invokeChannelSet, c);
}
export function isEventChannel(c: string): c is EventChannel {
  return Object.hasOwn(eventChannelSet, c);
}

/** What the renderer sees as `window.berth` (preload) or the web-mode client: the same shape. */
export interface BerthApi {
  invoke<C extends InvokeChannel>(channel: C, req: InvokeRequest<C>): Promise<Result<InvokeResponse<C>>>;
  /** Returns an unsubscribe function. */
  subscribe<C extends EventChannel>(
    channel: C,
    params: EventParams<C>,
    onMessage: (msg: StreamMessage<C>) => void,
  ): () => void;
}

// Wire messages for transports that multiplex over one connection (web mode WebSocket, Electron ports).
export type ClientMessage =
  | { op: 'invoke'; id: number; channel: string; req: unknown }
  | { op: 'subscribe'; id: number; channel: string; params: unknown }
  | { op: 'unsubscribe'; id: number };
export type ServerMessage =
  | { op: 'result'; id: number; result: Result<unknown> }
  | { op: 'stream'; id: number; msg: StreamMessage<EventChannel> };
