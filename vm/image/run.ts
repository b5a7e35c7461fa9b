// The one seam between the image builder and the programs it drives (apt-get, dpkg-deb, npm,
// mksquashfs): unit tests hand the builder a Runner that answers from recorded output, the build a
// real one. Nothing here goes through a shell, so package names and paths are never re-parsed.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

/** Runs programs for real; stdout and stderr are collected whole (the builder's commands are short). */
export const processRunner: Runner = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
      child.on('close', (code, signal) =>
        resolve({
          code: code ?? 128 + (signal ? 15 : 0),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
  },
};

/** Runs and fails with the command's own words when it does not exit 0. */
export async function runOk(runner: Runner, cmd: string, args: string[], opts?: RunOptions): Promise<string> {
  const r = await runner.run(cmd, args, opts);
  if (r.code !== 0) {
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited ${r.code}: ${why}`);
  }
  return r.stdout;
}
