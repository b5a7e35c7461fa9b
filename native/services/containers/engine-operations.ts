// The engine's ContainerOperations (operations.ts): each operation is the service file that does it;
// this class only gives them the interface's shapes (one call per exec, a held set for a build's
// commit, async iterables a consumer can leave early).
import { Readable } from 'node:stream';
import type { ContainerContext } from '../context.ts';
import type { ExecService } from '../exec/service.ts';
import { commitContainer } from '../images/commit.ts';
import { archiveGet, archivePut } from './archive.ts';
import { attachContainer } from './attach.ts';
import { createContainer } from './create.ts';
import { killContainer, stopContainer, waitContainer } from './lifecycle.ts';
import { containerLog } from './logs.ts';
import type { ContainerRecord } from './model.ts';
import type {
  ArchivePutOptions,
  AttachOptions,
  CommitOptions,
  ContainerInfo,
  ContainerOperations,
  CreateOptions,
  ExecOptions,
  ListFilter,
  LogChunk,
  LogsOptions,
  OutputChunk,
  ProcessChunk,
  StatsOptions,
  StopOptions,
  WaitCondition,
  WaitResult,
} from './operations.ts';
import { removeContainer } from './remove.ts';
import { startContainer } from './start.ts';
import { hasProcess } from './state.ts';
import { containerStats } from './stats.ts';

export class EngineContainerOperations implements ContainerOperations {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly execs: ExecService,
  ) {}

  async list(filter: ListFilter = {}): Promise<ContainerInfo[]> {
    const want = Object.entries(filter.labels ?? {});
    return this.ctx.store
      .all()
      .filter((rec) => want.every(([k, v]) => rec.Config.Labels?.[k] === v))
      .map(infoOf);
  }

  async inspect(id: string): Promise<ContainerInfo> {
    return infoOf(this.ctx.store.get(id));
  }

  create(opts: CreateOptions): Promise<{ Id: string; Warnings: string[] }> {
    return createContainer(this.ctx, { name: opts.name, body: opts.config });
  }

  start(id: string): Promise<void> {
    return startContainer(this.ctx, id);
  }

  stop(id: string, opts: StopOptions = {}): Promise<void> {
    return stopContainer(this.ctx, id, opts.timeoutS, opts.signal);
  }

  kill(id: string, signal?: string): Promise<void> {
    return killContainer(this.ctx, id, signal);
  }

  async wait(id: string, condition: WaitCondition = 'not-running'): Promise<{ exited: Promise<WaitResult> }> {
    const waiter = await waitContainer(this.ctx, id, condition);
    return { exited: waiter() };
  }

  remove(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    return removeContainer(this.ctx, id, { force: !!opts.force, volumes: !!opts.volumes });
  }

  async *exec(id: string, opts: ExecOptions): AsyncIterable<ProcessChunk> {
    const execId = this.execs.create(id, {
      Cmd: opts.cmd,
      Env: opts.env ?? [],
      User: opts.user ?? '',
      WorkingDir: opts.workdir ?? '',
      Tty: !!opts.tty,
      Privileged: !!opts.privileged,
      AttachStdin: !!opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
    });
    const session = this.execs.startAttached(execId, { input: opts.stdin && Readable.from(opts.stdin) });
    if (opts.tty && opts.resize) void this.follow(execId, opts.resize);
    try {
      yield* session.output;
    } finally {
      session.output.close();
    }
  }

  /** Passes a terminal's sizes to the exec's TTY while it runs. */
  private async follow(
    execId: string,
    sizes: AsyncIterable<{ width: number; height: number }>,
  ): Promise<void> {
    try {
      for await (const s of sizes) await this.execs.resize(execId, s.height, s.width).catch(() => undefined);
    } catch {
      // The client went away: nothing to resize.
    }
  }

  async *attach(id: string, opts: AttachOptions = {}): AsyncIterable<OutputChunk> {
    const session = attachContainer(
      this.ctx,
      id,
      { stdin: !!opts.stdin, stdout: true, stderr: true, stream: true, logs: !!opts.logs },
      opts.stdin && Readable.from(opts.stdin),
    );
    try {
      for await (const chunk of session.output) if (chunk.stream !== 'exit') yield chunk;
    } finally {
      session.output.close();
    }
  }

  async *logs(id: string, opts: LogsOptions = {}): AsyncIterable<LogChunk> {
    for await (const batch of containerLog(this.ctx, id, opts).batches)
      for (const e of batch) yield { stream: e.stream, text: e.text, time: e.time };
  }

  stats(id: string, opts: StatsOptions): AsyncIterable<Record<string, unknown>> {
    return containerStats(this.ctx, id, {
      stream: opts.stream,
      oneShot: !!opts.oneShot,
      signal: opts.signal,
    });
  }

  archiveGet(
    id: string,
    path: string,
    read: (stat: string, tar: AsyncIterable<Buffer>) => Promise<void>,
  ): Promise<void> {
    return archiveGet(this.ctx, id, path, read);
  }

  archivePut(
    id: string,
    path: string,
    tar: AsyncIterable<Buffer>,
    opts: ArchivePutOptions = {},
  ): Promise<void> {
    return archivePut(
      this.ctx,
      id,
      path,
      { noOverwriteDirNonDir: !!opts.noOverwriteDirNonDir, copyUIDGID: !!opts.copyUIDGID },
      tar instanceof Readable ? tar : Readable.from(tar),
    );
  }

  commit(id: string, opts: CommitOptions = {}): Promise<string> {
    return commitContainer(this.ctx, {
      container: id,
      pause: opts.pause ?? true,
      changes: opts.changes ?? [],
      config: opts.config,
      createdBy: opts.createdBy,
      comment: opts.comment,
      author: opts.author,
      repo: opts.repo,
      tag: opts.tag,
      into: opts.into,
      event: opts.event,
    });
  }
}

function infoOf(rec: ContainerRecord): ContainerInfo {
  const s = rec.State;
  const ip = Object.values(rec.Endpoints ?? {}).find((e) => e.IPAddress)?.IPAddress ?? '';
  return {
    Id: rec.Id,
    Name: rec.Name.replace(/^\//, ''),
    Image: rec.Image,
    ImageRef: rec.Config.Image,
    Labels: { ...(rec.Config.Labels ?? {}) },
    Created: rec.Created,
    State: {
      Status: s.Status,
      Pid: s.Pid,
      ExitCode: s.ExitCode,
      OOMKilled: s.OOMKilled,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
    },
    IPAddress: hasProcess(s.Status) ? ip : '',
  };
}
