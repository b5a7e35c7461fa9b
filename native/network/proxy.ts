import dgram from 'node:dgram';
import net from 'node:net';

/**
 * The userland proxy of one published port: it holds the host port (so that a second user gets
 * Docker's "address already in use"), and relays what the kernel's DNAT does not catch (traffic
 * between containers of the same bridge through a host address, IPv6 to an IPv4 container).
 */
export interface PortProxy {
  readonly hostIp: string;
  readonly hostPort: number;
  close(): Promise<void>;
}

export interface ProxyTarget {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  /** 0: any free port. */
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

function listenError(t: ProxyTarget, err: NodeJS.ErrnoException): Error {
  const family = t.hostIp.includes(':') ? `${t.proto}6` : `${t.proto}4`;
  const host = t.hostIp.includes(':') ? `[${t.hostIp}]` : t.hostIp;
  const reason =
    err.code === 'EADDRINUSE'
      ? 'address already in use'
      : err.code === 'EADDRNOTAVAIL'
        ? 'cannot assign requested address'
        : (err.message ?? String(err));
  return new Error(`Error starting userland proxy: listen ${family} ${host}:${t.hostPort}: bind: ${reason}`);
}

export function startProxy(t: ProxyTarget): Promise<PortProxy> {
  return t.proto === 'udp' ? startUdp(t) : startTcp(t);
}

function startTcp(t: ProxyTarget): Promise<PortProxy> {
  const conns = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({
      host: t.containerIp,
      port: t.containerPort,
      allowHalfOpen: true,
      noDelay: true,
    });
    conns.add(client);
    conns.add(upstream);
    const done = () => {
      conns.delete(client);
      conns.delete(upstream);
    };
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', done);
    upstream.on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(listenError(t, err)));
    server.listen(
      { host: t.hostIp, port: t.hostPort, ipv6Only: t.hostIp.includes(':'), exclusive: true },
      () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        const addr = server.address() as net.AddressInfo;
        resolve({
          hostIp: t.hostIp,
          hostPort: addr.port,
          close: () =>
            new Promise<void>((r) => {
              for (const c of conns) c.destroy();
              server.close(() => r());
            }),
        });
      },
    );
  });
}

function startUdp(t: ProxyTarget): Promise<PortProxy> {
  const v6 = t.hostIp.includes(':');
  const sock = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
  const peers = new Map<string, { s: dgram.Socket; timer: NodeJS.Timeout }>();
  const idleMs = 90_000;
  sock.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let p = peers.get(key);
    if (!p) {
      const s = dgram.createSocket('udp4');
      s.on('message', (reply) => sock.send(reply, rinfo.port, rinfo.address));
      s.on('error', () => undefined);
      p = { s, timer: setTimeout(() => undefined, 0) };
      peers.set(key, p);
    }
    const peer = p;
    clearTimeout(peer.timer);
    peer.timer = setTimeout(() => {
      peer.s.close();
      peers.delete(key);
    }, idleMs);
    peer.timer.unref();
    peer.s.send(msg, t.containerPort, t.containerIp);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', (err) => reject(listenError(t, err)));
    sock.bind({ address: t.hostIp, port: t.hostPort, exclusive: true }, () => {
      sock.removeAllListeners('error');
      sock.on('error', () => undefined);
      resolve({
        hostIp: t.hostIp,
        hostPort: sock.address().port,
        close: async () => {
          for (const p of peers.values()) {
            clearTimeout(p.timer);
            p.s.close();
          }
          sock.close();
        },
      });
    });
  });
}
