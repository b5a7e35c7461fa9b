// The renderer's only door to main: `window.berth` from the Electron preload, or the same contract
// over the web-mode WebSocket.
import type {
  BerthApi,
  ClientMessage,
  ContractError,
  EventChannel,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  Result,
  ServerMessage,
  StreamMessage,
} from '../../../electron/contract/index.ts';

declare global {
  interface Window {
    berth?: BerthApi;
  }
}

const unreachable = (message: string): { ok: false; error: ContractError } => ({
  ok: false,
  error: { kind: 'unreachable', code: 'ui.disconnected', message },
});

export function createWebSocketApi(url: string): BerthApi {
  let ws: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const streams = new Map<number, (m: StreamMessage<EventChannel>) => void>();

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const sock = new WebSocket(url);
      sock.onopen = () => {
        ws = sock;
        resolve(sock);
      };
      sock.onerror = () => reject(new Error('cannot connect to the Berth server'));
      sock.onclose = () => {
        ws = null;
        opened = null;
        for (const r of pending.values()) r(unreachable('the connection to the Berth server closed'));
        pending.clear();
        for (const s of streams.values()) {
          s({ type: 'end', error: unreachable('the connection to the Berth server closed').error });
        }
        streams.clear();
      };
      sock.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as ServerMessage;
        if (msg.op === 'result') {
          pending.get(msg.id)?.(msg.result);
          pending.delete(msg.id);
        } else {
          streams.get(msg.id)?.(msg.msg);
          if (msg.msg.type === 'end') streams.delete(msg.id);
        }
      };
    });
    opened.catch(() => {
      opened = null;
    });
    return opened;
  };

  const send = async (m: ClientMessage) => (await connect()).send(JSON.stringify(m));

  return {
    async invoke<C extends InvokeChannel>(channel: C, req: InvokeRequest<C>) {
      const id = nextId++;
      const result = new Promise<Result<unknown>>((resolve) => pending.set(id, resolve));
      try {
        await send({ op: 'invoke', id, channel, req });
      } catch (err) {
        pending.delete(id);
        return unreachable((err as Error).message);
      }
      return (await result) as Result<InvokeResponse<C>>;
    },
    subscribe(channel, params, onMessage) {
      const id = nextId++;
      streams.set(id, onMessage as (m: StreamMessage<EventChannel>) => void);
      send({ op: 'subscribe', id, channel, params }).catch((err: Error) => {
        streams.delete(id);
        onMessage({ type: 'end', error: unreachable(err.message).error });
      });
      return () => {
        if (!streams.delete(id)) return;
        if (ws) ws.send(JSON.stringify({ op: 'unsubscribe', id } satisfies ClientMessage));
      };
    },
  };
}

/** With the page's token, or without one: the browser then sends the cookie the server set with the page. */
function webSocketUrl(): string {
  const token = new URLSearchParams(location.search).get('token');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

let current: BerthApi | null = null;

/** The transport in use: chosen on first use, replaceable by tests (a seam, not a module mock). */
export function api(): BerthApi {
  current ??= window.berth ?? createWebSocketApi(webSocketUrl());
  return current;
}

export function setApi(next: BerthApi): void {
  current = next;
}
