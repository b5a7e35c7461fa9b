// A Sys whose commands a small shell kept beside the engine starts, instead of berthd forking itself.
//
// Node starts every child with a full fork(2) of its own process: page tables of a 100 MB heap copied,
// then torn down again by the child's exec. On a virtualised host that is most of the cost of a short
// command (6–8 ms of berthd's CPU each, on its one JavaScript thread), and a pod start runs a dozen of
// them (mount, ip, unshare, nsenter, runc). /bin/sh is a process of a megabyte: its fork is a fraction
// of that. The shell reads one line per command from its stdin and answers on its stdout with lines of
// its own:
//   p <n> <pid>     command n started as pid (so that a timeout can kill it)
//   x <n> <status>  command n ended with this status (128+signal when a signal ended it)
// Each command runs in a background subshell of the shell, which forks the command, waits for it and
// reports. A shell that only starts background jobs never waits for any: it reaps the ended ones (and
// forgets them) at `jobs`, which each line begins with and which berthd also sends once the shell has
// been idle a moment, so that no ended subshell stays a zombie. The command's input, output and
// errors are files in this spawner's folder, read and removed on `x`.
// A command's own environment (a whole one, as a spawn gives it: the variables the shell exports unset,
// the command's given on its `exec`, with no env(1) process between), working directory and fd 3
// (`3>FILE`, `3<>FIFO`) are set up on its line; the shell's own session is the command's (`detached`). Everything
// goes to the fallback Sys when the shell cannot run.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tryOr } from './fsutil.ts';
import { hostSys, type RunOptions, type RunResult, type Sys } from './sys.ts';

/** Single-quotes a word for sh: nothing inside single quotes is special but the quote itself. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What a command gets besides its arguments, as the shell line sets it up. */
export interface LineOptions {
  /** Its stdin is the file `<n>.i` (else /dev/null). */
  input?: boolean;
  /**
   * Its whole environment: `clear` are the names the shell exports (unset first), `vars` the command's
   * own (their names shell variable names: see `shellName`).
   */
  env?: { clear: readonly string[]; vars: NodeJS.ProcessEnv };
  cwd?: string;
  /** A file opened for writing as its fd 3. */
  fd3?: string;
  /**
   * fd3 is a FIFO: opened for reading and writing (`3<>`), which never blocks. Opened for writing
   * alone, the open waits for a reader; an engine killed after it made the FIFO and before it read it
   * would leave the command's shells waiting there for ever.
   */
  fd3Fifo?: boolean;
}

/** Whether a variable's name is one the shell can assign and unset (it drops the others from its own). */
export function shellName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** The line that runs command n with its files in dir (the protocol above). */
export function commandLine(
  n: number,
  dir: string,
  file: string,
  args: string[],
  o: LineOptions = {},
): string {
  const base = path.join(dir, String(n));
  let words = [file, ...args].map(shellQuote).join(' ');
  // A group run in the background is a subshell of its own: what it unsets stays there, and `exec`
  // keeps its pid the command's. Assignments before `exec` are exported to the command.
  if (o.env || o.cwd) {
    // cd first: it sets (and exports) PWD and OLDPWD, which go with the rest.
    const steps: string[] = [];
    if (o.cwd) steps.push(`cd ${shellQuote(o.cwd)}`);
    if (o.env) steps.push(`unset ${[...new Set([...o.env.clear, 'PWD', 'OLDPWD'])].join(' ')}`);
    const vars = Object.entries(o.env?.vars ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${shellQuote(String(v))} `);
    steps.push(`${vars.join('')}exec ${words}`);
    words = `{ ${steps.join(' && ')}; }`;
  }
  const stdin = o.input ? shellQuote(`${base}.i`) : '/dev/null';
  const fd3 = o.fd3 ? ` 3${o.fd3Fifo ? '<>' : '>'}${shellQuote(o.fd3)}` : '';
  return `jobs >/dev/null; ( ${words} <${stdin} >${shellQuote(`${base}.o`)} 2>${shellQuote(`${base}.e`)}${fd3} & echo "p ${n} $!"; wait $!; echo "x ${n} $?" ) &\n`;
}

interface Pending {
  resolve(r: RunResult): void;
  reject(err: Error): void;
  file: string;
  input: boolean;
  pid?: number;
  timer?: NodeJS.Timeout;
}

function notFound(cmd: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`spawn ${cmd} ENOENT`);
  err.code = 'ENOENT';
  err.errno = -2;
  err.syscall = `spawn ${cmd}`;
  err.path = cmd;
  return err;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class ShellSpawner implements Sys {
  private shell?: ChildProcess;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly paths = new Map<string, string>();
  private buffered = '';
  private broken = false;
  private exported: readonly string[] = [];
  private reaper?: NodeJS.Timeout;

  /** dir is the spawner's own folder (emptied now): each command's input and output go there. */
  constructor(
    private readonly dir: string,
    private readonly fallback: Sys = hostSys,
    private readonly sh = '/bin/sh',
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  kill(pid: number, signal: NodeJS.Signals | number): boolean {
    return this.fallback.kill(pid, signal);
  }

  alive(pid: number): boolean {
    return this.fallback.alive(pid);
  }

  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    // A variable the shell cannot name cannot be given on its line: such a command is spawned.
    if (this.broken || (opts.env && !Object.keys(opts.env).every(shellName)))
      return this.fallback.run(cmd, args, opts);
    const file = this.resolve(cmd);
    if (!file) throw notFound(cmd);
    const shell = this.ensureShell();
    if (!shell) return this.fallback.run(cmd, args, opts);
    const n = this.next++;
    const input = opts.input !== undefined;
    // Small files of its own: synchronous calls (core/fsutil.ts says why).
    if (input) writeFileSync(path.join(this.dir, `${n}.i`), opts.input as string | Buffer);
    const fd3 = opts.fd3;
    const fd3Fifo = fd3 ? tryOr(() => statSync(fd3).isFIFO(), false) : false;
    return new Promise<RunResult>((resolve, reject) => {
      const p: Pending = { resolve, reject, file, input };
      if (opts.timeoutMs)
        p.timer = setTimeout(() => {
          if (p.pid) this.fallback.kill(p.pid, 'SIGTERM');
        }, opts.timeoutMs);
      this.pending.set(n, p);
      if (this.pending.size === 1) this.hold(true);
      shell.stdin?.write(
        commandLine(n, this.dir, file, args, {
          input,
          env: opts.env ? { clear: this.exported, vars: opts.env } : undefined,
          cwd: opts.cwd,
          fd3: opts.fd3,
          fd3Fifo,
        }),
      );
    });
  }

  /** The shell's pid while it runs. */
  shellPid(): number | undefined {
    return this.shell?.pid;
  }

  /** Ends the shell (what still runs is answered as lost); later commands go to the fallback. */
  close(): void {
    this.broken = true;
    clearTimeout(this.reaper);
    this.shell?.stdin?.end();
  }

  /** The executable a command names, looked up in PATH as execvp would (found paths are kept). */
  private resolve(cmd: string): string | undefined {
    if (cmd.includes('/')) return executable(cmd) ? cmd : undefined;
    const known = this.paths.get(cmd);
    if (known) return known;
    for (const d of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
      if (!d) continue;
      const f = path.join(d, cmd);
      if (executable(f)) {
        this.paths.set(cmd, f);
        return f;
      }
    }
    return undefined;
  }

  private ensureShell(): ChildProcess | undefined {
    if (this.shell) return this.shell;
    if (!executable(this.sh)) {
      this.broken = true;
      return undefined;
    }
    // Its own session: a ^C meant for berthd must not end the shell berthd still needs to stop cleanly.
    const env = { ...process.env };
    const shell = spawn(this.sh, [], { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env });
    // What it exports to its commands: the variables it was given that it can name (and PWD and
    // OLDPWD, which it sets itself: `commandLine` adds them).
    this.exported = Object.keys(env).filter(shellName);
    shell.stdout?.setEncoding('utf8');
    shell.stdout?.on('data', (chunk: string) => this.read(chunk));
    shell.stdin?.on('error', () => undefined);
    shell.on('error', () => this.lost(shell));
    shell.on('exit', () => this.lost(shell));
    this.shell = shell;
    this.hold(false);
    return shell;
  }

  /**
   * Once idle, the shell reaps the subshells that reported last (they exit right after their `x`):
   * a moment later, then again later for one that was slow to go.
   */
  private reapSoon() {
    clearTimeout(this.reaper);
    const reap = (ms: number, then?: number) => {
      this.reaper = setTimeout(() => {
        if (this.pending.size) return;
        this.shell?.stdin?.write('jobs >/dev/null\n');
        if (then) reap(then);
      }, ms);
      this.reaper.unref();
    };
    reap(25, 500);
  }

  /** The shell keeps the process alive only while a command is in flight. */
  private hold(on: boolean) {
    const s = this.shell;
    if (!s) return;
    for (const h of [s, s.stdout, s.stdin] as ({ ref?(): void; unref?(): void } | null)[]) {
      if (on) h?.ref?.();
      else h?.unref?.();
    }
  }

  private lost(shell: ChildProcess) {
    if (this.shell === shell) this.shell = undefined;
    // Its commands' reporters may still hold the pipe open; nothing more is read from it.
    shell.stdout?.destroy();
    shell.stdin?.destroy();
    // What was in flight cannot be told apart from what never ran: say so to each caller.
    for (const [n, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${path.basename(p.file)}: the engine's command shell exited`));
      this.pending.delete(n);
      this.cleanup(n, p.input);
    }
  }

  private read(chunk: string) {
    this.buffered += chunk;
    let nl = this.buffered.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      nl = this.buffered.indexOf('\n');
      const [kind, id, value] = line.split(' ');
      const n = Number(id);
      const p = this.pending.get(n);
      if (!p) continue;
      if (kind === 'p') p.pid = Number(value);
      else if (kind === 'x') {
        this.pending.delete(n);
        clearTimeout(p.timer);
        if (!this.pending.size) {
          this.hold(false);
          this.reapSoon();
        }
        this.finish(n, p, Number(value));
      }
    }
  }

  private finish(n: number, p: Pending, status: number) {
    const base = path.join(this.dir, String(n));
    try {
      const stdout = tryOr(() => readFileSync(`${base}.o`, 'utf8'), '');
      const stderr = tryOr(() => readFileSync(`${base}.e`, 'utf8'), '');
      // The file went between lookup and exec: the same error a spawn would give.
      if (status === 127 && !executable(p.file)) {
        for (const [k, f] of this.paths) if (f === p.file) this.paths.delete(k);
        p.reject(notFound(p.file));
      } else p.resolve({ code: status, stdout, stderr });
    } finally {
      this.cleanup(n, p.input);
    }
  }

  private cleanup(n: number, input: boolean) {
    const base = path.join(this.dir, String(n));
    for (const f of [`${base}.o`, `${base}.e`, ...(input ? [`${base}.i`] : [])]) rmSync(f, { force: true });
  }
}
