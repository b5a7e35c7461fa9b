import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /**
   * A FIFO the caller already holds open for reading, opened for writing as the command's fd 3 (conmon's
   * sync pipe). Opening it never blocks: the reader is there.
   */
  fd3?: string;
  /** In a session of its own, so that a ^C at berthd's terminal does not reach it (a monitor). */
  detached?: boolean;
}

/**
 * The engine's seam to the operating system: processes, signals and mounts. Unit tests pass a fake;
 * everything else uses hostSys.
 */
export interface Sys {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  kill(pid: number, signal: NodeJS.Signals | number): boolean;
  alive(pid: number): boolean;
}

export const hostSys: Sys = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      if (opts.input !== undefined || opts.fd3) {
        const fd3 = opts.fd3 ? openSync(opts.fd3, 'w', 0o600) : undefined;
        let child: ReturnType<typeof spawn>;
        try {
          child = spawn(cmd, args, {
            env: opts.env,
            cwd: opts.cwd,
            detached: opts.detached,
            stdio: fd3 === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', fd3],
          });
        } finally {
          if (fd3 !== undefined) closeSync(fd3);
        }
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on('data', (d: Buffer) => out.push(d));
        child.stderr?.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (code) =>
          resolve({
            code: code ?? 1,
            stdout: Buffer.concat(out).toString(),
            stderr: Buffer.concat(err).toString(),
          }),
        );
        child.stdin?.end(opts.input);
        return;
      }
      execFile(
        cmd,
        args,
        { env: opts.env, cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && typeof (error as NodeJS.ErrnoException).code === 'string') return reject(error);
          const code = error ? ((error as { code?: number }).code ?? 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  },
  kill(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
  alive(pid) {
    if (!pid || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** Runs a command and throws with its stderr when it fails. */
export async function runOk(sys: Sys, cmd: string, args: string[], opts?: RunOptions): Promise<string> {
  const r = await sys.run(cmd, args, opts);
  if (r.code !== 0) {
    const msg = (r.stderr || r.stdout).trim() || `exit status ${r.code}`;
    throw new Error(`${cmd} ${args[0] ?? ''}: ${msg}`);
  }
  return r.stdout;
}

/**
 * Whether a process has exited but is not reaped yet (a zombie, or dead), or is gone: `alive` still
 * says yes for a zombie, which a child of ours stays until it is reaped.
 */
export function exited(pid: number): boolean {
  try {
    return /\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
