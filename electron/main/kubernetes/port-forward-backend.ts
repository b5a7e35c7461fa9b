// The cluster side of port-forwards: which pod a service's port leads to (as kubectl chooses), the
// tunnel of one connection (client-node's PortForward over portforward.k8s.io channels), and a watch
// on the pod that says when it goes.
import type net from 'node:net';
import { Writable } from 'node:stream';
import { type KubeConfig, PortForward, Watch } from '@kubernetes/client-node';
import { HandlerError } from '../ipc/errors.ts';
import { kubeJson } from './kube-request.ts';
import type { ForwardBackend, ForwardRequest } from './port-forward.ts';

interface PodView {
  metadata: { name: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

interface ServiceView {
  spec?: {
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  };
}

const ready = (p: PodView) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * The pod kubectl forwards a service to: running and not being deleted, ready ones first, then the
 * newest. Exported for its unit test.
 */
export function choosePod(pods: PodView[]): PodView | undefined {
  const live = pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
  return live.sort(
    (a, b) =>
      Number(ready(b)) - Number(ready(a)) ||
      String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')),
  )[0];
}

/** The pod port a service port leads to: its targetPort, by number or by the container port's name. */
export function targetPortOf(service: ServiceView, port: number, pod: PodView): number {
  const sp = service.spec?.ports?.find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
  if (!sp) throw new HandlerError('not_found', 'kube.no_port', `the service has no TCP port ${port}`);
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.name === t && (p.protocol ?? 'TCP') === 'TCP') return p.containerPort;
  throw new HandlerError(
    'not_found',
    'kube.no_port',
    `pod ${pod.metadata.name} has no container port named "${t}" (the service's targetPort)`,
  );
}

export function clusterForwardBackend(configFor: (context: string) => KubeConfig): ForwardBackend {
  return {
    async resolve(req: ForwardRequest) {
      const kc = configFor(req.context);
      const ns = `/api/v1/namespaces/${encodeURIComponent(req.namespace)}`;
      if (req.kind === 'pods') {
        await kubeJson<PodView>(kc, { path: `${ns}/pods/${encodeURIComponent(req.name)}` });
        return { pod: req.name, port: req.remotePort };
      }
      const svc = await kubeJson<ServiceView>(kc, { path: `${ns}/services/${encodeURIComponent(req.name)}` });
      const selector = Object.entries(svc.spec?.selector ?? {});
      if (!selector.length)
        throw new HandlerError('invalid_argument', 'kube.no_selector', `service ${req.name} selects no pods`);
      const list = await kubeJson<{ items: PodView[] }>(kc, {
        path: `${ns}/pods`,
        query: { labelSelector: selector.map(([k, v]) => `${k}=${v}`).join(',') },
      });
      const pod = choosePod(list.items);
      if (!pod)
        throw new HandlerError('not_found', 'kube.no_pod', `no running pod behind service ${req.name}`);
      return { pod: pod.metadata.name, port: targetPortOf(svc, req.remotePort, pod) };
    },

    async connect(t, socket: net.Socket, failed) {
      const kc = configFor(t.context);
      // The error channel: the kubelet's words for a connection the pod refused, then the end.
      let said = '';
      const errors = new Writable({
        write(chunk: Buffer, _enc, done) {
          said += chunk.toString('utf8');
          if (said.trim()) failed(said.trim());
          done();
        },
      });
      const ws = await new PortForward(kc).portForward(t.namespace, t.pod, [t.port], socket, errors, socket);
      const conn = typeof ws === 'function' ? ws() : ws;
      conn?.on('close', () => socket.end());
      socket.on('close', () => conn?.close());
    },

    watchPod(t, gone) {
      const kc = configFor(t.context);
      let stopped = false;
      let abort: AbortController | undefined;
      const path = `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods`;
      const say = (reason: string) => {
        if (stopped) return;
        stopped = true;
        abort?.abort();
        gone(reason);
      };
      const start = async () => {
        if (stopped) return;
        abort = await new Watch(kc)
          .watch(
            path,
            { fieldSelector: `metadata.name=${t.pod}` },
            (type, obj: PodView) => {
              if (type === 'DELETED') say(`pod ${t.pod} was deleted`);
              else if (obj?.metadata?.deletionTimestamp) say(`pod ${t.pod} is being deleted`);
              else if (obj?.status?.phase === 'Succeeded' || obj?.status?.phase === 'Failed')
                say(`pod ${t.pod} ended (${obj.status.phase})`);
            },
            () => {
              // A watch the server closed (its timeout) starts again; the GET sees a pod gone meanwhile.
              if (stopped) return;
              setTimeout(() => {
                kubeJson(kc, { path: `${path}/${encodeURIComponent(t.pod)}` }).then(
                  () => void start().catch(() => undefined),
                  (err: HandlerError) => {
                    if (err.kind === 'not_found') say(`pod ${t.pod} was deleted`);
                    else void start().catch(() => undefined);
                  },
                );
              }, 1000);
            },
          )
          .catch(() => undefined);
      };
      void start();
      return () => {
        stopped = true;
        abort?.abort();
      };
    },
  };
}
