// A ContainerOperations and ImageOperations of records in memory, for the kubelet's unit tests: a
// seam, as the builder's tests fake the same interface. Containers start and stay running until a test
// makes them exit (`exit`) or the kubelet stops, kills or removes them; a sandbox (bridge network)
// gets an address; exec answers from `execCode`.
import path from 'node:path';
import { conflict, notFound } from '../../core/errors.ts';
import type {
  ContainerInfo,
  ContainerOperations,
  CreateOptions,
  ListFilter,
  LogChunk,
  OutputChunk,
  ProcessChunk,
  StopOptions,
  WaitResult,
} from '../../services/containers/operations.ts';
import type { HeldImages, ImageOperations, ImageSummary } from '../../services/images/operations.ts';
import type { MemoryMounts } from './memory-volumes.ts';

interface FakeContainer {
  info: ContainerInfo;
  config: Record<string, unknown> & { HostConfig?: Record<string, unknown> };
  waiters: ((r: WaitResult) => void)[];
  logs: LogChunk[];
}

export class FakeContainers implements ContainerOperations {
  readonly containers = new Map<string, FakeContainer>();
  readonly calls: string[] = [];
  /** Exit code of an exec, by its command joined with spaces (default 0). */
  readonly execCode = new Map<string, number>();
  /** An exec of this command (joined with spaces) ends only when the promise settles. */
  readonly execHold = new Map<string, Promise<void>>();
  private next = 0;
  private ip = 1;

  constructor(private readonly now: () => number) {}

  private find(ref: string): FakeContainer {
    const c = this.containers.get(ref) ?? [...this.containers.values()].find((x) => x.info.Name === ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }

  /** Pretends the container's process ended with `code`. */
  exit(id: string, code: number, oom = false): void {
    const c = this.find(id);
    if (c.info.State.Status !== 'running') return;
    c.info.State = {
      ...c.info.State,
      Status: 'exited',
      ExitCode: code,
      OOMKilled: oom,
      Pid: 0,
      FinishedAt: this.time(),
    };
    c.info.IPAddress = '';
    for (const w of c.waiters.splice(0)) w({ StatusCode: code, Error: null });
  }

  /** Adds a line to a container's log. */
  log(id: string, text: string): void {
    this.find(id).logs.push({ stream: 'stdout', text, time: this.time() });
  }

  byName(prefix: string): ContainerInfo[] {
    return [...this.containers.values()].filter((c) => c.info.Name.startsWith(prefix)).map((c) => c.info);
  }

  configOf(id: string) {
    return this.find(id).config;
  }

  async list(filter: ListFilter = {}): Promise<ContainerInfo[]> {
    const want = Object.entries(filter.labels ?? {});
    return [...this.containers.values()]
      .filter((c) => want.every(([k, v]) => c.info.Labels[k] === v))
      .map((c) => structuredClone(c.info));
  }

  async inspect(id: string): Promise<ContainerInfo> {
    return structuredClone(this.find(id).info);
  }

  async create(opts: CreateOptions): Promise<{ Id: string; Warnings: string[] }> {
    const config = opts.config as FakeContainer['config'];
    if (opts.name && [...this.containers.values()].some((c) => c.info.Name === opts.name))
      throw conflict(`Conflict. The container name "/${opts.name}" is already in use`);
    const id = (++this.next).toString(16).padStart(64, '0');
    this.containers.set(id, {
      info: {
        Id: id,
        Name: opts.name ?? id.slice(0, 12),
        Image: `sha256:${String(config.Image).length.toString(16).padStart(64, 'a')}`,
        ImageRef: String(config.Image),
        Labels: { ...((config.Labels as Record<string, string>) ?? {}) },
        Created: this.time(),
        State: {
          Status: 'created',
          Pid: 0,
          ExitCode: 0,
          OOMKilled: false,
          Error: '',
          StartedAt: '0001-01-01T00:00:00Z',
          FinishedAt: '0001-01-01T00:00:00Z',
        },
        IPAddress: '',
      },
      config,
      waiters: [],
      logs: [],
    });
    this.calls.push(`create ${opts.name}`);
    return { Id: id, Warnings: [] };
  }

  async start(id: string): Promise<void> {
    const c = this.find(id);
    c.info.State = {
      ...c.info.State,
      Status: 'running',
      Pid: 100 + this.next,
      StartedAt: this.time(),
      ExitCode: 0,
    };
    if (c.config.HostConfig?.NetworkMode === 'bridge') c.info.IPAddress = `172.30.0.${++this.ip}`;
    this.calls.push(`start ${c.info.Name}`);
  }

  async stop(id: string, opts: StopOptions = {}): Promise<void> {
    const c = this.find(id);
    this.calls.push(`stop ${c.info.Name} ${opts.timeoutS ?? ''}`.trim());
    this.exit(id, 137);
  }

  async kill(id: string): Promise<void> {
    this.calls.push(`kill ${this.find(id).info.Name}`);
    this.exit(id, 137);
  }

  async wait(id: string): Promise<{ exited: Promise<WaitResult> }> {
    const c = this.find(id);
    if (c.info.State.Status !== 'running')
      return { exited: Promise.resolve({ StatusCode: c.info.State.ExitCode, Error: null }) };
    return { exited: new Promise((resolve) => c.waiters.push(resolve)) };
  }

  async remove(id: string): Promise<void> {
    const c = this.find(id);
    this.exit(c.info.Id, 137);
    this.containers.delete(c.info.Id);
    this.calls.push(`remove ${c.info.Name}`);
  }

  async *exec(id: string, opts: { cmd: string[] }): AsyncIterable<ProcessChunk> {
    const c = this.find(id);
    if (c.info.State.Status !== 'running') throw conflict(`container ${id} is not running`);
    this.calls.push(`exec ${c.info.Name} ${opts.cmd.join(' ')}`);
    await this.execHold.get(opts.cmd.join(' '));
    const code = this.execCode.get(opts.cmd.join(' ')) ?? 0;
    if (code) yield { stream: 'stderr', data: Buffer.from(`${opts.cmd[0]} failed\n`) };
    yield { stream: 'exit', code };
  }

  async *attach(): AsyncIterable<OutputChunk> {
    yield* [];
    throw new Error('the kubelet never attaches (yet)');
  }

  async *logs(id: string, opts: { tail?: number } = {}): AsyncIterable<LogChunk> {
    const all = this.find(id).logs;
    yield* opts.tail === undefined ? all : all.slice(-opts.tail);
  }

  async *stats(): AsyncIterable<Record<string, unknown>> {
    yield* [];
    throw new Error('the kubelet never reads stats');
  }

  async archiveGet(): Promise<void> {
    throw new Error('the kubelet never copies from containers');
  }

  async archivePut(): Promise<void> {
    throw new Error('the kubelet never copies into containers');
  }

  async commit(): Promise<string> {
    throw new Error('the kubelet never commits');
  }
}

/** Images by reference; `pullable` lists what a pull finds, anything else fails as a registry would. */
export class FakeImages implements ImageOperations {
  readonly images = new Map<string, ImageSummary>();
  readonly pullable = new Map<string, ImageSummary>();
  readonly pulls: string[] = [];

  async find(ref: string): Promise<ImageSummary | undefined> {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }

  async pull(ref: string): Promise<ImageSummary> {
    this.pulls.push(ref);
    const img = this.pullable.get(ref);
    if (!img) throw new Error(`pull access denied for ${ref}, repository does not exist`);
    this.images.set(ref, img);
    return img;
  }

  hold(): HeldImages {
    throw new Error('not in the fake');
  }

  async tag(): Promise<void> {
    throw new Error('not in the fake');
  }

  tempPath(): string {
    throw new Error('not in the fake');
  }

  async receive(): Promise<void> {
    throw new Error('not in the fake');
  }

  async extract(): Promise<void> {
    throw new Error('not in the fake');
  }

  readonly buildCacheFile = '';
}

/**
 * A mount table in memory for the kubelet's memory-backed volumes: what is mounted where, with its
 * size, and every mount and unmount in order.
 */
export class FakeMounts implements MemoryMounts {
  readonly mounted = new Map<string, number | undefined>();
  readonly calls: string[] = [];

  async isTmpfs(dir: string): Promise<boolean> {
    return this.mounted.has(path.resolve(dir));
  }

  async mount(dir: string, sizeBytes: number | undefined): Promise<void> {
    this.calls.push(`mount ${dir} ${sizeBytes}`);
    this.mounted.set(path.resolve(dir), sizeBytes);
  }

  async under(dir: string): Promise<string[]> {
    const at = path.resolve(dir);
    return [...this.mounted.keys()]
      .filter((p) => p === at || p.startsWith(at + path.sep))
      .sort((a, b) => b.length - a.length);
  }

  async unmount(dir: string): Promise<void> {
    this.calls.push(`umount ${dir}`);
    this.mounted.delete(path.resolve(dir));
  }
}
