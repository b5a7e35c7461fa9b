import { promises as fs } from 'node:fs';
import path from 'node:path';
import { conflict, EngineError, errorMessage, invalid, isEngineError, notFound } from '../../core/errors.ts';
import { writeJsonAtomic } from '../../core/fsutil.ts';
import { newId } from '../../core/ids.ts';
import { allCapabilities, applyCapChanges } from '../../runtime/capabilities.ts';
import { attachSocket, conmonExec, resizeTerminal } from '../../runtime/conmon.ts';
import { processUser } from '../../runtime/user.ts';
import { rootfsDirs } from '../../storage/container-rootfs.ts';
import { parseDetachKeys, pumpInput } from '../containers/attach.ts';
import { emitContainerEvent } from '../containers/create.ts';
import { LimitedOutput } from '../containers/health-policy.ts';
import { groupAdd } from '../containers/start.ts';
import { guard } from '../containers/state.ts';
import { bundleDir, type ContainerContext } from '../context.ts';
import { ChunkStream, type StdioChunk, type StdioSession } from '../stdio.ts';

export interface ExecConfig {
  Cmd: string[];
  Env: string[];
  User: string;
  WorkingDir: string;
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Privileged: boolean;
  DetachKeys: string;
  ConsoleSize?: [number, number] | null;
}

interface ExecSession {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  done: Promise<void>;
  markDone: () => void;
  /** Settles once the process runs, or has failed to. */
  launched: Promise<void>;
  markLaunched: () => void;
}

/** Output of an exec taken in-process rather than streamed to a client (health probes). */
export interface ExecCapture {
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
  /** The process is running, with this host pid. */
  started?(pid: number): void;
}

export interface ProbeRun {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

interface OciProcess {
  terminal?: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: Record<string, string[]>;
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  consoleSize?: { height: number; width: number };
}

/** Exec sessions: created against a running container, run under conmon (once) when started. */
export class ExecService {
  private readonly sessions = new Map<string, ExecSession>();

  constructor(private readonly ctx: ContainerContext) {}

  create(ref: string, body: Partial<ExecConfig> | undefined): string {
    const rec = this.ctx.store.get(ref);
    guard.exec(rec, ref);
    const cmd = body?.Cmd;
    if (!Array.isArray(cmd) || cmd.length === 0) throw invalid('No exec command specified');
    const id = newId();
    let markDone: () => void = () => {};
    let markLaunched: () => void = () => {};
    const launched = new Promise<void>((r) => {
      markLaunched = r;
    });
    const done = new Promise<void>((r) => {
      markDone = r;
    });
    this.sessions.set(id, {
      id,
      containerId: rec.Id,
      config: {
        Cmd: cmd.map(String),
        Env: (body?.Env ?? []).map(String),
        User: body?.User ?? '',
        WorkingDir: body?.WorkingDir ?? '',
        Tty: !!body?.Tty,
        AttachStdin: !!body?.AttachStdin,
        AttachStdout: !!body?.AttachStdout,
        AttachStderr: !!body?.AttachStderr,
        Privileged: !!body?.Privileged,
        DetachKeys: body?.DetachKeys ?? '',
        ConsoleSize: body?.ConsoleSize ?? null,
      },
      running: false,
      started: false,
      exitCode: null,
      pid: 0,
      done,
      markDone,
      launched,
      markLaunched,
    });
    // dockerd's action: the entrypoint, a space, the arguments (so `true` gives `exec_create: true `).
    emitContainerEvent(this.ctx, rec, `exec_create: ${cmd[0]} ${cmd.slice(1).join(' ')}`, { execID: id });
    return id;
  }

  get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s) throw notFound(`No such exec instance: ${id}`);
    return s;
  }

  inspect(id: string) {
    const s = this.get(id);
    return {
      ID: s.id,
      Running: s.running,
      ExitCode: s.exitCode,
      ProcessConfig: {
        tty: s.config.Tty,
        entrypoint: s.config.Cmd[0],
        arguments: s.config.Cmd.slice(1),
        privileged: s.config.Privileged,
        user: s.config.User || undefined,
      },
      OpenStdin: s.config.AttachStdin,
      OpenStderr: s.config.AttachStderr,
      OpenStdout: s.config.AttachStdout,
      CanRemove: false,
      ContainerID: s.containerId,
      DetachKeys: s.config.DetachKeys,
      Pid: s.pid,
    };
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const s = this.get(id);
    // As dockerd: a resize right after the start waits (10 s at most) for the process to be up.
    if (s.started && !s.running && s.exitCode === null)
      await Promise.race([s.launched, new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (!s.running) throw conflict(`exec ${id} is not running`);
    await resizeTerminal(path.join(this.ctx.paths.execBundles, id), height, width);
  }

  private async processSpec(s: ExecSession): Promise<OciProcess> {
    const ctx = this.ctx;
    const rec = ctx.store.get(s.containerId);
    const bundle = bundleDir(ctx, rec.Id);
    const spec = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as {
      process: OciProcess;
    };
    const base = spec.process;
    const user = s.config.User
      ? await processUser(rootfsDirs(ctx.store.dir(rec.Id)).merged, s.config.User, groupAdd(rec))
      : undefined;
    const env = new Map<string, string>();
    for (const e of [...base.env, ...s.config.Env]) {
      const i = e.indexOf('=');
      env.set(i >= 0 ? e.slice(0, i) : e, e);
    }
    if (s.config.Tty && !env.has('TERM')) env.set('TERM', 'TERM=xterm');
    const proc: OciProcess = {
      ...base,
      terminal: s.config.Tty,
      args: s.config.Cmd,
      env: [...env.values()].filter((e) => e.includes('=')),
      cwd: s.config.WorkingDir || base.cwd,
      user: user ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : base.user,
    };
    if (s.config.ConsoleSize && s.config.Tty)
      proc.consoleSize = { height: s.config.ConsoleSize[0], width: s.config.ConsoleSize[1] };
    if (s.config.Privileged) {
      const all = applyCapChanges(allCapabilities, [], []);
      proc.capabilities = { bounding: all, effective: all, permitted: all };
    }
    return proc;
  }

  /** Claims a session for its one start; the checks fail here, before any output. */
  private claim(id: string): ExecSession {
    const s = this.get(id);
    if (s.started) throw conflict(`Error: Exec command ${id} has already run`);
    const rec = this.ctx.store.get(s.containerId);
    guard.exec(rec);
    s.started = true;
    return s;
  }

  /** Starts an exec without its stdio; resolves once it runs. */
  async startDetached(id: string): Promise<void> {
    await this.run(this.claim(id), true);
  }

  /**
   * Starts an exec attached: its output as tagged chunks, ending with `{stream: 'exit'}` (carrying the
   * reason when it could not start); `input`, when the exec was created with stdin, becomes its stdin
   * (detach keys end the session). `consoleSize` ([height, width]) sizes its TTY from the start.
   */
  startAttached(
    id: string,
    opts: { input?: NodeJS.ReadableStream; consoleSize?: [number, number] } = {},
  ): StdioSession {
    const s = this.claim(id);
    if (opts.consoleSize && s.config.Tty) s.config.ConsoleSize = opts.consoleSize;
    const out = new ChunkStream<StdioChunk>();
    void this.run(s, false, { out, input: opts.input }).catch((err) => {
      this.ctx.log.warn('exec failed', { id, error: errorMessage(err) });
      out.end();
    });
    return { tty: s.config.Tty, output: out };
  }

  /**
   * Runs a claimed exec under conmon; with `io` (or a capture) its stdio is wired and this resolves
   * when it has exited, without either once it runs.
   */
  private async run(
    s: ExecSession,
    detach: boolean,
    io?: { out: ChunkStream<StdioChunk>; input?: NodeJS.ReadableStream },
    capture?: ExecCapture,
  ): Promise<void> {
    const id = s.id;
    const ctx = this.ctx;
    const rec = ctx.store.get(s.containerId);
    const dir = path.join(ctx.paths.execBundles, id);
    const specPath = path.join(dir, 'process.json');
    const tty = s.config.Tty;
    const send = (stream: 'stdout' | 'stderr', data: Buffer) => {
      if (
        !io ||
        (stream === 'stdout' && !s.config.AttachStdout) ||
        (stream === 'stderr' && !s.config.AttachStderr)
      )
        return;
      io.out.push({ stream, data });
    };
    let closedAttach: Promise<void> = Promise.resolve();
    // What the runtime says is dockerd's "OCI runtime exec failed"; a user that cannot be resolved is
    // reported as it is.
    let runtimeFailed = false;
    try {
      // Inside the try: a user that does not resolve fails the exec as a process that cannot start.
      await fs.mkdir(path.join(dir, 'exit'), { recursive: true, mode: 0o700 });
      await writeJsonAtomic(specPath, await this.processSpec(s));
      runtimeFailed = true;
      const handle = await conmonExec(
        {
          conmon: ctx.conmon,
          runtime: ctx.runtime,
          id: rec.Id,
          execId: id,
          bundle: dir,
          logPath: path.join(dir, 'exec.log'),
          // conmon names exit files after the container, so each exec gets a directory of its own.
          exitDir: path.join(dir, 'exit'),
          socketDir: ctx.paths.sockets,
          tty,
          stdin: s.config.AttachStdin && !detach,
          processSpec: specPath,
        },
        async () => {
          if (detach) return;
          if (capture) {
            const a = await attachSocket(dir);
            closedAttach = new Promise((resolve) => a.onClose(resolve));
            a.onOutput((stream, data) => capture.output(stream, data));
            return;
          }
          if (!io) return;
          const { out, input } = io;
          const a = await attachSocket(dir);
          closedAttach = new Promise((resolve) => a.onClose(resolve));
          a.onOutput(send);
          out.onClose(() => a.close());
          if (!s.config.AttachStdin) input?.resume();
          else {
            pumpInput(
              input,
              parseDetachKeys(s.config.DetachKeys || undefined),
              (d) => a.write(d),
              () => a.endInput(),
              () => {
                a.close();
                out.end();
              },
            );
          }
        },
      );
      s.pid = handle.pid;
      s.running = true;
      s.markLaunched();
      emitContainerEvent(ctx, rec, `exec_start: ${s.config.Cmd[0]} ${s.config.Cmd.slice(1).join(' ')}`, {
        execID: id,
      });
      capture?.started?.(handle.pid);
      const finish = handle.exit.then(async (code) => {
        s.exitCode = code;
        s.running = false;
        s.markDone();
        emitContainerEvent(ctx, rec, 'exec_die', { execID: id, exitCode: String(code) });
        await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
        await fs.rm(path.join(ctx.paths.sockets, id), { force: true }).catch(() => undefined);
      });
      if (detach || (!io && !capture)) return;
      await finish;
      await Promise.race([closedAttach, new Promise((r) => setTimeout(r, 2000))]);
      io?.out.push({ stream: 'exit', code: s.exitCode ?? -1 });
      io?.out.end();
    } catch (err) {
      s.running = false;
      // A missing command is 127 as in Docker 23+ (and as `docker run` has it); dockerd 20.10 said 126.
      s.exitCode = /not found|no such file/i.test(errorMessage(err)) ? 127 : 126;
      s.markDone();
      s.markLaunched();
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const why = errorMessage(err);
      const reason = runtimeFailed
        ? `OCI runtime exec failed: ${why.startsWith('exec failed: ') ? why : `exec failed: ${why}`}: unknown`
        : why;
      if (io && !detach) {
        io.out.push({ stream: 'exit', code: s.exitCode, error: reason });
        io.out.end();
        return;
      }
      throw runtimeFailed ? new EngineError(isEngineError(err) ? err.kind : 'internal', reason) : err;
    }
  }

  /**
   * Runs a command as dockerd runs a health probe: an exec with the container's user, environment and
   * working directory, stdout and stderr captured (4 KiB), killed when it outlives `timeoutMs`.
   */
  async probe(ref: string, cmd: string[], timeoutMs: number): Promise<ProbeRun> {
    const id = this.create(ref, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const s = this.get(id);
    const output = new LimitedOutput();
    let timedOut = false;
    let timer: { cancel(): void } | undefined;
    try {
      await this.run(this.claim(id), false, undefined, {
        output: (_stream, data) => output.write(data),
        started: (pid) => {
          timer = this.ctx.clock.setTimeout(() => {
            timedOut = true;
            this.ctx.sys.kill(pid, 'SIGKILL');
          }, timeoutMs);
        },
      });
    } finally {
      timer?.cancel();
      // Probes are not listed anywhere; keeping their sessions would grow without end.
      this.sessions.delete(id);
    }
    return { exitCode: s.exitCode ?? -1, output: output.toString(), timedOut };
  }
}
