// Exposes `window.berth` (the contract's BerthApi) and nothing else. Runs sandboxed: only `electron`'s
// contextBridge and ipcRenderer are available.
import { contextBridge, ipcRenderer } from 'electron';
import {
  type BerthApi,
  type EventChannel,
  type InvokeChannel,
  isEventChannel,
  isInvokeChannel,
  type StreamMessage,
} from '../contract/index.ts';

const listeners = new Map<number, (msg: StreamMessage<EventChannel>) => void>();
let nextId = 1;

ipcRenderer.on('berth:stream', (_e, id: number, msg: StreamMessage<EventChannel>) => {
  listeners.get(id)?.(msg);
  if (msg.type === 'end') listeners.delete(id);
});

const api: BerthApi = {
  invoke(channel: InvokeChannel, req: unknown) {
    if (!isInvokeChannel(channel)) return Promise.reject(new Error(`no channel ${channel}`));
    return ipcRenderer.invoke('berth:invoke', channel, req);
  },
  subscribe(channel, params, onMessage) {
    if (!isEventChannel(channel)) throw new Error(`no stream ${channel}`);
    const id = nextId++;
    listeners.set(id, onMessage as (msg: StreamMessage<EventChannel>) => void);
    ipcRenderer.send('berth:subscribe', id, channel, params);
    return () => {
      listeners.delete(id);
      ipcRenderer.send('berth:unsubscribe', id);
    };
  },
} as BerthApi;

contextBridge.exposeInMainWorld('berth', api);
