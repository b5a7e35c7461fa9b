// Electron IPC transport for the contract: the same handler modules as web mode, over ipcMain.
import type { IpcMain, WebContents } from 'electron';
import { isEventChannel, isInvokeChannel, type StreamMessage } from '../../contract/index.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from './handlers.ts';

export const ipcNames = {
  invoke: 'berth:invoke',
  subscribe: 'berth:subscribe',
  unsubscribe: 'berth:unsubscribe',
  stream: 'berth:stream',
} as const;

export function registerIpc(
  ipcMain: IpcMain,
  handlers: Handlers,
  trustedUrl: (url: string) => boolean,
): void {
  const streams = new Map<string, () => void>();
  const key = (wc: WebContents, id: number) => `${wc.id}:${id}`;

  ipcMain.handle(ipcNames.invoke, async (e, channel: unknown, req: unknown) => {
    if (!trustedUrl(e.senderFrame?.url ?? '')) {
      return { ok: false, error: { kind: 'forbidden', code: 'ipc.untrusted', message: 'untrusted frame' } };
    }
    if (typeof channel !== 'string' || !isInvokeChannel(channel)) {
      return {
        ok: false,
        error: { kind: 'invalid_argument', code: 'channel.unknown', message: `no channel ${channel}` },
      };
    }
    return dispatchInvoke(handlers, channel, req as never);
  });

  ipcMain.on(ipcNames.subscribe, (e, id: number, channel: unknown, params: unknown) => {
    if (!trustedUrl(e.senderFrame?.url ?? '') || typeof channel !== 'string' || !isEventChannel(channel))
      return;
    const wc = e.sender;
    const k = key(wc, id);
    const stop = dispatchStream(handlers, channel, params as never, (msg: StreamMessage<typeof channel>) => {
      if (msg.type === 'end') streams.delete(k);
      if (!wc.isDestroyed()) wc.send(ipcNames.stream, id, msg);
    });
    streams.set(k, stop);
    wc.once('destroyed', () => {
      streams.get(k)?.();
      streams.delete(k);
    });
  });

  ipcMain.on(ipcNames.unsubscribe, (e, id: number) => {
    const k = key(e.sender, id);
    streams.get(k)?.();
    streams.delete(k);
  });
}
