// Terminals: the sessions the app has open (container execs and host shells), kept in main while the
// app runs. Views attach to a session and detach from it (`terminal.attach`); a session ends when its
// process does, when `terminal.close` ends it, or when the app quits (`closeAll`).
import { randomUUID } from 'node:crypto';
import type { TerminalEvent, TerminalSessionInfo, TerminalTarget } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';
import { kubeConfigFor } from '../kubernetes/context-config.ts';
import { type PodExecSpawner, podExecSpawner } from '../kubernetes/pod-exec.ts';
import { hostShellOptions, nodePtySpawner, type PtySpawner, ptyTerminal } from './host-shell.ts';
import { dockerExecSpawner, type ExecSpawner } from './terminal-exec.ts';
import { type TerminalProcess, TerminalSession } from './terminal-session.ts';

export interface TerminalSessionsOptions {
  spawnPty?: PtySpawner;
  spawnExec?: ExecSpawner;
  /** Pod terminals (an exec over a context's exec WebSocket). */
  spawnPod?: PodExecSpawner;
  /** Characters of output each session keeps for views that attach later. */
  scrollbackLimit?: number;
  now?: () => Date;
}

const invalid = (message: string) => new HandlerError('invalid_argument', 'terminal.bad_request', message);

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw invalid(`${what} must be a non-empty string`);
  return v;
}

function size(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 10_000 ? v : fallback;
}

function target(v: unknown): TerminalTarget {
  const t = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (t.kind === 'host') return { kind: 'host' };
  if (t.kind !== 'container' && t.kind !== 'pod')
    throw invalid(
      'the target must be {kind: "container", id}, {kind: "pod", context, namespace, pod} or {kind: "host"}',
    );
  const cmd = t.cmd;
  if (cmd !== undefined && !(Array.isArray(cmd) && cmd.every((a) => typeof a === 'string')))
    throw invalid('cmd must be a list of strings');
  if (t.kind === 'pod') {
    const container =
      t.container === undefined || t.container === '' ? undefined : text(t.container, 'container');
    return {
      kind: 'pod',
      context: text(t.context, 'the context'),
      namespace: text(t.namespace, 'the namespace'),
      pod: text(t.pod, 'the pod'),
      ...(container ? { container } : {}),
      ...(cmd ? { cmd } : {}),
    };
  }
  return { kind: 'container', id: text(t.id, 'the container'), ...(cmd ? { cmd } : {}) };
}

export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly watchers = new Set<() => void>();
  private quitting = false;

  constructor(
    private readonly client: EngineClient,
    private readonly opts: TerminalSessionsOptions = {},
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Oldest first; `container` (an id or a name) keeps that container's sessions. */
  list(container?: string): TerminalSessionInfo[] {
    const all = [...this.sessions.values()].map((s) => s.info);
    if (!container) return all;
    return all.filter((i) => i.container?.id === container || i.container?.name === container);
  }

  async open(to: TerminalTarget, want: { cols?: number; rows?: number } = {}): Promise<TerminalSessionInfo> {
    if (this.quitting) throw new HandlerError('conflict', 'terminal.quitting', 'the app is quitting');
    const cols = size(want.cols, 80);
    const rows = size(want.rows, 24);
    const id = randomUUID();
    const startedAt = (this.opts.now?.() ?? new Date()).toISOString();
    let info: TerminalSessionInfo;
    let process: TerminalProcess;
    if (to.kind === 'container') {
      const command = to.cmd?.length ? to.cmd : ['/bin/sh'];
      const spawn = this.opts.spawnExec ?? dockerExecSpawner;
      const exec = await spawn(this.client.docker, to.id, command, { cols, rows });
      process = exec.process;
      const title = this.uniqueTitle(`${exec.container.name} · ${command.join(' ')}`);
      info = { id, kind: 'container', title, container: exec.container, command, startedAt };
    } else if (to.kind === 'pod') {
      const spawn = this.opts.spawnPod ?? podExecSpawner((c) => kubeConfigFor(c));
      const exec = await spawn(to, { cols, rows });
      process = exec.process;
      const shell = to.cmd?.length ? to.cmd.join(' ') : 'shell';
      const title = this.uniqueTitle(`${to.pod}/${exec.container} · ${shell}`);
      const pod = { context: to.context, namespace: to.namespace, name: to.pod, container: exec.container };
      info = { id, kind: 'pod', title, pod, command: exec.command, startedAt };
    } else {
      const { file, args, opts } = hostShellOptions(this.client.endpoint, { cols, rows });
      process = ptyTerminal(await (this.opts.spawnPty ?? nodePtySpawner)(file, args, opts));
      const title = this.uniqueTitle('Host shell');
      info = { id, kind: 'host', title, command: [file, ...args], startedAt };
    }
    const session = new TerminalSession(info, process, (s) => this.forget(s), this.opts.scrollbackLimit);
    // A process that is already gone (a shell that could not start) is no session to keep.
    if (!session.running) return info;
    this.sessions.set(id, session);
    this.changed();
    // The app began to quit while this one was starting: it goes with the others.
    if (this.quitting) await session.close();
    return info;
  }

  async close(id: string): Promise<void> {
    await this.get(id).close();
  }

  /** Ends every session (the app is quitting); opening new ones is refused from now on. */
  async closeAll(): Promise<void> {
    this.quitting = true;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
  }

  invoke(): Pick<
    InvokeHandlers,
    'terminal.list' | 'terminal.open' | 'terminal.close' | 'terminal.input' | 'terminal.resize'
  > {
    return {
      'terminal.list': async (req) => this.list(req?.container),
      'terminal.open': async (req) => this.open(target(req?.target), req),
      'terminal.close': async (req) => {
        await this.close(text(req?.session, 'session'));
      },
      'terminal.input': async ({ session, data }) => {
        if (typeof data !== 'string') throw invalid('data must be a string');
        this.get(text(session, 'session')).write(data);
      },
      'terminal.resize': async ({ session, cols, rows }) => {
        if (!(Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0)) {
          throw new HandlerError('invalid_argument', 'terminal.bad_size', `invalid size ${cols}×${rows}`);
        }
        await this.get(text(session, 'session')).resize(cols, rows);
      },
    };
  }

  streams(): Pick<StreamHandlers, 'terminal.attach' | 'terminal.sessions'> {
    return {
      'terminal.attach': async (params, emit, signal) => {
        const session = this.get(text(params?.session, 'session'));
        await new Promise<void>((resolve) => {
          let detach = () => {};
          const onAbort = () => {
            detach();
            resolve();
          };
          detach = session.attach((e: TerminalEvent) => {
            emit(e);
            if (e.type === 'exit') {
              signal.removeEventListener('abort', onAbort);
              resolve();
            }
          });
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
      },
      'terminal.sessions': async (params, emit, signal) => {
        const container = params?.container;
        const send = () => emit(this.list(container));
        send();
        this.watchers.add(send);
        await new Promise<void>((resolve) => {
          const stop = () => {
            this.watchers.delete(send);
            resolve();
          };
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop, { once: true });
        });
      },
    };
  }

  /** Two shells in one container are told apart as terminal tabs are: `web · /bin/sh (2)`. */
  private uniqueTitle(base: string): string {
    const taken = new Set([...this.sessions.values()].map((s) => s.info.title));
    if (!taken.has(base)) return base;
    let n = 2;
    while (taken.has(`${base} (${n})`)) n++;
    return `${base} (${n})`;
  }

  private forget(session: TerminalSession): void {
    if (this.sessions.delete(session.info.id)) this.changed();
  }

  private changed(): void {
    for (const watcher of this.watchers) watcher();
  }

  private get(id: string): TerminalSession {
    const s = this.sessions.get(id);
    if (!s) throw new HandlerError('not_found', 'terminal.no_session', `no terminal session ${id}`);
    return s;
  }
}
