// One listening address of the service proxy: each TCP connection goes to the next ready backend in
// turn (the next again when one refuses); with none, the connection is reset at once (as kube-proxy's
// REJECT answers), never left hanging. UDP datagrams go to a backend chosen per client address, with replies sent back from the
// service's address. Backends change under a running listener without dropping open connections.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Backend, Frontend } from './frontends.ts';

export interface Relay {
  readonly frontend: Frontend;
  setBackends(backends: Backend[]): void;
  close(): Promise<void>;
}

export async function startRelay(frontend: Frontend, backends: Backend[]): Promise<Relay> {
  return frontend.protocol === 'UDP' ? startUdp(frontend, backends) : startTcp(frontend, backends);
}

async function startTcp(frontend: Frontend, initial: Backend[]): Promise<Relay> {
  let pool = initial;
  let next = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.pause();
    // A backend that refuses (a pod going away before the endpoints say so) is passed over for the
    // next one, as kube-proxy's userspace mode retried: the client sees a failure only when none takes it.
    const first = next++;
    const tryBackend = (attempt: number) => {
      if (client.destroyed) return;
      if (!pool.length || attempt >= Math.min(pool.length, 3)) {
        client.resetAndDestroy();
        return;
      }
      const b = pool[(first + attempt) % pool.length];
      const upstream = net.connect({ host: b.ip, port: b.port });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        open.add(upstream);
        upstream.on('close', () => open.delete(upstream));
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (connected) client.resetAndDestroy();
        else tryBackend(attempt + 1);
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: frontend.ip, port: frontend.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    frontend,
    setBackends(b) {
      pool = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function startUdp(frontend: Frontend, initial: Backend[]): Promise<Relay> {
  let pool = initial;
  let next = 0;
  const flows = new Map<string, { sock: dgram.Socket; backend: Backend; timer: NodeJS.Timeout }>();
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, from) => {
    if (!pool.length) return;
    const id = `${from.address}:${from.port}`;
    let flow = flows.get(id);
    if (!flow) {
      const b = pool[next++ % pool.length];
      const sock = dgram.createSocket('udp4');
      sock.on('message', (reply, peer) => {
        if (peer.address === b.ip && peer.port === b.port) server.send(reply, from.port, from.address);
      });
      sock.on('error', () => undefined);
      flow = { sock, backend: b, timer: setTimeout(() => undefined, 0) };
      flows.set(id, flow);
    }
    clearTimeout(flow.timer);
    const f = flow;
    // A flow with no traffic for 30 s goes, as conntrack forgets an idle UDP flow.
    f.timer = setTimeout(() => {
      f.sock.close();
      flows.delete(id);
    }, 30_000);
    f.timer.unref();
    f.sock.send(msg, f.backend.port, f.backend.ip);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(frontend.port, frontend.ip, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    frontend,
    setBackends(b) {
      pool = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const f of flows.values()) {
          clearTimeout(f.timer);
          f.sock.close();
        }
        flows.clear();
        server.close(() => resolve());
      }),
  };
}
