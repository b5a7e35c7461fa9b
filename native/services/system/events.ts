import type { EngineEvent, EventBus } from '../events.ts';

export interface EventQuery {
  /** Docker's event filters: type, event, container, image, label, volume, network, scope. */
  filters: Record<string, string[]>;
  /** Replay the recorded events from this time (ns since the epoch) first. */
  sinceNs?: bigint;
  /** Stop at this time; in the past, only the replay is given. */
  untilNs?: bigint;
  /** The consumer is gone. */
  signal?: AbortSignal;
}

/**
 * `docker events`: the recorded events since `sinceNs`, then live ones as they happen, until
 * `untilNs` or until the consumer stops.
 */
export async function* watchEvents(bus: EventBus, q: EventQuery): AsyncGenerator<EngineEvent> {
  const { filters, sinceNs, untilNs, signal } = q;
  // The replay and the subscription are taken together, so that no event falls between them.
  const replay =
    sinceNs !== undefined ? bus.past(sinceNs, untilNs).filter((e) => eventMatches(e, filters)) : [];
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const live = !(untilNs !== undefined && untilNs <= nowNs) && !signal?.aborted;
  const queue: EngineEvent[] = [];
  let wake: (() => void) | undefined;
  let done = !live;
  const stop = () => {
    done = true;
    wake?.();
  };
  const unsubscribe = live
    ? bus.subscribe((e) => {
        if (untilNs !== undefined && BigInt(e.timeNano) > untilNs) return;
        if (!eventMatches(e, filters)) return;
        queue.push(e);
        wake?.();
      })
    : () => {};
  signal?.addEventListener('abort', stop, { once: true });
  const timer =
    live && untilNs !== undefined ? setTimeout(stop, Number((untilNs - nowNs) / 1_000_000n)) : undefined;
  try {
    yield* replay;
    for (;;) {
      while (queue.length) yield queue.shift() as EngineEvent;
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

/** Whether an event passes Docker's event filters. */
export function eventMatches(e: EngineEvent, f: Record<string, string[]>): boolean {
  const attr = e.Actor.Attributes;
  if (f.type?.length && !f.type.includes(e.Type)) return false;
  if (f.event?.length && !f.event.some((a) => e.Action === a || e.Action.startsWith(`${a}:`))) return false;
  if (
    f.container?.length &&
    (e.Type !== 'container' || !f.container.some((c) => e.Actor.ID.startsWith(c) || attr.name === c))
  )
    return false;
  if (
    f.image?.length &&
    !f.image.some((i) => attr.image === i || e.Actor.ID === i || (e.Type === 'image' && attr.name === i))
  )
    return false;
  if (f.label?.length) {
    for (const l of f.label) {
      const i = l.indexOf('=');
      if (i < 0 ? !(l in attr) : attr[l.slice(0, i)] !== l.slice(i + 1)) return false;
    }
  }
  // dockerd's FuzzyMatch: the ID or the name starts with a value given.
  const fuzzy = (values: string[]) =>
    values.some((v) => e.Actor.ID.startsWith(v) || attr.name?.startsWith(v) === true);
  if (f.volume?.length && (e.Type !== 'volume' || !fuzzy(f.volume))) return false;
  if (f.network?.length && (e.Type !== 'network' || !fuzzy(f.network))) return false;
  if (f.scope?.length && !f.scope.includes('local')) return false;
  return true;
}
