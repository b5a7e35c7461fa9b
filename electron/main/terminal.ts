// Exec terminals: a TTY exec per session; bytes flow over the `terminal.exec` stream and the
// `terminal.input` / `terminal.resize` invoke channels.
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { EngineClient } from './engine-client.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers, StreamHandlers } from './handlers.ts';

interface Session {
  exec: Docker.Exec;
  stream: Duplex;
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

  constructor(private readonly client: EngineClient) {}

  get size(): number {
    return this.sessions.size;
  }

  streams(): Pick<StreamHandlers, 'terminal.exec'> {
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
        const session = randomUUID();
        this.sessions.set(session, { exec, stream });
        try {
          // Like the docker CLI: the exec may not be running yet right after start, and a resize before
          // then is refused; wait for it so `ready` means input and resize work.
          await waitRunning(exec);
          if (cols && rows) await exec.resize({ w: cols, h: rows }).catch(() => undefined);
          emit({ type: 'ready', session });
          await new Promise<void>((resolve, reject) => {
            const stop = () => {
              stream.destroy();
              resolve();
            };
            if (signal.aborted) return stop();
            signal.addEventListener('abort', stop, { once: true });
            stream.on('data', (d: Buffer) => emit({ type: 'data', data: d.toString('utf8') }));
            stream.on('end', resolve);
            stream.on('close', resolve);
            stream.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
          });
        } finally {
          this.sessions.delete(session);
        }
      },
    };
  }

  invoke(): Pick<InvokeHandlers, 'terminal.input' | 'terminal.resize'> {
    return {
      'terminal.input': async ({ session, data }) => {
        this.get(session).stream.write(data);
      },
      'terminal.resize': async ({ session, cols, rows }) => {
        await this.get(session).exec.resize({ w: cols, h: rows });
      },
    };
  }

  private get(session: string): Session {
    const s = this.sessions.get(session);
    if (!s) throw new HandlerError('not_found', 'terminal.no_session', `no terminal session ${session}`);
    return s;
  }
}
