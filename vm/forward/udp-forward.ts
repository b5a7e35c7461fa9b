// A published UDP port on the host: one UDP socket, and one relay process in the guest (over an SSH
// exec channel: SSH carries no UDP) that holds a socket per host client. The peer table gives each
// client (address:port) a number that travels with its datagrams, so replies find their way back.
import dgram from 'node:dgram';
import type { ClientChannel } from 'ssh2';
import type { GuestTarget } from './listeners.ts';
import type { SshLink } from './ssh-link.ts';
import { encodeFrame, FrameDecoder } from './udp-frame.ts';

export interface Peer {
  address: string;
  port: number;
  id: number;
  lastSeen: number;
}

/** Host clients ↔ relay peer ids. Ids are never reused while the forward lives. */
export class PeerTable {
  private readonly byAddr = new Map<string, Peer>();
  private readonly byId = new Map<number, Peer>();
  private next = 1;

  idFor(address: string, port: number, now: number): number {
    const key = `${address}|${port}`;
    let p = this.byAddr.get(key);
    if (!p) {
      p = { address, port, id: this.next, lastSeen: now };
      this.next = this.next >= 0xffffffff ? 1 : this.next + 1;
      this.byAddr.set(key, p);
      this.byId.set(p.id, p);
    }
    p.lastSeen = now;
    return p.id;
  }

  /** The client of a reply; a reply counts as activity. */
  peerOf(id: number, now: number): Peer | undefined {
    const p = this.byId.get(id);
    if (p) p.lastSeen = now;
    return p;
  }

  /** Forgets the peers quiet for longer than idleMs; returns their ids. */
  expire(now: number, idleMs: number): number[] {
    const gone: number[] = [];
    for (const [key, p] of this.byAddr)
      if (now - p.lastSeen > idleMs) {
        this.byAddr.delete(key);
        this.byId.delete(p.id);
        gone.push(p.id);
      }
    return gone;
  }

  get size(): number {
    return this.byAddr.size;
  }
}

/** The guest command that runs the relay (the image puts it and Node under /opt/berth). */
export const defaultRelayCommand = (port: number, host: string): string =>
  `export PATH=/opt/berth/node/bin:$PATH; exec node /opt/berth/forward/udp-relay.mjs ${port} ${host}`;

export interface UdpForwardOptions {
  relayCommand?: (port: number, host: string) => string;
  idleMs?: number;
  onError?: (err: Error) => void;
}

/** Datagrams kept while the relay starts; beyond that they are dropped, as a full UDP buffer would. */
const maxQueued = 256;

export class UdpForward {
  readonly peers = new PeerTable();
  private readonly sock: dgram.Socket;
  private relay: ClientChannel | undefined;
  private starting: Promise<void> | undefined;
  private queue: Buffer[] = [];
  private sweep: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleMs: number;
  private readonly relayCommand: (port: number, host: string) => string;

  constructor(
    private readonly link: SshLink,
    readonly hostIp: string,
    readonly port: number,
    private readonly target: GuestTarget,
    private readonly opts: UdpForwardOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 60_000;
    this.relayCommand = opts.relayCommand ?? defaultRelayCommand;
    this.sock = dgram.createSocket({ type: 'udp4' });
  }

  get address(): string {
    return `${this.hostIp}:${this.port}`;
  }

  /** Binds the host port. Rejects with the bind error (EADDRINUSE when taken). */
  async open(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.sock.once('error', reject);
      this.sock.bind({ address: this.hostIp, port: this.port, exclusive: true }, () => {
        this.sock.off('error', reject);
        resolve();
      });
    });
    this.sock.on('error', (err) => this.opts.onError?.(err));
    this.sock.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
    this.sweep = setInterval(() => this.peers.expire(Date.now(), this.idleMs), Math.min(this.idleMs, 10_000));
    this.sweep.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    this.relay?.end();
    this.relay = undefined;
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const frame = encodeFrame(this.peers.idFor(rinfo.address, rinfo.port, Date.now()), msg);
    if (this.relay?.writable) {
      this.relay.write(frame);
      return;
    }
    if (this.queue.length < maxQueued) this.queue.push(frame);
    this.starting ??= this.startRelay().finally(() => {
      this.starting = undefined;
    });
  }

  private async startRelay(): Promise<void> {
    let ch: ClientChannel;
    try {
      ch = await this.link.exec(this.relayCommand(this.target.port, this.target.host));
    } catch (err) {
      this.queue = [];
      this.opts.onError?.(err as Error);
      return;
    }
    if (this.closed) {
      ch.end();
      return;
    }
    const decoder = new FrameDecoder();
    ch.on('data', (d: Buffer) => {
      for (const f of decoder.push(d)) {
        const peer = this.peers.peerOf(f.peer, Date.now());
        if (peer && !this.closed) this.sock.send(f.payload, peer.port, peer.address);
      }
    });
    let stderr = '';
    ch.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    ch.on('close', () => {
      if (this.relay === ch) this.relay = undefined;
      if (stderr.trim() && !this.closed)
        this.opts.onError?.(new Error(`the UDP relay for ${this.address} stopped: ${stderr.trim()}`));
    });
    this.relay = ch;
    for (const f of this.queue) ch.write(f);
    this.queue = [];
  }
}
