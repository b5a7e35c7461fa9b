// Learns the published ports from the engine itself, through the forwarded Docker API: the running
// containers' ports when the link comes up, then `GET /events` — each container start, die or
// destroy, and each network connect or disconnect (a port published on a user network appears when
// the container joins it), makes it inspect that container again. No polling of /proc/net/tcp.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { GuestTarget } from './listeners.ts';
import { portsOfInspect, portsOfSummary, type SummaryPort, type WantedPort } from './ports.ts';
import type { LinkState, SshLink } from './ssh-link.ts';

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Which container an event is about, when it can change what the container publishes. */
export function containerOfEvent(ev: EngineEvent): string | undefined {
  if (
    ev.Type === 'container' &&
    ['start', 'die', 'destroy', 'stop', 'kill', 'pause', 'unpause'].includes(ev.Action ?? '')
  )
    return ev.Actor?.ID;
  if (ev.Type === 'network' && (ev.Action === 'connect' || ev.Action === 'disconnect'))
    return ev.Actor?.Attributes?.container;
  return undefined;
}

export const eventFilters = JSON.stringify({
  type: ['container', 'network'],
  event: ['start', 'die', 'destroy', 'stop', 'kill', 'pause', 'unpause', 'connect', 'disconnect'],
});

export class EngineWatch extends EventEmitter<{ error: [Error]; synced: [] }> {
  private readonly byContainer = new Map<string, WantedPort[]>();
  private readonly pending = new Map<string, Promise<void>>();
  private generation = 0;
  private stopped = true;
  private events: http.ClientRequest | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly onState = (s: LinkState) => {
    if (s.state === 'connected') this.follow();
    else this.drop();
  };

  constructor(
    private readonly link: SshLink,
    private readonly target: GuestTarget,
    private readonly onPorts: (ports: WantedPort[]) => void,
  ) {
    super();
  }

  start(): void {
    this.stopped = false;
    this.link.on('state', this.onState);
    if (this.link.state.state === 'connected') this.follow();
  }

  stop(): void {
    this.stopped = true;
    this.link.off('state', this.onState);
    this.drop();
  }

  /** The ports wanted now, all containers together. */
  ports(): WantedPort[] {
    return [...this.byContainer.values()].flat();
  }

  private drop(): void {
    this.generation++;
    clearTimeout(this.retry);
    this.events?.destroy();
    this.events = undefined;
  }

  private follow(): void {
    this.drop();
    const gen = this.generation;
    void this.sync(gen).catch((err: Error) => {
      if (gen !== this.generation || this.stopped) return;
      this.emit('error', new Error(`cannot follow the engine's events: ${err.message}`));
      // The engine in the guest may be restarting while SSH stays up: try again shortly.
      this.retry = setTimeout(() => {
        if (gen === this.generation && !this.stopped) this.follow();
      }, 1_000);
    });
  }

  /** Events first, then the list: a change between the two is then seen as an event, not lost. */
  private async sync(gen: number): Promise<void> {
    const res = await this.open('GET', `/events?filters=${encodeURIComponent(eventFilters)}`);
    if (gen !== this.generation) {
      res.destroy();
      return;
    }
    if (res.statusCode !== 200) throw new Error(`GET /events answered ${res.statusCode}`);
    let buf = '';
    let bad: Error | undefined;
    // The stream lasts as long as the engine and the link: its end is a failure to recover from.
    const ended = new Promise<never>((_, reject) => {
      res.on('end', () => reject(bad ?? new Error('the event stream ended')));
      res.on('error', reject);
      res.on('close', () => reject(bad ?? new Error('the event stream closed')));
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (!line) continue;
        try {
          const id = containerOfEvent(JSON.parse(line) as EngineEvent);
          if (id) void this.refresh(id, gen);
        } catch (err) {
          bad = err as Error;
        }
      }
    });
    const list = (await this.json('GET', '/containers/json')) as Array<{ Id: string; Ports?: SummaryPort[] }>;
    if (gen !== this.generation) return;
    this.byContainer.clear();
    for (const c of list) {
      const ports = portsOfSummary(c.Ports);
      if (ports.length) this.byContainer.set(c.Id, ports);
    }
    this.publish();
    this.emit('synced');
    await ended;
  }

  /** Inspects one container again (one inspect at a time per container, in event order). */
  private refresh(id: string, gen: number): Promise<void> {
    const before = this.pending.get(id) ?? Promise.resolve();
    const next = before.then(async () => {
      if (gen !== this.generation) return;
      let ports: WantedPort[] = [];
      try {
        ports = portsOfInspect(
          (await this.json('GET', `/containers/${encodeURIComponent(id)}/json`)) as object,
        );
      } catch (err) {
        if ((err as { status?: number }).status !== 404) {
          this.emit(
            'error',
            new Error(`cannot inspect container ${id.slice(0, 12)}: ${(err as Error).message}`),
          );
          return;
        }
      }
      if (gen !== this.generation) return;
      if (ports.length) this.byContainer.set(id, ports);
      else this.byContainer.delete(id);
      this.publish();
    });
    this.pending.set(id, next);
    void next.finally(() => {
      if (this.pending.get(id) === next) this.pending.delete(id);
    });
    return next;
  }

  private publish(): void {
    this.onPorts(this.ports());
  }

  private open(method: string, path: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        method,
        path,
        host: 'guest',
        // Callback form, and no agent (so Node calls it): the request waits for the SSH channel to open.
        createConnection: ((_o: unknown, cb: (err: Error | null, s?: Duplex) => void) => {
          this.link.forwardOut(this.target.host, this.target.port, 5_000).then(
            (ch) => cb(null, ch),
            (err: Error) => cb(err),
          );
          return undefined;
        }) as unknown as http.RequestOptions['createConnection'],
      });
      if (path.startsWith('/events')) this.events = req;
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
  }

  private async json(method: string, path: string): Promise<unknown> {
    const res = await this.open(method, path);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 500) >= 400) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {}
      throw Object.assign(new Error(`${method} ${path}: ${res.statusCode} ${message}`), {
        status: res.statusCode,
      });
    }
    return JSON.parse(text);
  }
}
