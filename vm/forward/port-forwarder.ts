// The host's listeners for published ports. Every source of ports (the engine's containers now, the
// cluster's Services later) hands its whole current list to setWanted; the forwarder listens on the
// union and closes what no source wants any more. A port the host cannot take is reported (which
// port, and by whom when that can be found) and the others keep working.
import { EventEmitter } from 'node:events';
import { type ForwardListener, listenTcp } from './listeners.ts';
import { describeOwner, findPortOwner, type PortOwner } from './port-owner.ts';
import { diffPorts, portKey, type WantedPort } from './ports.ts';
import type { SshLink } from './ssh-link.ts';
import { UdpForward, type UdpForwardOptions } from './udp-forward.ts';

export type PortEvent =
  | { kind: 'opened'; port: WantedPort; address: string }
  | { kind: 'closed'; port: WantedPort; address: string }
  | { kind: 'conflict'; port: WantedPort; address: string; owner?: PortOwner; message: string }
  | { kind: 'error'; port?: WantedPort; message: string };

export interface PortForwarderOptions {
  /**
   * Where on the host a wanted port listens (default: its hostIp and port). Tests on a host that also
   * runs the "guest" engine move it aside, since the engine holds the same address there.
   */
  listenAddress?: (p: WantedPort) => { host: string; port: number };
  udp?: Pick<UdpForwardOptions, 'relayCommand' | 'idleMs'>;
}

interface Open {
  port: WantedPort;
  close(): Promise<void>;
  address: string;
}

export class PortForwarder extends EventEmitter<{ port: [PortEvent] }> {
  private readonly sources = new Map<string, WantedPort[]>();
  private readonly open = new Map<string, Open>();
  /** Ports that could not be taken: not tried again until a source drops and re-adds them. */
  private readonly failed = new Map<string, WantedPort>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly link: SshLink,
    private readonly opts: PortForwarderOptions = {},
  ) {
    super();
  }

  /** The seam: `source` (e.g. "docker", "kubernetes") wants exactly these ports now. */
  setWanted(source: string, ports: WantedPort[]): Promise<void> {
    if (ports.length) this.sources.set(source, ports);
    else this.sources.delete(source);
    return this.reconcile();
  }

  /** Tries again the ports that could not be taken (the user stopped what held one, say). */
  retryFailed(): Promise<void> {
    this.failed.clear();
    return this.reconcile();
  }

  /** Host addresses listening now, by key (`tcp/127.0.0.1:8080`). */
  listening(): Map<string, string> {
    return new Map([...this.open].map(([k, o]) => [k, o.address]));
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.sources.clear();
    await this.reconcile();
  }

  private reconcile(): Promise<void> {
    // One reconcile at a time, in order: each sees the listeners the previous one left.
    this.chain = this.chain.then(() => this.apply());
    return this.chain;
  }

  private union(): Map<string, WantedPort> {
    const all = new Map<string, WantedPort>();
    for (const list of this.sources.values())
      for (const p of list) if (!all.has(portKey(p))) all.set(portKey(p), p);
    return all;
  }

  private async apply(): Promise<void> {
    const want = this.union();
    for (const k of this.failed.keys()) if (!want.has(k)) this.failed.delete(k);
    const current = [...this.open.values()].map((o) => o.port);
    const { add, remove } = diffPorts(current, this.stopped ? [] : want.values());
    for (const p of remove) {
      const o = this.open.get(portKey(p));
      if (!o) continue;
      this.open.delete(portKey(p));
      await o.close().catch(() => undefined);
      this.emit('port', { kind: 'closed', port: p, address: o.address });
    }
    for (const p of add) {
      if (this.failed.has(portKey(p))) continue;
      await this.openOne(p);
    }
  }

  private async openOne(p: WantedPort): Promise<void> {
    const at = this.opts.listenAddress?.(p) ?? { host: p.hostIp, port: p.port };
    const address = `${at.host}:${at.port}`;
    const target = { host: p.guestHost ?? '127.0.0.1', port: p.guestPort ?? p.port };
    const onError = (err: Error) => this.emit('port', { kind: 'error', port: p, message: err.message });
    try {
      let o: Open;
      if (p.proto === 'tcp') {
        const l: ForwardListener = await listenTcp(this.link, at.host, at.port, target, onError);
        o = { port: p, address, close: () => l.close() };
      } else {
        const u = new UdpForward(this.link, at.host, at.port, target, { ...this.opts.udp, onError });
        await u.open();
        o = { port: p, address, close: () => u.close() };
      }
      this.open.set(portKey(p), o);
      this.emit('port', { kind: 'opened', port: p, address });
    } catch (err) {
      this.failed.set(portKey(p), p);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        const owner = code === 'EADDRINUSE' ? await findPortOwner(p.proto, at.port) : undefined;
        const why =
          code === 'EACCES'
            ? 'needs privileges the app does not have'
            : `is taken by ${describeOwner(owner)}`;
        this.emit('port', {
          kind: 'conflict',
          port: p,
          address,
          owner,
          message: `cannot forward ${p.proto} port ${at.port}: ${address} ${why}`,
        });
      } else {
        this.emit('port', {
          kind: 'error',
          port: p,
          message: `cannot forward ${p.proto} ${address}: ${(err as Error).message}`,
        });
      }
    }
  }
}
