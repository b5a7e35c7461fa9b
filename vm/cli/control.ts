// The agent's control socket: JSON lines over a unix socket (mode 0600). A client sends
// `{"id":1,"cmd":"status"}` and reads `{"id":1,"ok":true,"value":…}` (or `"ok":false,"error":…`);
// `{"cmd":"events"}` also streams `{"event":…}` lines until the client goes. One small protocol for the
// CLI and the desktop app, so that both drive the same running machine.
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type Command =
  | 'status'
  | 'start'
  | 'stop'
  | 'restart'
  | 'events'
  | 'ping'
  /** The machine's settings (the agent's manager holds them while it runs). */
  | 'settings'
  /** `{settings}`: checks and saves a change; answers `{restartNeeded}`. */
  | 'configure'
  /** Wipes Berth's cluster's state in the machine and restarts berthd (images and containers stay). */
  | 'cluster-reset';

export interface Request {
  id: number;
  cmd: Command;
  args?: Record<string, unknown>;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type Handler = (
  req: Request,
  send: (event: unknown) => void,
  closed: Promise<void>,
) => Promise<unknown>;

/** Splits a byte stream into JSON lines; a line that does not parse is dropped with a note. */
export function lineReader(onValue: (v: unknown) => void, onBad: (line: string) => void = () => {}) {
  let buf = '';
  return (chunk: Buffer | string) => {
    buf += chunk.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        onValue(JSON.parse(line));
      } catch {
        onBad(line);
      }
    }
  };
}

export async function serveControl(socketPath: string, handle: Handler): Promise<net.Server> {
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await fs.rm(socketPath, { force: true });
  const server = net.createServer((conn) => {
    let gone!: () => void;
    const closed = new Promise<void>((r) => {
      gone = r;
    });
    conn.on('close', gone);
    conn.on('error', () => conn.destroy());
    const write = (v: unknown) => {
      if (!conn.destroyed) conn.write(`${JSON.stringify(v)}\n`);
    };
    conn.on(
      'data',
      lineReader(
        (v) => {
          const req = v as Request;
          if (typeof req?.id !== 'number' || typeof req.cmd !== 'string') {
            write({
              id: typeof req?.id === 'number' ? req.id : 0,
              ok: false,
              error: 'a request needs an id and a cmd',
            });
            return;
          }
          handle(req, (event) => write({ event }), closed).then(
            (value) => write({ id: req.id, ok: true, value: value ?? null }),
            (err: unknown) =>
              write({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
          );
        },
        (line) => write({ id: 0, ok: false, error: `not JSON: ${line.slice(0, 80)}` }),
      ),
    );
  });
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  await fs.chmod(socketPath, 0o600);
  return server;
}

/** A connection to a running agent. */
export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly eventListeners = new Set<(e: unknown) => void>();
  private closedWith: Error | undefined;

  private constructor(private readonly conn: net.Socket) {
    conn.on(
      'data',
      lineReader((v) => {
        const msg = v as Reply & { event?: unknown };
        if ('event' in msg && msg.event !== undefined) {
          for (const l of this.eventListeners) l(msg.event);
          return;
        }
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new Error(msg.error));
      }),
    );
    const fail = (why: string) => {
      this.closedWith ??= new Error(why);
      for (const p of this.pending.values()) p.reject(this.closedWith);
      this.pending.clear();
    };
    conn.on('close', () => fail('the Berth agent closed the connection'));
    conn.on('error', (err) => fail(`the Berth agent: ${err.message}`));
  }

  /** Connects, or resolves undefined when no agent listens there. */
  static connect(socketPath: string): Promise<ControlClient | undefined> {
    return new Promise((resolve) => {
      const conn = net.connect(socketPath);
      conn.once('connect', () => resolve(new ControlClient(conn)));
      conn.once('error', () => resolve(undefined));
    });
  }

  request<T = unknown>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.conn.write(`${JSON.stringify({ id, cmd, ...(args ? { args } : {}) })}\n`);
    });
  }

  onEvent(listener: (e: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  close(): void {
    this.conn.end();
    this.conn.destroy();
  }
}
