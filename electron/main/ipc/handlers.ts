// The handler registry: every domain module contributes handlers for its channels; Electron main and
// the web-mode server both dispatch through `dispatchInvoke` / `dispatchStream`.
import type {
  ContractError,
  EventChannel,
  EventParams,
  EventPayload,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  Result,
  StreamMessage,
} from '../../contract/index.ts';
import type { Transfers } from '../files/transfers.ts';
import { toContractError } from './errors.ts';

export type InvokeHandlers = {
  [C in InvokeChannel]: (req: InvokeRequest<C>) => Promise<InvokeResponse<C>>;
};

/** Runs until the stream ends (resolve) or fails (reject); stops early when `signal` aborts. */
export type StreamHandler<C extends EventChannel> = (
  params: EventParams<C>,
  emit: (event: EventPayload<C>) => void,
  signal: AbortSignal,
) => Promise<void>;

export type StreamHandlers = { [C in EventChannel]: StreamHandler<C> };

export interface Handlers {
  invoke: InvokeHandlers;
  streams: StreamHandlers;
  /**
   * Ends what the handlers keep running on their own (terminal sessions) and finishes what must not be
   * lost (removals waiting for their undo time) when the app quits.
   */
  dispose?(): Promise<void>;
  /** Downloads the web server serves at /transfers/{id}. */
  transfers?: Transfers;
}

export async function dispatchInvoke<C extends InvokeChannel>(
  handlers: Handlers,
  channel: C,
  req: InvokeRequest<C>,
): Promise<Result<InvokeResponse<C>>> {
  try {
    const fn = handlers.invoke[channel] as (r: InvokeRequest<C>) => Promise<InvokeResponse<C>>;
    return { ok: true, value: await fn(req) };
  } catch (err) {
    return { ok: false, error: toContractError(err) };
  }
}

/** Starts a stream; returns the function that stops it. `onMessage` gets exactly one `end`. */
export function dispatchStream<C extends EventChannel>(
  handlers: Handlers,
  channel: C,
  params: EventParams<C>,
  onMessage: (msg: StreamMessage<C>) => void,
): () => void {
  const controller = new AbortController();
  let ended = false;
  const end = (error?: ContractError) => {
    if (ended) return;
    ended = true;
    onMessage(error ? { type: 'end', error } : { type: 'end' });
  };
  const fn = handlers.streams[channel] as StreamHandler<C>;
  fn(
    params,
    (event) => {
      if (!ended) onMessage({ type: 'event', event });
    },
    controller.signal,
  ).then(
    () => end(),
    (err: unknown) => end(controller.signal.aborted ? undefined : toContractError(err)),
  );
  return () => {
    controller.abort();
    end();
  };
}
