// The builder against a fake container backend: every container it asks for is one of FakeContainers'
// records, every RUN command one of its scripts, so the builder's own work (steps, cache, commits,
// clean-up, output) is seen without an OCI runtime. Images are real: an image service in a temp dir.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import tarStream from 'tar-stream';
import { busyboxImageTar } from '../../test/fixtures/images.ts';
import { CommandFailedError, isEngineError, notFound } from '../core/errors.ts';
import { hostSys } from '../core/sys.ts';
import type {
  CommitOptions,
  ContainerInfo,
  ContainerOperations,
  CreateOptions,
  ExecOptions,
  LogChunk,
  OutputChunk,
  ProcessChunk,
  WaitResult,
} from '../services/containers/operations.ts';
import { EngineImages } from '../services/images/engine-images.ts';
import type { ImageService } from '../services/images/service.ts';
import { fixturesDir, loadFile, newService } from '../services/images/test-helpers.ts';
import { type BuildOptions, buildImage } from './builder.ts';

/** What a RUN command does in the fake: its output and its exit code. */
interface Script {
  output: OutputChunk[];
  code: number;
}

interface FakeContainer {
  id: string;
  config: {
    Image: string;
    Cmd: string[];
    Env: string[];
    Labels: Record<string, string>;
    HostConfig: { NetworkMode: string };
  };
  started: boolean;
  exited: Promise<WaitResult>;
  exit: (r: WaitResult) => void;
}

/** A ContainerOperations of records in memory; RUN commands answer from `scripts` (by their Cmd). */
class FakeContainers implements ContainerOperations {
  readonly containers = new Map<string, FakeContainer>();
  readonly calls: string[] = [];
  readonly removed: string[] = [];
  readonly committed: Array<{ id: string; opts: CommitOptions }> = [];
  private next = 0;

  constructor(private readonly scripts: Map<string, Script>) {}

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw notFound(`No such container: ${id}`);
    return c;
  }

  async list(): Promise<ContainerInfo[]> {
    throw new Error('the builder never lists containers');
  }

  async inspect(): Promise<ContainerInfo> {
    throw new Error('the builder never inspects containers');
  }

  async create(opts: CreateOptions): Promise<{ Id: string; Warnings: string[] }> {
    const id = (++this.next).toString(16).padStart(64, 'c');
    let exit: (r: WaitResult) => void = () => {};
    const exited = new Promise<WaitResult>((resolve) => {
      exit = resolve;
    });
    this.containers.set(id, {
      id,
      config: opts.config as FakeContainer['config'],
      started: false,
      exited,
      exit,
    });
    this.calls.push(`create ${id}`);
    return { Id: id, Warnings: [] };
  }

  async start(id: string): Promise<void> {
    const c = this.get(id);
    c.started = true;
    this.calls.push(`start ${id}`);
  }

  async stop(id: string): Promise<void> {
    this.get(id).exit({ StatusCode: 143, Error: null });
  }

  async kill(id: string): Promise<void> {
    this.calls.push(`kill ${id}`);
    this.get(id).exit({ StatusCode: 137, Error: null });
  }

  async wait(id: string): Promise<{ exited: Promise<WaitResult> }> {
    return { exited: this.get(id).exited };
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    this.containers.delete(id);
    this.removed.push(id);
  }

  async *exec(_id: string, _opts: ExecOptions): AsyncIterable<ProcessChunk> {
    yield* [];
    throw new Error('the builder never execs');
  }

  async *attach(): AsyncIterable<OutputChunk> {
    yield* [];
    throw new Error('the builder never attaches');
  }

  /** The script's output once the container has started, then its exit. */
  async *logs(id: string): AsyncIterable<LogChunk> {
    const c = this.get(id);
    assert.ok(c.started, 'logs are followed after the start');
    const script = this.scripts.get(c.config.Cmd.join(' '));
    if (!script) throw new Error(`no script for ${c.config.Cmd.join(' ')}`);
    for (const o of script.output) yield { stream: o.stream, text: o.data.toString(), time: '' };
    c.exit({ StatusCode: script.code, Error: null });
  }

  async *stats(): AsyncIterable<Record<string, unknown>> {
    yield* [];
    throw new Error('the builder never reads stats');
  }

  async archiveGet(): Promise<void> {
    throw new Error('the builder never copies out of a container');
  }

  async archivePut(): Promise<void> {
    throw new Error('the builder never copies into a container');
  }

  /** A metadata-only image on the container's own, in the caller's held set. */
  async commit(id: string, opts: CommitOptions = {}): Promise<string> {
    const c = this.get(id);
    this.committed.push({ id, opts });
    if (!opts.into || !opts.config) throw new Error('the fake commits build steps only');
    return opts.into.commit({
      parentId: c.config.Image,
      runtime: opts.config,
      history: { created_by: opts.createdBy ?? '' },
      container: id,
    });
  }
}

async function contextTar(files: Record<string, string>): Promise<Readable> {
  const pack = tarStream.pack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

const options = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  dockerfile: 'Dockerfile',
  tags: [],
  buildArgs: {},
  labels: {},
  noCache: false,
  quiet: false,
  rm: true,
  ...o,
});

async function build(
  fake: FakeContainers,
  images: EngineImages,
  dockerfile: string,
  o: Partial<BuildOptions> = {},
): Promise<{ id: string; text: string }> {
  let text = '';
  const id = await buildImage(
    { containers: fake, images },
    await contextTar({ Dockerfile: dockerfile }),
    options(o),
    { stream: (t) => (text += t), result: (t) => (text += t), aux: () => undefined },
  );
  return { id, text };
}

let svc: ImageService;
let images: EngineImages;
const roots: string[] = [];
before(async () => {
  const s = await newService();
  svc = s.svc;
  roots.push(s.root);
  await loadFile(svc, await busyboxImageTar(fixturesDir));
  images = new EngineImages(hostSys, svc);
});
after(async () => {
  for (const r of roots) await fs.rm(r, { recursive: true, force: true });
});

const dockerfile = 'FROM busybox\nENV GREETING=hi\nRUN echo $GREETING; echo oops >&2\nCMD ["sh"]\n';
const runCmd = '/bin/sh -c echo $GREETING; echo oops >&2';

test('a RUN step runs in a container of its own, without network, streams its output and is committed', async () => {
  const fake = new FakeContainers(
    new Map([
      [
        runCmd,
        {
          output: [
            { stream: 'stdout', data: Buffer.from('hi\n') },
            { stream: 'stderr', data: Buffer.from('oops\n') },
          ],
          code: 0,
        },
      ],
    ]),
  );
  const { id, text } = await build(fake, images, dockerfile, { tags: ['docker.io/library/greet:latest'] });
  const busybox = (await svc.resolve('busybox'))?.id as string;

  assert.match(text, /^Step 1\/4 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/4 : ENV GREETING=hi\n/);
  // stdout as it is, stderr in red, as dockerd's classic builder shows them.
  assert.match(text, /Step 3\/4 : RUN echo \$GREETING; echo oops >&2\n ---> Running in [0-9a-f]{12}\nhi\n/);
  assert.ok(text.includes('\u001b[91moops\n\u001b[0m'), text);
  assert.match(
    text,
    /Successfully built [0-9a-f]{12}\nSuccessfully tagged docker.io\/library\/greet:latest\n$/,
  );

  // ENV and CMD each had a container (created, never started); RUN's was started; all were removed.
  const created = fake.calls.filter((c) => c.startsWith('create')).length;
  const started = fake.calls.filter((c) => c.startsWith('start'));
  assert.equal(created, 3);
  assert.equal(started.length, 1);
  assert.equal(fake.removed.length, 3);
  assert.equal(fake.containers.size, 0);

  // The RUN container: the step's command, no entrypoint, no network, marked as a build step.
  assert.equal(fake.committed.length, 1);
  const { opts } = fake.committed[0];
  assert.equal(opts.createdBy, runCmd);
  assert.equal(opts.pause, false);
  assert.equal(opts.event, false);
  assert.ok(opts.config?.Env?.includes('GREETING=hi'), 'the committed config has the ENV before it');

  const config = await svc.store.config(id);
  assert.deepEqual(config.config?.Cmd, ['sh']);
  const history = (config.history ?? []).slice(-3).map((h) => h.created_by);
  assert.deepEqual(history, ['/bin/sh -c #(nop)  ENV GREETING=hi', runCmd, '/bin/sh -c #(nop)  CMD ["sh"]']);
  assert.equal((await svc.resolve('greet'))?.id, id);
  assert.notEqual(id, busybox);
});

test('a second build reuses every step from the cache and asks for no container', async () => {
  const scripts = new Map([[runCmd, { output: [], code: 0 }]]);
  const first = await build(new FakeContainers(scripts), images, `${dockerfile}LABEL round=2\n`);
  const fake = new FakeContainers(scripts);
  const again = await build(fake, images, `${dockerfile}LABEL round=2\n`);
  assert.equal(again.id, first.id);
  assert.equal((again.text.match(/ ---> Using cache\n/g) ?? []).length, 4);
  assert.deepEqual(fake.calls, []);
});

test('a RUN that exits non-zero fails the build with its code, and its container is removed', async () => {
  const failing = 'FROM busybox\nRUN exit 3\n';
  const fake = new FakeContainers(
    new Map([['/bin/sh -c exit 3', { output: [{ stream: 'stderr', data: Buffer.from('no\n') }], code: 3 }]]),
  );
  await assert.rejects(build(fake, images, failing, { noCache: true }), (err) => {
    assert.ok(err instanceof CommandFailedError);
    assert.equal(err.exitCode, 3);
    assert.equal(err.message, "The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    return true;
  });
  assert.equal(fake.committed.length, 0);
  assert.equal(fake.containers.size, 0, 'the failed step container is gone');
});

test('a build cancelled by its client kills the running step', async () => {
  const cancel = new AbortController();
  const fake = new FakeContainers(new Map());
  // A script that never ends on its own: the kill is what makes its container exit.
  fake.logs = async function* (id: string) {
    cancel.abort();
    await fake.wait(id).then((w) => w.exited);
  };
  await assert.rejects(
    build(fake, images, 'FROM busybox\nRUN sleep 1000\n', { noCache: true, signal: cancel.signal }),
    (err) => isEngineError(err) && /returned a non-zero code: 137/.test(err.message),
  );
  assert.ok(fake.calls.some((c) => c.startsWith('kill ')));
});
