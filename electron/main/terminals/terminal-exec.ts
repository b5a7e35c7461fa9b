// A terminal in a container: an exec with a TTY through the Docker API, on berthd or any Docker engine.
//
// Closing the exec's connection does not end its process: dockerd and berthd both leave the shell
// running (moby's "exec processes survive client disconnect"), and the API has no call to kill an exec.
// So the shell starts under a one-line wrapper that tells us its pid (in the container's pid namespace)
// and then becomes the shell; to end the session, a second exec hangs up every process of the shell's
// session (the shell is a session leader: runc gives each exec its own), and kills what outlives that.
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { HandlerError, toContractError } from '../ipc/errors.ts';
import type { TerminalProcess } from './terminal-session.ts';

export interface ExecTerminal {
  process: TerminalProcess;
  container: { id: string; name: string };
}

/** Opens a shell (`cmd`) with a TTY in a running container: the seam the session registry calls. */
export type ExecSpawner = (
  docker: Docker,
  container: string,
  cmd: string[],
  size: { cols: number; rows: number },
) => Promise<ExecTerminal>;

const markerStart = '\x1b]berth-pid;';
const marker = /\x1b\]berth-pid;(\d+)\x07/;

/** Prints the marker (an OSC sequence, which a terminal would ignore) with its pid, then becomes `$@`. */
export const execWrapper = ['/bin/sh', '-c', `printf '\\033]berth-pid;%s\\007' "$$"; exec "$@"`, 'sh'];

/**
 * Hangs up every live process of session `$1` (read from /proc/<pid>/stat: the session is the 4th
 * field after the command name), waits up to 2 s for them to go, then kills what is left. Plain POSIX
 * sh and its builtins, so it runs wherever the shell did.
 */
export const killSessionScript = `s=$1
members() {
  for f in /proc/[0-9]*/stat; do
    read -r l < "$f" 2>/dev/null || continue
    set -- \${l##*") "}
    [ "$4" = "$s" ] && [ "$1" != Z ] && { p=\${f#/proc/}; echo "\${p%/stat}"; }
  done
}
kill -HUP $(members) 2>/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do
  [ -z "$(members)" ] && exit 0
  sleep 0.2
done
kill -KILL $(members) 2>/dev/null
exit 0`;

/** Takes the wrapper's pid marker out of the first output; the rest passes through untouched. */
export class PidMarkerFilter {
  pid: number | null = null;
  private pending = '';
  private done = false;
  private markSettled = () => {};
  /** Resolves once the marker was found or can no longer come. */
  readonly settled = new Promise<void>((resolve) => {
    this.markSettled = resolve;
  });

  take(data: string): string {
    if (this.done) return data;
    this.pending += data;
    const m = marker.exec(this.pending);
    if (m) {
      this.pid = Number(m[1]);
      return this.flush(this.pending.slice(0, m.index) + this.pending.slice(m.index + m[0].length));
    }
    return this.couldBeMarker(this.pending) ? '' : this.flush(this.pending);
  }

  /** What is held back, when no more output will come. */
  end(): string {
    return this.done ? '' : this.flush(this.pending);
  }

  private flush(out: string): string {
    this.done = true;
    this.pending = '';
    this.markSettled();
    return out;
  }

  private couldBeMarker(s: string): boolean {
    if (s.length <= markerStart.length) return markerStart.startsWith(s);
    return s.startsWith(markerStart) && /^\d{0,10}$/.test(s.slice(markerStart.length));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Like the docker CLI: right after start the exec may not run yet, and a resize before then fails. */
async function waitRunning(exec: Docker.Exec, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await exec.inspect().catch(() => null);
    if (!info || info.Running || info.ExitCode !== null) return;
    await sleep(25);
  }
}

/** The exit code, once the engine has recorded it (its stream may close a moment before). */
async function exitCodeOf(exec: Docker.Exec, timeoutMs = 2000): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await exec.inspect().catch(() => null);
    if (!info) return null;
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await sleep(50);
  }
  return null;
}

/** Runs `cmd` in the container without a TTY and waits (up to `timeoutMs`) for it to finish. */
async function runToEnd(docker: Docker, container: string, cmd: string[], timeoutMs = 10_000) {
  const exec = await docker
    .getContainer(container)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
      stream.resume();
    });
  } finally {
    stream.destroy();
  }
}

class ExecProcess implements TerminalProcess {
  private readonly filter = new PidMarkerFilter();
  private readonly early: string[] = [];
  private dataListener: ((data: string) => void) | null = null;
  private exitListener: ((code: number | null) => void) | null = null;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly docker: Docker,
    private readonly containerId: string,
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
  ) {
    let markExited = () => {};
    this.exited = new Promise((r) => {
      markExited = r;
    });
    let ending = false;
    const end = () => {
      if (ending) return;
      ending = true;
      this.emit(this.filter.end());
      void exitCodeOf(exec).then((code) => {
        this.exitCode = code;
        markExited();
        this.exitListener?.(code);
      });
    };
    stream.on('data', (d: Buffer) => this.emit(this.filter.take(d.toString('utf8'))));
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  onData(listener: (data: string) => void): void {
    this.dataListener = listener;
    for (const d of this.early.splice(0)) listener(d);
  }

  onExit(listener: (code: number | null) => void): void {
    this.exitListener = listener;
    if (this.exitCode !== undefined) listener(this.exitCode);
  }

  write(data: string): void {
    this.stream.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.exec.resize({ w: cols, h: rows });
  }

  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    // A session closed right after it opened: its pid may still be on the way.
    await Promise.race([this.filter.settled, this.exited, sleep(5000)]);
    const pid = this.filter.pid;
    const gone = (ms: number) => Promise.race([this.exited.then(() => true), sleep(ms).then(() => false)]);
    let failure: unknown = null;
    // A busy engine may fail an exec now and then: try again before giving up.
    for (let attempt = 0; pid !== null && attempt < 3; attempt++) {
      try {
        const killer = ['/bin/sh', '-c', killSessionScript, 'sh', String(pid)];
        await runToEnd(this.docker, this.containerId, killer);
        failure = null;
        if (await gone(3000)) break;
      } catch (err) {
        failure = err;
        // A stopped or removed container took the shell with it.
        if (await gone(1000)) break;
      }
    }
    if (failure && this.exitCode === undefined) {
      // A paused container keeps its shell, and so does an engine that went away: say so.
      throw new HandlerError(
        'conflict',
        'terminal.cannot_close',
        `cannot end the terminal session: ${toContractError(failure).message}`,
      );
    }
    // Gone (its stream closes on its own), or nothing more can be done from here.
    this.stream.destroy();
    await gone(3000);
  }

  private emit(data: string): void {
    if (!data) return;
    if (this.dataListener) this.dataListener(data);
    else this.early.push(data);
  }
}

export const dockerExecSpawner: ExecSpawner = async (docker, ref, cmd, size) => {
  const container = docker.getContainer(ref);
  const info = await container.inspect();
  const name = info.Name.replace(/^\//, '');
  if (!info.State.Running || info.State.Paused) {
    const state = info.State.Paused ? 'paused' : 'not running';
    throw new HandlerError('conflict', 'terminal.not_running', `container ${name} is ${state}`);
  }
  const exec = await container.exec({
    Cmd: [...execWrapper, ...(cmd.length ? cmd : ['/bin/sh'])],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: ['TERM=xterm-256color'],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const process = new ExecProcess(docker, info.Id, exec, stream);
  await waitRunning(exec);
  await exec.resize({ w: size.cols, h: size.rows }).catch(() => undefined);
  return { process, container: { id: info.Id, name } };
};
