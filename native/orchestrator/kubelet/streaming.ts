// The kubelet's side of exec, attach and port-forward (apiserver/streaming/ speaks the protocols):
// a command runs in the pod's running container through the engine's exec, an attachment follows
// its output and feeds its stdin, and a forwarded port is a TCP connection to the pod's address from
// the host (pods sit on the engine's bridge; a hostNetwork pod's ports are the host's own).
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { goDialError, joinHostPort } from '../../core/net-errors.ts';
import type { ContainerInfo, ContainerOperations } from '../../services/containers/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';
import { badRequest } from '../apiserver/status.ts';
import {
  containerNotFound,
  type PortForwardBackend,
  type RemoteCommandBackend,
} from '../apiserver/streaming/index.ts';
import { Label, roleOf } from './names.ts';
import { attemptsOf } from './status.ts';

type Obj = Record<string, unknown>;

/** The running engine container of a pod's container, or the kubelet's refusal. */
async function running(ops: ContainerOperations, pod: KubeObject, name: string): Promise<ContainerInfo> {
  const role = roleOf(pod, name);
  if (!role) throw containerNotFound(name);
  const found = await ops.list({
    labels: { [Label.podUid]: String(pod.metadata?.uid), [Label.containerName]: name },
  });
  const current = attemptsOf(found, name, role)[0];
  if (current?.State.Status !== 'running') throw containerNotFound(name);
  return current;
}

export function remoteCommandBackend(ops: ContainerOperations): RemoteCommandBackend {
  return {
    async exec(pod, container, command, opts) {
      const c = await running(ops, pod, container);
      return ops.exec(c.Id, { cmd: command, stdin: opts.stdin, tty: opts.tty, resize: opts.resize });
    },
    async attach(pod, container, opts) {
      const c = await running(ops, pod, container);
      return ops.attach(c.Id, { stdin: opts.stdin });
    },
  };
}

/** A failed dial as Go words it, which is what kubectl users read: `dial tcp4 …: connect: connection refused`. */
export function dialError(ip: string, port: number, err: NodeJS.ErrnoException): string {
  const go = goDialError(err, { network: 'tcp4', to: { host: ip, port } });
  if (go) return go;
  const reset = err.code === 'ECONNRESET' ? 'read: connection reset by peer' : err.message;
  return `dial tcp4 ${joinHostPort(ip, port)}: ${reset}`;
}

export const portForwardBackend: PortForwardBackend = {
  connect(pod: KubeObject, port: number): Promise<Duplex> {
    const status = (pod.status ?? {}) as Obj;
    const hostNetwork = ((pod.spec ?? {}) as Obj).hostNetwork === true;
    const ip = hostNetwork ? '127.0.0.1' : status.podIP;
    if (typeof ip !== 'string' || !ip) throw badRequest(`pod ${pod.metadata?.name} has no IP address yet`);
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: ip, port });
      sock.once('connect', () => resolve(sock));
      // The protocol's handler puts "error forwarding port N to pod …" in front.
      sock.once('error', (err) => reject(badRequest(dialError(ip, port, err))));
    });
  },
};
