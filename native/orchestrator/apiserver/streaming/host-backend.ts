// For tests: streaming backends that run on the host instead of in containers — the seam the kubelet
// fills in production. A pod's "filesystem" is a directory of its own (commands run with it as their
// working directory; there is no chroot, so absolute paths are the host's), exec runs the command as
// a host process (under a real pty with a tty, resized as the client's terminal is), attach runs the
// container's command and attaches to it, and port-forward connects to 127.0.0.1:<port>.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ChunkStream, type StdioChunk } from '../../../services/stdio.ts';
import type { KubeObject } from '../registry.ts';
import type { PortForwardBackend, RemoteCommandBackend, StreamOptions } from './backends.ts';

export class HostBackend implements RemoteCommandBackend, PortForwardBackend {
  private readonly dirs = new Map<string, string>();
  /** Every exec and attach, as the backend saw it (tests check what the protocol layer passed on). */
  readonly calls: { kind: 'exec' | 'attach'; container: string; command: string[]; tty: boolean }[] = [];

  /** The directory that stands for a pod's filesystem. */
  podDir(pod: KubeObject | string): string {
    const name = typeof pod === 'string' ? pod : `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    let dir = this.dirs.get(name);
    if (!dir) {
      dir = mkdtempSync(path.join(os.tmpdir(), 'berth-pod-'));
      this.dirs.set(name, dir);
    }
    return dir;
  }

  async exec(pod: KubeObject, container: string, command: string[], opts: StreamOptions) {
    this.calls.push({ kind: 'exec', container, command, tty: opts.tty });
    return this.run(pod, command, opts);
  }

  async attach(pod: KubeObject, container: string, opts: StreamOptions) {
    const containers = (pod.spec?.containers ?? []) as {
      name: string;
      command?: string[];
      args?: string[];
    }[];
    const spec = containers.find((c) => c.name === container);
    const command = [...(spec?.command ?? []), ...(spec?.args ?? [])];
    this.calls.push({ kind: 'attach', container, command, tty: opts.tty });
    const out = new ChunkStream<StdioChunk>();
    // An attachment shows output, not the exit code: that is the container's status.
    void (async () => {
      for await (const c of this.run(pod, command, opts)) if (c.stream !== 'exit') out.push(c);
      out.end();
    })();
    return out;
  }

  connect(_pod: KubeObject, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  cleanup(): void {
    for (const dir of this.dirs.values()) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  private run(pod: KubeObject, command: string[], opts: StreamOptions): ChunkStream<StdioChunk> {
    return opts.tty ? this.runPty(pod, command, opts) : this.runPipes(pod, command, opts);
  }

  private runPipes(pod: KubeObject, command: string[], opts: StreamOptions): ChunkStream<StdioChunk> {
    const out = new ChunkStream<StdioChunk>();
    const child = spawn(command[0], command.slice(1), {
      cwd: this.podDir(pod),
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    opts.signal.addEventListener('abort', () => child.kill('SIGKILL'));
    let spawnError: string | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError =
        err.code === 'ENOENT' ? `exec: "${command[0]}": executable file not found in $PATH` : err.message;
    });
    child.stdout?.on('data', (data: Buffer) => out.push({ stream: 'stdout', data }));
    child.stderr?.on('data', (data: Buffer) => out.push({ stream: 'stderr', data }));
    child.on('close', (code, signal) => {
      out.push({
        stream: 'exit',
        code: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
        ...(spawnError ? { error: spawnError } : {}),
      });
      out.end();
    });
    const stdin = opts.stdin;
    if (stdin && child.stdin) {
      const sink = child.stdin;
      sink.on('error', () => undefined);
      void (async () => {
        for await (const b of stdin) if (!sink.write(b)) await new Promise((r) => sink.once('drain', r));
        sink.end();
      })();
    }
    return out;
  }

  private runPty(pod: KubeObject, command: string[], opts: StreamOptions): ChunkStream<StdioChunk> {
    const out = new ChunkStream<StdioChunk>();
    void (async () => {
      const pty = await import('@lydell/node-pty');
      const term = pty.spawn(command[0], command.slice(1), { cwd: this.podDir(pod), cols: 80, rows: 24 });
      opts.signal.addEventListener('abort', () => term.kill('SIGKILL'));
      term.onData((s) => out.push({ stream: 'stdout', data: Buffer.from(s) }));
      term.onExit(({ exitCode }) => {
        out.push({ stream: 'exit', code: exitCode });
        out.end();
      });
      if (opts.resize)
        void (async () => {
          for await (const s of opts.resize!) term.resize(Math.max(s.width, 1), Math.max(s.height, 1));
        })();
      if (opts.stdin)
        void (async () => {
          for await (const b of opts.stdin!) term.write(b.toString());
        })();
    })();
    return out;
  }
}
