// The host terminal: a shell on the user's own machine in a pseudo-terminal, with DOCKER_HOST set to
// the engine the app talks to. The pty is a seam (`PtySpawner`): node-pty in the app, a fake in tests.
import os from 'node:os';
import type { TerminalProcess } from './terminal-session.ts';

export interface PtyProcess {
  onData(listener: (data: string) => void): void;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(): void;
}

export interface PtyOptions {
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string>;
}

export type PtySpawner = (file: string, args: string[], opts: PtyOptions) => Promise<PtyProcess>;

/** node-pty (prebuilt N-API binaries: no rebuild for Electron), loaded on first use. */
export const nodePtySpawner: PtySpawner = async (file, args, opts) => {
  const pty = await import('@lydell/node-pty');
  const p = pty.spawn(file, args, { name: 'xterm-256color', ...opts });
  return {
    onData: (l) => void p.onData(l),
    onExit: (l) => void p.onExit(l),
    write: (d) => p.write(d),
    resize: (c, r) => p.resize(c, r),
    kill: () => p.kill(),
  };
};

/** The user's shell: $SHELL on Unix (else /bin/sh), PowerShell on Windows. */
export function hostShell(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32')
    return env.COMSPEC?.toLowerCase().includes('powershell') ? env.COMSPEC : 'powershell.exe';
  return env.SHELL || '/bin/sh';
}

/** The shell's environment: the app's, a terminal type, and the engine endpoint for docker clients. */
export function hostShellEnv(endpoint: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  // An npm script's variables would leak into the user's shell: keep them out.
  for (const k of Object.keys(out)) if (k.startsWith('npm_')) delete out[k];
  return { ...out, TERM: 'xterm-256color', COLORTERM: 'truecolor', DOCKER_HOST: endpoint };
}

export function hostShellOptions(
  endpoint: string,
  size: { cols?: number; rows?: number },
): { file: string; args: string[]; opts: PtyOptions } {
  return {
    file: hostShell(),
    args: [],
    opts: {
      cols: size.cols && size.cols > 0 ? size.cols : 80,
      rows: size.rows && size.rows > 0 ? size.rows : 24,
      cwd: os.homedir(),
      env: hostShellEnv(endpoint),
    },
  };
}

/** A pty as a session's process: output kept until the session listens; kill hangs the shell up. */
export function ptyTerminal(pty: PtyProcess, killGraceMs = 3000): TerminalProcess {
  const early: string[] = [];
  let dataListener: ((data: string) => void) | null = null;
  let exitListener: ((code: number | null) => void) | null = null;
  let exitCode: number | null | undefined;
  let markGone = () => {};
  const gone = new Promise<void>((resolve) => {
    markGone = resolve;
  });
  pty.onData((d) => (dataListener ? dataListener(d) : early.push(d)));
  pty.onExit((e) => {
    exitCode = e.exitCode;
    markGone();
    exitListener?.(exitCode);
  });
  return {
    onData(listener) {
      dataListener = listener;
      for (const d of early.splice(0)) listener(d);
    },
    onExit(listener) {
      exitListener = listener;
      if (exitCode !== undefined) listener(exitCode);
    },
    write: (data) => pty.write(data),
    resize: async (cols, rows) => pty.resize(cols, rows),
    async kill() {
      if (exitCode !== undefined) return;
      // node-pty's kill sends SIGHUP: what closing a terminal window does.
      pty.kill();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, killGraceMs)))]);
      clearTimeout(timer);
    },
  };
}
