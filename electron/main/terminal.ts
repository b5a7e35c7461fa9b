// Terminals: an exec TTY in a container (`terminal.exec`) or a shell on the host (`terminal.host`).
// Each open one is a session; input and resize reach it through `terminal.input` / `terminal.resize`.
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { TerminalEvent } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers, StreamHandlers } from './handlers.ts';
import { hostShellOptions, nodePtySpawner, type PtySpawner } from './host-shell.ts';

interface Session {
  write(data: string): void;
  resize(cols: number, rows: number): Promise<void>;
}

async function waitRunning(exec: Docker.Exec, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await exec.inspect().catch(() => null);
    if (!info || info.Running || info.ExitCode !== null) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export class TerminalSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly client: EngineClient,
    private readonly spawnPty: PtySpawner = nodePtySpawner,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  streams(): Pick<StreamHandlers, 'terminal.exec' | 'terminal.host'> {
    return {
      'terminal.exec': async ({ id, cmd, cols, rows }, emit, signal) => {
        const exec = await this.client.docker.getContainer(id).exec({
          Cmd: cmd?.length ? cmd : ['/bin/sh'],
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: true,
          Env: ['TERM=xterm-256color'],
        });
        const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
        // Like the docker CLI: the exec may not be running yet right after start, and a resize before
        // then is refused; wait for it so `ready` means input and resize work.
        await waitRunning(exec);
        if (cols && rows) await exec.resize({ w: cols, h: rows }).catch(() => undefined);
        await this.run(
          {
            write: (data) => void stream.write(data),
            resize: async (w, h) => void (await exec.resize({ w, h })),
          },
          emit,
          signal,
          (onData, done, fail) => {
            stream.on('data', (d: Buffer) => onData(d.toString('utf8')));
            stream.on('end', done);
            stream.on('close', done);
            stream.on('error', fail);
            return () => stream.destroy();
          },
        );
      },

      'terminal.host': async ({ cols, rows }, emit, signal) => {
        const { file, args, opts } = hostShellOptions(this.client.endpoint, { cols, rows });
        const pty = await this.spawnPty(file, args, opts);
        await this.run(
          { write: (data) => pty.write(data), resize: async (c, r) => pty.resize(c, r) },
          emit,
          signal,
          (onData, done) => {
            pty.onData(onData);
            pty.onExit(done);
            return () => pty.kill();
          },
        );
      },
    };
  }

  invoke(): Pick<InvokeHandlers, 'terminal.input' | 'terminal.resize'> {
    return {
      'terminal.input': async ({ session, data }) => {
        this.get(session).write(data);
      },
      'terminal.resize': async ({ session, cols, rows }) => {
        if (!(cols > 0 && rows > 0)) {
          throw new HandlerError('invalid_argument', 'terminal.bad_size', `invalid size ${cols}×${rows}`);
        }
        await this.get(session).resize(cols, rows);
      },
    };
  }

  /**
   * Registers the session, says `ready`, relays output until the process ends or the subscriber
   * leaves (then `attach`'s returned function stops it), and forgets the session.
   */
  private async run(
    session: Session,
    emit: (e: TerminalEvent) => void,
    signal: AbortSignal,
    attach: (onData: (d: string) => void, done: () => void, fail: (err: Error) => void) => () => void,
  ): Promise<void> {
    const id = randomUUID();
    this.sessions.set(id, session);
    try {
      emit({ type: 'ready', session: id });
      await new Promise<void>((resolve, reject) => {
        const stop = attach(
          (data) => emit({ type: 'data', data }),
          resolve,
          (err) => (signal.aborted ? resolve() : reject(err)),
        );
        const onAbort = () => {
          stop();
          resolve();
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      this.sessions.delete(id);
    }
  }

  private get(session: string): Session {
    const s = this.sessions.get(session);
    if (!s) throw new HandlerError('not_found', 'terminal.no_session', `no terminal session ${session}`);
    return s;
  }
}
