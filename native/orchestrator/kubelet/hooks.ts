// Container lifecycle hooks (postStart, preStop) as kubelet 1.32's handler runner runs them: an exec
// in the container through the engine, an HTTP GET to the pod's IP (any answer counts as done: only a
// request that fails fails the hook), or a sleep. A failure comes back as kubelet's own message
// (`Exec lifecycle hook ([sh -c …]) for Container "c" in Pod "p_ns(uid)" failed - error: …`), which
// the kubelet shows in its FailedPreStopHook event and in a PostStartHookError waiting state.
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../core/clock.ts';
import type { ContainerOperations } from '../../services/containers/operations.ts';
import type { KubeObject } from '../apiserver/registry.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface HookContext {
  ops: ContainerOperations;
  clock: Clock;
  pod: KubeObject;
  container: Obj;
  containerId: string;
  /** Where an httpGet without a host goes. */
  podIP: string;
}

/** kubelet's format.Pod: `name_namespace(uid)`. */
export const podDescription = (pod: KubeObject) =>
  `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** Go's %q of a string (close enough for messages: JSON's escapes are Go's for what a shell prints). */
const goQuote = (s: string) => JSON.stringify(s);

/** Runs `handler`; resolves to kubelet's message when it failed, undefined when it succeeded. */
export async function runHook(handler: Obj, h: HookContext): Promise<string | undefined> {
  const who = `for Container ${goQuote(String(h.container.name))} in Pod ${goQuote(podDescription(h.pod))}`;
  if (handler.exec) {
    const cmd = Array.isArray(obj(handler.exec).command)
      ? (obj(handler.exec).command as unknown[]).map(String)
      : [];
    const r = await execIn(h.ops, h.containerId, cmd);
    if (!r.error) return undefined;
    return `Exec lifecycle hook ([${cmd.join(' ')}]) ${who} failed - error: ${r.error}, message: ${goQuote(r.output)}`;
  }
  if (handler.httpGet) {
    const g = obj(handler.httpGet);
    const error = await httpGet(urlOf(g, h), headersOf(g));
    return error && `HTTP lifecycle hook (${String(g.path ?? '')}) ${who} failed - error: ${error}`;
  }
  if (handler.sleep) {
    const seconds = Number(obj(handler.sleep).seconds ?? 0);
    await new Promise<void>((resolve) => h.clock.setTimeout(resolve, seconds * 1000));
    return undefined;
  }
  return `Cannot run handler: invalid handler: ${JSON.stringify(handler)}`;
}

/** Runs `cmd` in the container; the error is CRI's ExecSync one for a non-zero exit. */
async function execIn(
  ops: ContainerOperations,
  id: string,
  cmd: string[],
): Promise<{ error?: string; output: string }> {
  let output = '';
  let stderr = '';
  let code = -1;
  try {
    for await (const c of ops.exec(id, { cmd })) {
      if (c.stream === 'exit') code = c.code;
      else if (output.length < 16_384) {
        output += c.data.toString();
        if (c.stream === 'stderr') stderr += c.data.toString();
      }
    }
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), output };
  }
  if (code === 0) return { output };
  return { error: `command '${cmd.join(' ')}' exited with ${code}: ${stderr}`, output };
}

function urlOf(g: Obj, h: HookContext): string {
  const scheme = String(g.scheme ?? 'HTTP').toLowerCase();
  const host = String(g.host || h.podIP);
  const named = list(h.container.ports).find((p) => p.name === g.port);
  const port = typeof g.port === 'number' ? g.port : Number(named?.containerPort ?? g.port);
  const p = String(g.path ?? '');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${hostPart}:${port}${p.startsWith('/') || !p ? p : `/${p}`}`;
}

function headersOf(g: Obj): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32', Accept: '*/*' };
  for (const x of list(g.httpHeaders)) headers[String(x.name)] = String(x.value);
  return headers;
}

/** Go's net/http words for the usual failures, so the message reads as kubelet's. */
function goNetError(url: string, err: NodeJS.ErrnoException): string {
  const target = new URL(url).host;
  const why =
    err.code === 'ECONNREFUSED'
      ? `dial tcp ${target}: connect: connection refused`
      : err.code === 'EHOSTUNREACH'
        ? `dial tcp ${target}: connect: no route to host`
        : err.message;
  return `Get ${goQuote(url)}: ${why}`;
}

/** A GET whose answer, whatever its status, is success; resolves to the error of one that failed. */
function httpGet(url: string, headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { headers, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', (err) => resolve(goNetError(url, err)));
  });
}
