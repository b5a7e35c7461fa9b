// pods/portforward: a WebSocket either tunnelling SPDY/3.1 (`SPDY/3.1+portforward.k8s.io`, kubectl
// ≥1.31: any number of connections, each a pair of SPDY streams) or carrying channels
// (`v4.channel.k8s.io`, client-node's PortForward: the ports of the `ports` query, one connection each,
// data on channel 2n and errors on 2n+1, both opened with the port). The pod is checked before 101.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiContext, Scope } from '../context.ts';
import type { KubeObject } from '../registry.ts';
import { badRequest } from '../status.ts';
import type { PortForwardBackend } from './backends.ts';
import {
  type ChannelProtocol,
  decodeChannel,
  encodeChannel,
  portForwardProtocols,
  portPrefix,
  protocolNamed,
} from './channels.ts';
import { streamPod } from './pods.ts';
import { SpdyPortForwardSession } from './spdy-portforward.ts';
import { acceptWebSocket, CloseCode, checkHandshake, type WebSocketConnection } from './websocket.ts';

export const spdyTunnelProtocol = 'SPDY/3.1+portforward.k8s.io';

/** The kubelet's message for a forward that failed. */
const describe = (pod: KubeObject, port: number, err: Error) =>
  `error forwarding port ${port} to pod ${pod.metadata?.name}, uid ${pod.metadata?.uid ?? ''}: ${err.message}`;

export async function upgradePortForward(
  backend: PortForwardBackend,
  ctx: ApiContext,
  scope: Scope,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const pod = await streamPod(ctx, scope);
  const chosen = checkHandshake(req, [spdyTunnelProtocol, ...portForwardProtocols.map((p) => p.name)]);
  if (chosen === spdyTunnelProtocol) {
    const ws = acceptWebSocket(req, socket, head, chosen);
    const session = new SpdyPortForwardSession(
      {
        write: (b) => ws.send(b, true),
        drain: () => ws.drain(),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        close: () => ws.close(CloseCode.normal),
      },
      (port) => backend.connect(pod, port),
      (port, err) => describe(pod, port, err),
    );
    ws.onMessage = (data) => session.receive(data);
    ws.onClose = () => session.close();
    await ws.closed;
    session.close();
    return;
  }
  const ports = parsePorts(scope.query);
  const ws = acceptWebSocket(req, socket, head, chosen);
  await forwardChannels(ws, protocolNamed(portForwardProtocols, chosen)!, ports, pod, backend);
}

/** The `ports` query: repeated or comma-separated, each 1–65535. */
export function parsePorts(query: URLSearchParams): number[] {
  const raw = query.getAll('ports');
  if (raw.length === 0) throw badRequest('query parameter "ports" is required');
  const ports: number[] = [];
  for (const value of raw.flatMap((v) => v.split(','))) {
    const p = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isInteger(p) || p > 65535) throw badRequest(`unable to parse "${value}" as a port`);
    if (p < 1) throw badRequest(`port "${value}" must be > 0`);
    ports.push(p);
  }
  return ports;
}

/** Channel port-forward: one pod connection per port, the WebSocket closing once all have ended. */
async function forwardChannels(
  ws: WebSocketConnection,
  protocol: ChannelProtocol,
  ports: number[],
  pod: KubeObject,
  backend: PortForwardBackend,
): Promise<void> {
  const send = (channel: number, data: Buffer) => {
    const [message, binary] = encodeChannel(protocol, channel, data);
    return ws.send(message, binary);
  };
  const conns: (Duplex | undefined)[] = ports.map(() => undefined);
  const early: Buffer[][] = ports.map(() => []);
  ws.onMessage = (message, binary) => {
    const m = decodeChannel(protocol, message, binary);
    if (!m || m.channel % 2 !== 0 || m.channel / 2 >= ports.length || !m.data.length) return;
    const i = m.channel / 2;
    const conn = conns[i];
    if (!conn) early[i].push(Buffer.from(m.data));
    else if (!conn.write(m.data)) {
      ws.pauseReading();
      conn.once('drain', () => ws.resumeReading());
    }
  };
  ws.onClose = () => {
    for (const c of conns) c?.end();
  };
  const forward = async (port: number, i: number) => {
    send(2 * i, portPrefix(port));
    send(2 * i + 1, portPrefix(port));
    let conn: Duplex;
    try {
      conn = await backend.connect(pod, port);
    } catch (err) {
      send(2 * i + 1, Buffer.from(describe(pod, port, err as Error)));
      return;
    }
    if (!ws.isOpen) return void conn.destroy();
    conns[i] = conn;
    for (const b of early[i].splice(0)) conn.write(b);
    await new Promise<void>((resolve) => {
      conn.on('data', (chunk: Buffer) => {
        if (!send(2 * i, chunk)) {
          conn.pause();
          void ws.drain().then(() => conn.resume());
        }
      });
      conn.on('error', (err) => {
        send(2 * i + 1, Buffer.from(describe(pod, port, err)));
        resolve();
      });
      conn.on('end', () => resolve());
      conn.on('close', () => resolve());
    });
    conn.destroy();
  };
  await Promise.race([Promise.all(ports.map(forward)), ws.closed]);
  for (const c of conns) c?.destroy();
  if (ws.isOpen) {
    ws.close(CloseCode.normal);
    await ws.closed;
  }
}
