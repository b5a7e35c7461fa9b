// `pods/log`: a container's log through the engine's logs operation, with kubectl's options —
// container, follow, previous, tailLines, sinceSeconds/sinceTime, timestamps, limitBytes — and the
// API server's refusals in its words (a pod of several containers without `container`, a container
// that has not started, no previous instance).
import type http from 'node:http';
import type { Clock } from '../../core/clock.ts';
import type { ContainerInfo, ContainerOperations } from '../../services/containers/operations.ts';
import type { KubeObject, SubresourceHandler } from '../apiserver/registry.ts';
import { ApiError } from '../apiserver/status.ts';
import { Label, roleOf } from './names.ts';
import { attemptsOf } from './status.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export interface LogDeps {
  ops: ContainerOperations;
  clock: Clock;
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** The engine container whose log is asked for. */
export async function logContainer(
  ops: ContainerOperations,
  pod: KubeObject,
  query: URLSearchParams,
): Promise<ContainerInfo> {
  const spec = obj(pod.spec);
  const podName = String(pod.metadata?.name);
  const apps = list(spec.containers).map((c) => String(c.name));
  const inits = list(spec.initContainers).map((c) => String(c.name));
  const ephemerals = list(spec.ephemeralContainers).map((c) => String(c.name));
  let name = query.get('container') ?? '';
  if (!name) {
    if (apps.length !== 1)
      throw badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${apps.join(' ')}]` +
          (inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '') +
          (ephemerals.length ? ` or one of the ephemeral containers: [${ephemerals.join(' ')}]` : ''),
      );
    name = apps[0]!;
  }
  const role = roleOf(pod, name);
  if (!role) throw badRequest(`container ${name} is not valid for pod ${podName}`);
  const containers = await ops.list({
    labels: { [Label.podUid]: String(pod.metadata?.uid), [Label.containerName]: name },
  });
  const attempts = attemptsOf(containers, name, role);
  if (query.get('previous') === 'true') {
    const prev = attempts[1];
    if (!prev) throw badRequest(`previous terminated container "${name}" in pod "${podName}" not found`);
    return prev;
  }
  const current = attempts[0];
  if (!current) {
    const st = [
      ...list(obj(pod.status).containerStatuses),
      ...list(obj(pod.status).initContainerStatuses),
      ...list(obj(pod.status).ephemeralContainerStatuses),
    ].find((s) => s.name === name);
    const reason = String(obj(obj(st?.state).waiting).reason ?? 'ContainerCreating');
    throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  return current;
}

export function logHandler(deps: LogDeps): SubresourceHandler {
  return {
    kind: { group: '', version: 'v1', kind: 'Pod' },
    verbs: ['get'],
    async serve(_ctx, scope, req: http.IncomingMessage, res: http.ServerResponse) {
      const q = scope.query;
      const pod = await deps.pod(String(scope.namespace), String(scope.name));
      if (!pod)
        throw new ApiError(404, 'NotFound', `pods "${scope.name}" not found`, {
          name: scope.name,
          kind: 'pods',
        });
      const c = await logContainer(deps.ops, pod, q);
      const follow = q.get('follow') === 'true';
      const timestamps = q.get('timestamps') === 'true';
      const tail = q.has('tailLines') ? Number(q.get('tailLines')) : undefined;
      let sinceNs: bigint | undefined;
      if (q.has('sinceSeconds'))
        sinceNs = BigInt(deps.clock.now() - Number(q.get('sinceSeconds')) * 1000) * 1_000_000n;
      else if (q.has('sinceTime')) sinceNs = BigInt(Date.parse(String(q.get('sinceTime')))) * 1_000_000n;
      let limit = q.has('limitBytes') ? Number(q.get('limitBytes')) : Number.POSITIVE_INFINITY;
      const abort = new AbortController();
      req.on('close', () => abort.abort());
      res.on('close', () => abort.abort());
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      const iter = deps.ops.logs(c.Id, { follow, tail, sinceNs })[Symbol.asyncIterator]();
      abort.signal.addEventListener('abort', () => void iter.return?.());
      try {
        for (;;) {
          const next = await iter.next();
          if (next.done || abort.signal.aborted) break;
          let line = timestamps ? `${next.value.time} ${next.value.text}` : next.value.text;
          if (Buffer.byteLength(line) > limit) line = Buffer.from(line).subarray(0, limit).toString();
          limit -= Buffer.byteLength(line);
          res.write(line);
          if (limit <= 0) break;
        }
      } finally {
        await iter.return?.();
        res.end();
      }
    },
  };
}
