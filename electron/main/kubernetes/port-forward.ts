// Port-forwards: 127.0.0.1:<local> on this machine to a port of a pod (or of a service: one ready pod
// behind it, the service port mapped to its targetPort, as `kubectl port-forward svc/…` does). Each
// accepted connection is its own tunnel (client-node's PortForward: one WebSocket per connection).
// The list lives in main while the app runs; a forward whose pod goes away stops listening and keeps
// the reason until the user removes it.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { PortForwardView } from '../../contract/index.ts';
import { HandlerError } from '../ipc/errors.ts';

export interface ForwardRequest {
  context: string;
  namespace: string;
  kind: 'pods' | 'services';
  name: string;
  remotePort: number;
  localPort?: number;
}

/** What reaches the cluster: the seam the registry drives (client-node in the app, a fake in tests). */
export interface ForwardBackend {
  /** The pod and its port that a request means (a service's: a ready pod and its targetPort). */
  resolve(req: ForwardRequest): Promise<{ pod: string; port: number }>;
  /**
   * Tunnels one accepted connection to the pod's port; resolves once the tunnel is open. `failed` hears
   * the cluster's error for this connection (the pod refused it) before the socket is ended.
   */
  connect(
    req: { context: string; namespace: string; pod: string; port: number },
    socket: net.Socket,
    failed: (message: string) => void,
  ): Promise<void>;
  /** Calls `gone` once if the pod is deleted or ends; returns what stops watching. */
  watchPod(
    req: { context: string; namespace: string; pod: string },
    gone: (reason: string) => void,
  ): () => void;
}

interface Forward {
  view: PortForwardView;
  server: net.Server | null;
  sockets: Set<net.Socket>;
  stopWatch: () => void;
}

const bad = (message: string) => new HandlerError('invalid_argument', 'kube.bad_request', message);

function check(req: ForwardRequest): ForwardRequest {
  const r = (typeof req === 'object' && req !== null ? req : {}) as Partial<ForwardRequest>;
  for (const k of ['context', 'namespace', 'name'] as const)
    if (typeof r[k] !== 'string' || !r[k]) throw bad(`${k} must be a non-empty string`);
  if (r.kind !== 'pods' && r.kind !== 'services') throw bad('kind must be pods or services');
  const port = (v: unknown, min: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 65535;
  if (!port(r.remotePort, 1)) throw bad('remotePort must be a port number (1–65535)');
  if (r.localPort !== undefined && !port(r.localPort, 0))
    throw bad('localPort must be a port number, or 0 for any');
  return r as ForwardRequest;
}

export class PortForwards {
  private readonly forwards = new Map<string, Forward>();
  private readonly watchers = new Set<(list: PortForwardView[]) => void>();

  constructor(
    private readonly backend: ForwardBackend,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): PortForwardView[] {
    return [...this.forwards.values()].map((f) => ({ ...f.view }));
  }

  /** Listens at once; the first connection finds out whether the pod answers on that port. */
  async start(raw: ForwardRequest): Promise<PortForwardView> {
    const req = check(raw);
    const { pod, port } = await this.backend.resolve(req);
    const id = randomUUID();
    const sockets = new Set<net.Socket>();
    const target = { context: req.context, namespace: req.namespace, pod, port };
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let failure: string | undefined;
      const failed = (message: string) => {
        failure = message;
        const f = this.forwards.get(id);
        if (f && !f.view.error && f.view.lastError !== message) {
          f.view.lastError = message;
          this.changed();
        }
      };
      socket.on('close', () => {
        sockets.delete(socket);
        // The pod answered this one: an earlier connection's failure is history.
        const f = this.forwards.get(id);
        if (f?.view.lastError && !failure && socket.bytesWritten > 0) {
          delete f.view.lastError;
          this.changed();
        }
      });
      socket.on('error', () => socket.destroy());
      this.backend.connect(target, socket, failed).catch((err: Error) => {
        socket.destroy();
        const f = this.forwards.get(id);
        if (f && /\b404\b|not found/i.test(err.message)) this.fail(f, `pod ${pod} is gone: ${err.message}`);
        else failed(err.message);
      });
    });
    const localPort = await new Promise<number>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new HandlerError('conflict', 'kube.port_in_use', `127.0.0.1:${req.localPort} is in use`)
            : err,
        ),
      );
      server.listen(req.localPort ?? 0, '127.0.0.1', () =>
        resolve((server.address() as net.AddressInfo).port),
      );
    });
    const kindWord = req.kind === 'pods' ? 'pod' : 'service';
    const view: PortForwardView = {
      id,
      context: req.context,
      namespace: req.namespace,
      target: `${kindWord}/${req.name}`,
      remotePort: req.remotePort,
      localPort,
      url: `http://127.0.0.1:${localPort}/`,
      startedAt: this.now().toISOString(),
    };
    const f: Forward = { view, server, sockets, stopWatch: () => {} };
    this.forwards.set(id, f);
    f.stopWatch = this.backend.watchPod(target, (reason) => this.fail(f, reason));
    this.changed();
    return { ...view };
  }

  /** Stops listening, ends its connections, and takes it off the list. */
  async stop(id: string): Promise<void> {
    const f = this.forwards.get(id);
    if (!f) throw new HandlerError('not_found', 'kube.no_forward', `no port-forward ${id}`);
    this.forwards.delete(id);
    await this.shut(f);
    this.changed();
  }

  async stopAll(): Promise<void> {
    const all = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(all.map((f) => this.shut(f)));
  }

  /** The list now and after each change, until `signal` aborts. */
  async follow(emit: (list: PortForwardView[]) => void, signal: AbortSignal): Promise<void> {
    const send = () => emit(this.list());
    send();
    this.watchers.add(send);
    await new Promise<void>((resolve) => {
      const stop = () => {
        this.watchers.delete(send);
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  private fail(f: Forward, reason: string): void {
    if (f.view.error || !this.forwards.has(f.view.id)) return;
    f.view.error = reason;
    void this.shut(f);
    this.changed();
  }

  private async shut(f: Forward): Promise<void> {
    f.stopWatch();
    const server = f.server;
    f.server = null;
    for (const s of f.sockets) s.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private changed(): void {
    const list = this.list();
    for (const w of this.watchers) w(list);
  }
}
