import { EventEmitter } from 'node:events';

/** Docker's event message shape (GET /events). */
export interface EngineEvent {
  Type: 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  // Deprecated top-level fields the docker CLI still reads for containers.
  status?: string;
  id?: string;
  from?: string;
}

export type EventInput = Pick<EngineEvent, 'Type' | 'Action' | 'Actor'>;

/** Keeps recent events for `--since` and fans out new ones to subscribers. */
export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly emitter = new EventEmitter();

  constructor(private readonly keep = 1000) {
    this.emitter.setMaxListeners(0);
  }

  emit(input: EventInput): EngineEvent {
    const nowNs = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const ev: EngineEvent = {
      ...input,
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (input.Type === 'container' || input.Type === 'image') {
      ev.status = input.Action;
      ev.id = input.Actor.ID;
      if (input.Type === 'container' && input.Actor.Attributes.image) ev.from = input.Actor.Attributes.image;
    }
    this.history.push(ev);
    if (this.history.length > this.keep) this.history.splice(0, this.history.length - this.keep);
    this.emitter.emit('event', ev);
    return ev;
  }

  /** Events with timeNano in [sinceNs, untilNs]. */
  past(sinceNs: bigint, untilNs: bigint | undefined): EngineEvent[] {
    return this.history.filter(
      (e) => BigInt(e.timeNano) >= sinceNs && (untilNs === undefined || BigInt(e.timeNano) <= untilNs),
    );
  }

  subscribe(cb: (e: EngineEvent) => void): () => void {
    this.emitter.on('event', cb);
    return () => this.emitter.off('event', cb);
  }
}
