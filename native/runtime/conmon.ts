import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, promises as fs, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { SeqpacketSocket } from 'node-unix-socket';
import { runOk, type Sys } from '../core/sys.ts';
import { fifoPool } from './fifo-pool.ts';
import type { OciRuntime } from './oci-runtime.ts';

/** A message conmon writes on its sync pipe: a pid, an exit code, or -1 with the runtime's error. */
interface SyncMessage {
  data: number;
  message?: string;
}

export interface ConmonCreateOptions {
  conmon: string;
  runtime: OciRuntime;
  id: string;
  name: string;
  bundle: string;
  logPath: string;
  logSizeMax?: number;
  exitDir: string;
  socketDir: string;
  tty: boolean;
  stdin: boolean;
  leaveStdinOpen: boolean;
  /**
   * The engine's launcher: conmon then starts from it, its sync pipe a FIFO in the bundle, instead of
   * from a fork of berthd (a fork of a large Node process costs berthd ~15 ms of its one thread).
   */
  sys?: Sys;
  /** With `sys`: the folder of the FIFOs made ahead for the sync pipe (runtime/fifo-pool.ts). */
  fifos?: string;
}

export interface ConmonExecOptions
  extends Omit<ConmonCreateOptions, 'name' | 'leaveStdinOpen' | 'sys' | 'fifos'> {
  execId: string;
  processSpec: string;
}

/** Error from the OCI runtime while creating or exec'ing, carrying its own message. */
export class RuntimeStartError extends Error {}

function commonArgs(o: ConmonCreateOptions | ConmonExecOptions, cuuid: string): string[] {
  const args = [
    '--api-version',
    '1',
    '-c',
    o.id,
    '-u',
    cuuid,
    '-r',
    o.runtime.path,
    '-b',
    o.bundle,
    '-p',
    `${o.bundle}/pid`,
    '-P',
    `${o.bundle}/conmon.pid`,
    '--exit-dir',
    o.exitDir,
    '-l',
    `k8s-file:${o.logPath}`,
    '--socket-dir-path',
    o.socketDir,
    '--runtime-arg',
    `--root=${o.runtime.stateRoot}`,
    '--log-level',
    'error',
    '--no-sync-log',
  ];
  if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  return args;
}

/** Reads newline-separated JSON sync messages from a pipe, one at a time. */
class SyncReader {
  private buf = '';
  private queue: SyncMessage[] = [];
  private waiters: Array<{ resolve: (m: SyncMessage) => void; reject: (e: Error) => void }> = [];
  private ended = false;

  constructor(
    stream: Readable,
    private readonly what: string,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.buf += chunk;
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (line) this.push(JSON.parse(line) as SyncMessage);
        i = this.buf.indexOf('\n');
      }
    });
    const end = () => {
      if (this.buf.trim()) {
        try {
          this.push(JSON.parse(this.buf.trim()) as SyncMessage);
        } catch {
          /* a torn message is the same as none */
        }
        this.buf = '';
      }
      this.ended = true;
      for (const w of this.waiters.splice(0))
        w.reject(new RuntimeStartError(`${this.what}: conmon exited early`));
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  private push(m: SyncMessage) {
    const w = this.waiters.shift();
    if (w) w.resolve(m);
    else this.queue.push(m);
  }

  next(): Promise<SyncMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.reject(new RuntimeStartError(`${this.what}: conmon exited early`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

function cleanRuntimeMessage(msg: string | undefined): string {
  if (!msg) return 'unknown error';
  // runc logs as logfmt; keep the human part.
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(msg);
  const text = m ? m[1].replace(/\\"/g, '"') : msg;
  return text.trim();
}

/**
 * Runs conmon in the bundle: on cgroup v1 it writes its `oom` marker into its working directory, which
 * must not be berthd's own.
 */
function conmonEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' };
}

function spawnConmon(conmon: string, args: string[], pipes: number, cwd: string): ChildProcess {
  const env = conmonEnv();
  if (pipes >= 2) env._OCI_STARTPIPE = '4';
  if (pipes >= 3) env._OCI_ATTACHPIPE = '5';
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', 'ignore', 'pipe'];
  for (let i = 0; i < pipes; i++) stdio.push('pipe');
  return spawn(conmon, args, { stdio, env, cwd, detached: true });
}

function closeChild(child: ChildProcess): void {
  for (const s of child.stdio) (s as Readable | Writable | null)?.destroy();
  child.unref();
}

/**
 * Starts conmon, which runs `runtime create` and stays as the container's monitor. Resolves with the
 * container's pid once created (not yet started), so that attach sockets can be connected before
 * `runtime start` runs the process.
 */
export async function conmonCreate(o: ConmonCreateOptions): Promise<{ pid: number }> {
  const args = [...commonArgs(o, o.id), '-n', o.name, '--container-pidfile', `${o.bundle}/pid`];
  if (o.leaveStdinOpen) args.push('--leave-stdin-open');
  if (o.sys) return createThrough(o.sys, o, args);
  const child = spawnConmon(o.conmon, args, 1, o.bundle);
  const sync = new SyncReader(child.stdio[3] as Readable, `create ${o.id}`);
  const stderr: Buffer[] = [];
  (child.stdio[2] as Readable).on('data', (d: Buffer) => stderr.push(d));
  try {
    const msg = await sync.next();
    if (msg.data <= 0) throw new RuntimeStartError(cleanRuntimeMessage(msg.message));
    return { pid: msg.data };
  } catch (err) {
    if (err instanceof RuntimeStartError && stderr.length) {
      throw new RuntimeStartError(`${err.message}: ${Buffer.concat(stderr).toString().trim()}`);
    }
    throw err;
  } finally {
    closeChild(child);
  }
}

/**
 * conmonCreate through the engine's launcher. conmon's first process forks the monitor and exits; the
 * monitor keeps the FIFO's write end and answers on it once the runtime created the container. The
 * read end is opened first (non-blocking, so that the launcher's open for writing finds a reader) and
 * read only once conmon's first process is gone: before a writer holds it, a FIFO reads as ended.
 */
async function createThrough(sys: Sys, o: ConmonCreateOptions, args: string[]): Promise<{ pid: number }> {
  const fifo = path.join(o.bundle, 'sync');
  if (o.fifos) await fifoPool(o.fifos, sys).take(fifo);
  else await runOk(sys, 'mkfifo', ['-m', '0600', fifo]);
  let fd: number | undefined = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  let stream: net.Socket | undefined;
  try {
    const r = await sys.run(o.conmon, args, { env: conmonEnv(), cwd: o.bundle, fd3: fifo, detached: true });
    if (r.code !== 0) {
      throw new RuntimeStartError(`conmon exited with status ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    }
    stream = new net.Socket({ fd, readable: true, writable: false });
    fd = undefined;
    const msg = await new SyncReader(stream, `create ${o.id}`).next();
    if (msg.data <= 0) throw new RuntimeStartError(cleanRuntimeMessage(msg.message));
    return { pid: msg.data };
  } finally {
    stream?.destroy();
    if (fd !== undefined) closeSync(fd);
    rmSync(fifo, { force: true });
  }
}

export interface ExecHandle {
  pid: number;
  /** Resolves with the exec process's exit code. */
  exit: Promise<number>;
}

/**
 * Runs a process in a running container under conmon. `beforeStart` is called once the attach socket
 * exists and before the process starts, so that no output is lost.
 */
export async function conmonExec(
  o: ConmonExecOptions,
  beforeStart: () => Promise<void>,
): Promise<ExecHandle> {
  const args = [...commonArgs(o, o.execId), '-e', '--exec-process-spec', o.processSpec, '--exec-attach'];
  const child = spawnConmon(o.conmon, args, 3, o.bundle);
  const sync = new SyncReader(child.stdio[3] as Readable, `exec ${o.execId}`);
  const startPipe = child.stdio[4] as Writable;
  const attachPipe = new SyncReader((child.stdio as unknown as Readable[])[5], `exec ${o.execId} attach`);
  let exit: Promise<number> | undefined;
  try {
    startPipe.write('0');
    await attachPipe.next();
    await beforeStart();
    startPipe.write('1');
    const first = await sync.next();
    if (first.data < 0) throw new RuntimeStartError(cleanRuntimeMessage(first.message));
    exit = sync.next().then(
      (m) => m.data,
      () => -1,
    );
    exit.finally(() => closeChild(child));
    return { pid: first.data, exit };
  } finally {
    if (!exit) closeChild(child);
  }
}

/** The attach socket of a conmon: packets prefixed with a stream byte (2 stdout, 3 stderr). */
export interface Attachment {
  onOutput(cb: (stream: 'stdout' | 'stderr', data: Buffer) => void): void;
  onClose(cb: () => void): void;
  write(data: Buffer): void;
  /** Half-closes: conmon then closes the process's stdin (unless told to leave it open). */
  endInput(): void;
  close(): void;
}

/**
 * node-unix-socket is loaded at the first attach, not with berthd: its loader picks the native
 * binary by asking for a whole diagnostic report (glibc or musl), which with the addon's loading took
 * a tenth of berthd's start under the VM's TCG.
 */
let seqpacket: typeof SeqpacketSocket | undefined;
function seqpacketSocket(): SeqpacketSocket {
  seqpacket ??= (createRequire(import.meta.url)('node-unix-socket') as typeof import('node-unix-socket'))
    .SeqpacketSocket;
  return new seqpacket();
}

export function attachSocket(bundle: string): Promise<Attachment> {
  // The socket path can be longer than sun_path allows; connect through a directory fd instead.
  const dirFd = openSync(bundle, 'r');
  return new Promise((resolve, reject) => {
    const sock = seqpacketSocket();
    let outputCb: (stream: 'stdout' | 'stderr', data: Buffer) => void = () => {};
    const closeCbs: Array<() => void> = [];
    let closed = false;
    const fireClose = () => {
      if (closed) return;
      closed = true;
      for (const cb of closeCbs) cb();
    };
    sock.on('data', (buf: Buffer) => {
      if (buf.length < 1) return;
      const kind = buf[0];
      const payload = buf.subarray(1);
      if (kind === 2) outputCb('stdout', payload);
      else if (kind === 3) outputCb('stderr', payload);
    });
    sock.on('end', fireClose);
    sock.on('close', fireClose);
    sock.on('error', (err: Error) => {
      if (!closed) fireClose();
      reject(err);
    });
    try {
      sock.connect(`/proc/self/fd/${dirFd}/attach`, () => {
        closeSync(dirFd);
        resolve({
          onOutput: (cb) => {
            outputCb = cb;
          },
          onClose: (cb) => {
            if (closed) cb();
            else closeCbs.push(cb);
          },
          write: (data) => {
            if (!closed && data.length) sock.write(data);
          },
          endInput: () => {
            if (!closed) sock.end();
          },
          close: () => {
            sock.destroy();
            fireClose();
          },
        });
      });
    } catch (err) {
      closeSync(dirFd);
      reject(err);
    }
  });
}

/** Resizes the terminal of a conmon-supervised process through its control fifo. */
export async function resizeTerminal(bundle: string, height: number, width: number): Promise<void> {
  const h = Math.max(0, Math.min(1000, Math.floor(height)));
  const w = Math.max(0, Math.min(1000, Math.floor(width)));
  const fh = await fs.open(`${bundle}/ctl`, 'w');
  try {
    await fh.write(`1 ${h} ${w}\n`);
  } finally {
    await fh.close();
  }
}

/** Asks conmon to reopen its log file (after rotation by berthd). */
export async function reopenLog(bundle: string): Promise<void> {
  const fh = await fs.open(`${bundle}/ctl`, 'w');
  try {
    await fh.write('2 0 0\n');
  } finally {
    await fh.close();
  }
}
