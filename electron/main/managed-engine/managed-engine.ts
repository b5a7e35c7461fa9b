// The berthd this app starts itself (when `npm start` found no engine and may run one): its process,
// its log file, restart (by the user, and by itself with back-off when it dies), and the reset that
// deletes its data. An engine the app did not start is never touched: the app has no ManagedEngine for it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, promises as fs, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { EngineLogTail, ManagedEngineInfo } from '../../contract/index.ts';
import { createEngineClient } from '../engine/engine-client.ts';
import { pingEndpoint } from '../engine/engine-endpoint.ts';
import { engineErrorMessage, HandlerError } from '../ipc/errors.ts';
import type { Clock } from './clock.ts';
import { RestartBackoff, type RestartPolicy } from './restart-backoff.ts';

export interface ManagedEngine {
  readonly endpoint: string;
  info(): ManagedEngineInfo;
  /** Starts it (when not running) and resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Removes every container, stops the engine, deletes its data root, starts it again. */
  resetData(): Promise<string[]>;
  readLog(maxLines: number): Promise<EngineLogTail>;
}

export interface BerthdOptions {
  /** What runs the script: node, or Electron's binary with ELECTRON_RUN_AS_NODE=1 in `env`. */
  command: string;
  /** The bundled engine, dist/berthd.js. */
  script: string;
  dataRoot: string;
  execRoot: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /** The back-off of the automatic restarts (tests). */
  clock?: Clock;
  restartPolicy?: RestartPolicy;
}

/** The log is started afresh (the old one kept as .1) once it grows past this. */
const logRotateBytes = 8 * 1024 * 1024;
const logReadBytes = 1024 * 1024;

export class BerthdProcess implements ManagedEngine {
  readonly endpoint: string;
  private child: ChildProcess | null = null;
  private starting: Promise<void> | null = null;
  /** stop() asked for the exit under way: it is no death to restart from. */
  private stopping = false;
  private readonly restarts: RestartBackoff;

  constructor(private readonly opts: BerthdOptions) {
    this.endpoint = `unix://${path.join(opts.execRoot, 'docker.sock')}`;
    this.restarts = new RestartBackoff(
      () => this.start(),
      opts.clock,
      opts.restartPolicy,
      (message) => this.note(message),
    );
  }

  info(): ManagedEngineInfo {
    const running = this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
    return {
      endpoint: this.endpoint,
      running,
      starting: this.starting !== null,
      ...(running && this.child?.pid ? { pid: this.child.pid } : {}),
      logFile: this.opts.logFile,
      dataRoot: this.opts.dataRoot,
      autoRestart: this.restarts.state(),
    };
  }

  start(): Promise<void> {
    if (this.info().running && !this.starting) return Promise.resolve();
    this.stopping = false;
    this.starting ??= this.spawn()
      .then(
        () => this.restarts.up(),
        (err: Error) => {
          if (!this.stopping) this.restarts.died(startFailure(err));
          throw err;
        },
      )
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.restarts.reset();
    await this.starting?.catch(() => undefined);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async resetData(): Promise<string[]> {
    const root = path.resolve(this.opts.dataRoot);
    if (root.split(path.sep).filter(Boolean).length < 2) {
      throw new HandlerError('forbidden', 'reset.unsafe_root', `refusing to delete ${root}`);
    }
    if (this.info().running) {
      // Containers outlive berthd under their conmon; remove them through the engine first, so that no
      // process and no mount is left using the data root.
      await removeAllContainers(this.endpoint);
      await this.stop();
    }
    try {
      unmountUnder(root);
      await fs.rm(root, { recursive: true, force: true });
    } finally {
      await this.start();
    }
    return [root];
  }

  async readLog(maxLines: number): Promise<EngineLogTail> {
    const file = this.opts.logFile;
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, 'r');
    } catch {
      return { file, lines: [], truncated: false };
    }
    try {
      const { size } = await fh.stat();
      const from = Math.max(0, size - logReadBytes);
      const buf = Buffer.alloc(size - from);
      await fh.read(buf, 0, buf.length, from);
      let lines = buf.toString('utf8').split('\n');
      if (from > 0) lines = lines.slice(1); // the first one is cut
      if (lines.at(-1) === '') lines.pop();
      const truncated = from > 0 || lines.length > maxLines;
      return { file, lines: lines.slice(-maxLines), truncated };
    } finally {
      await fh.close();
    }
  }

  /** A line in the engine's log from the app (what happened to the process), best effort. */
  private note(message: string): void {
    fs.appendFile(this.opts.logFile, `--- ${message} (${new Date().toISOString()}) ---\n`).catch(
      () => undefined,
    );
  }

  private async spawn(): Promise<void> {
    const o = this.opts;
    await fs.mkdir(path.dirname(o.logFile), { recursive: true });
    const old = await fs.stat(o.logFile).catch(() => null);
    if (old && old.size > logRotateBytes) await fs.rename(o.logFile, `${o.logFile}.1`);
    const fd = openSync(o.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      writeSync(fd, `--- berthd started by Berth at ${new Date().toISOString()} ---\n`);
      const args = [o.script, '--data-root', o.dataRoot, '--exec-root', o.execRoot, '-H', this.endpoint];
      child = spawn(o.command, [...args, ...(o.extraArgs ?? [])], {
        stdio: ['ignore', fd, fd],
        env: o.env ?? process.env,
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', (err) => resolve(err.message));
    });
    const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
    for (;;) {
      const gone = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      if (gone !== null) {
        const tail = (await this.readLog(8)).lines.join('\n');
        throw new HandlerError('internal', 'engine.start_failed', `berthd exited (${gone}):\n${tail}`);
      }
      if (
        await pingEndpoint(this.endpoint, 1000).then(
          () => true,
          () => false,
        )
      ) {
        child.once('exit', (code, signal) => {
          if (this.child === child && !this.stopping) {
            this.restarts.died(code !== null ? `exited with code ${code}` : `was killed by ${signal}`);
          }
        });
        return;
      }
      if (Date.now() > deadline) {
        // One that never answers is ended, so that a restart can start a fresh one.
        child.kill('SIGKILL');
        throw new HandlerError(
          'unreachable',
          'engine.start_timeout',
          `berthd started but does not answer at ${this.endpoint}; see ${o.logFile}`,
        );
      }
    }
  }
}

/** `did not start: berthd exited (1) (<its last log line>)`, from spawn's error and the log's tail. */
function startFailure(err: Error): string {
  const [head, ...tail] = err.message.split('\n');
  const last = tail
    .filter((l) => l.trim())
    .at(-1)
    ?.trim();
  return `did not start: ${head.replace(/:$/, '')}${last ? ` (${last})` : ''}`;
}

async function removeAllContainers(endpoint: string): Promise<void> {
  const { docker } = createEngineClient(endpoint);
  const all = await docker.listContainers({ all: true });
  const results = await Promise.allSettled(all.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const reason = engineErrorMessage((results[failed] as PromiseRejectedResult).reason);
    throw new HandlerError(
      'conflict',
      'reset.container_busy',
      `cannot remove container ${all[failed].Names?.[0] ?? all[failed].Id}: ${reason}; nothing was deleted`,
    );
  }
}

/** Lazily unmounts whatever is still mounted under `dir`, deepest first (mount points never get deleted into). */
function unmountUnder(dir: string): void {
  if (process.platform !== 'linux') return;
  const points = mountPoints()
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) spawnSync('umount', ['-l', p]);
  const left = mountPoints().find((p) => p === dir || p.startsWith(`${dir}/`));
  if (left) {
    throw new HandlerError(
      'conflict',
      'reset.still_mounted',
      `${left} is still mounted; nothing was deleted`,
    );
  }
}

/** Mount points of this process's mount namespace (field 5 of mountinfo, octal escapes undone). */
function mountPoints(): string[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => Boolean(p))
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}
