// One client connection speaking the contract's wire messages; transport-agnostic so the web server
// (WebSocket) and tests share it.
import {
  type ClientMessage,
  isEventChannel,
  isInvokeChannel,
  type Result,
  type ServerMessage,
} from '../contract/index.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from '../main/ipc/handlers.ts';

export class ContractSession {
  private readonly streams = new Map<number, () => void>();

  constructor(
    private readonly handlers: Handlers,
    private readonly send: (msg: ServerMessage) => void,
  ) {}

  async receive(raw: string): Promise<void> {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(raw) as ClientMessage;
    } catch {
      return;
    }
    if (msg.op === 'invoke') {
      const result: Result<unknown> = isInvokeChannel(msg.channel)
        ? await dispatchInvoke(this.handlers, msg.channel, msg.req as never)
        : {
            ok: false,
            error: {
              kind: 'invalid_argument',
              code: 'channel.unknown',
              message: `no channel ${msg.channel}`,
            },
          };
      this.send({ op: 'result', id: msg.id, result });
    } else if (msg.op === 'subscribe') {
      if (!isEventChannel(msg.channel)) {
        this.send({
          op: 'stream',
          id: msg.id,
          msg: {
            type: 'end',
            error: { kind: 'invalid_argument', code: 'channel.unknown', message: `no stream ${msg.channel}` },
          },
        });
        return;
      }
      const stop = dispatchStream(this.handlers, msg.channel, msg.params as never, (m) => {
        if (m.type === 'end') this.streams.delete(msg.id);
        this.send({ op: 'stream', id: msg.id, msg: m });
      });
      this.streams.set(msg.id, stop);
    } else if (msg.op === 'unsubscribe') {
      this.streams.get(msg.id)?.();
      this.streams.delete(msg.id);
    }
  }

  close(): void {
    for (const stop of this.streams.values()) stop();
    this.streams.clear();
  }
}
