// Host listeners whose every connection becomes a direct-tcpip channel to an address in the guest:
// the Docker socket (a unix socket on the host, TCP in the guest: Debian 12's dropbear cannot forward
// to unix sockets) and TCP ports (the Kubernetes API, published container ports).
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { splice } from './splice.ts';
import type { SshLink } from './ssh-link.ts';

export interface GuestTarget {
  host: string;
  port: number;
}

export interface ForwardListener {
  /** Where it listens: a socket path, or host:port. */
  readonly address: string;
  /** Connections open now. */
  readonly active: number;
  close(): Promise<void>;
}

/** How long a connection made while the link is down waits for it before it is dropped. */
const connectWaitMs = 15_000;

function serve(
  link: SshLink,
  target: GuestTarget,
  onError: (err: Error) => void,
): { server: net.Server; conns: Set<net.Socket> } {
  const conns = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => undefined);
    link.forwardOut(target.host, target.port, connectWaitMs).then(
      (ch) => {
        if (sock.destroyed) {
          ch.close();
          return;
        }
        sock.setNoDelay(true);
        void splice(sock, ch);
        sock.resume();
      },
      (err: Error) => {
        onError(err);
        sock.destroy();
      },
    );
  });
  return { server, conns };
}

function closer(server: net.Server, conns: Set<net.Socket>, after?: () => Promise<void>) {
  return async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const c of conns) c.destroy();
    });
    await after?.();
  };
}

/**
 * A unix socket (mode 0600 in a 0700 directory) forwarded to the guest. A socket file left by a
 * forwarder that died is replaced; one that still answers belongs to a live forwarder and is an error.
 */
export async function listenUnix(
  link: SshLink,
  socketPath: string,
  target: GuestTarget,
  onError: (err: Error) => void = () => undefined,
): Promise<ForwardListener> {
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(socketPath), 0o700);
  const st = await fs.lstat(socketPath).catch(() => undefined);
  if (st) {
    if (!st.isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
    if (await answers(socketPath)) throw new Error(`${socketPath} is in use by another process`);
    await fs.unlink(socketPath);
  }
  const { server, conns } = serve(link, target, onError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The directory is 0700 already, so nobody else can reach the socket in the instant before this.
  await fs.chmod(socketPath, 0o600);
  return {
    address: socketPath,
    get active() {
      return conns.size;
    },
    close: closer(server, conns, () => fs.unlink(socketPath).catch(() => undefined)),
  };
}

/** A TCP port on the host forwarded to the guest. Rejects with the listen error (EADDRINUSE …). */
export async function listenTcp(
  link: SshLink,
  host: string,
  port: number,
  target: GuestTarget,
  onError: (err: Error) => void = () => undefined,
): Promise<ForwardListener> {
  const { server, conns } = serve(link, target, onError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: `${host}:${port}`,
    get active() {
      return conns.size;
    },
    close: closer(server, conns),
  };
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socketPath);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
