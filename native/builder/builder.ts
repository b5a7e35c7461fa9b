import { promises as fs, type Stats } from 'node:fs';
import { CommandFailedError, invalid } from '../core/errors.ts';
import { shortId } from '../core/ids.ts';
import type { ContainerOperations } from '../services/containers/operations.ts';
import type { BuildProgress, BuildRequest } from '../services/images/build.ts';
import type { HeldImages, ImageOperations } from '../services/images/operations.ts';
import { LayerTarWriter } from '../storage/layer-tar.ts';
import { BuildCache, cacheKey } from './cache.ts';
import { type BuildContext, readDockerfile, receiveContext } from './context.ts';
import { writeDirEntries } from './copy.ts';
import { type PreparedCopy, prepareCopy, refuseRemoteSources } from './copy-step.ts';
import {
  applyMetadata,
  argValues,
  declareArgs,
  defaultShell,
  type StageState,
  stageLookup,
} from './instructions.ts';
import { type Instruction, parseDockerfile, parseError, parseInstruction } from './parser.ts';
import { createStepContainer, removeStepContainer, runStep } from './run.ts';
import { planStages } from './stages.ts';
import { type Lookup, splitWords } from './words.ts';

/** A build as the builder runs it: the request with its tags normalised and a way to pull FROM images. */
export interface BuildOptions extends BuildRequest {
  /** Pulls an image for FROM: used when it is missing, and always with `--pull`. */
  pullImage?: (ref: string) => Promise<void>;
}

/**
 * What the builder needs of the engine, as Moby's builder has its Backend: the container interface the
 * Docker routes and the kubelet call too, and the image side.
 */
export interface BuildBackend {
  containers: ContainerOperations;
  images: ImageOperations;
}

/** Args every build accepts without an ARG line (Docker's predefined proxy args). */
const predefinedArgs = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((a) => [a, a.toLowerCase()]),
);

const buildKitFlag = (flag: string) =>
  invalid(
    `the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
  );

/**
 * The classic builder, step for step as dockerd 20.10's: each step an image; metadata steps and RUN
 * each through a container (" ---> Running in …"), COPY/ADD written straight into a layer; history
 * lines as dockerd words them; steps reused from the cache.
 */
class Build {
  private readonly containers: ContainerOperations;
  private readonly consumed = new Set<string>();
  private cache!: BuildCache;
  private escape = '\\';
  private readonly globals = new Map<string, string | undefined>();
  private readonly builtStages = new Map<string, string | undefined>();

  constructor(
    private readonly backend: BuildBackend,
    private readonly context: BuildContext,
    private readonly opts: BuildOptions,
    private readonly out: BuildProgress,
    /** Every image the build starts from, reuses or makes, pinned until its result is tagged. */
    private readonly held: HeldImages,
  ) {
    this.containers = backend.containers;
  }

  private say(text: string): void {
    this.out.stream(text);
  }

  async run(): Promise<string> {
    const dockerfile = await readDockerfile(this.context, this.opts.dockerfile || 'Dockerfile');
    const df = parseDockerfile(dockerfile.text, dockerfile.name);
    this.escape = df.escape;
    this.cache = await BuildCache.open(this.backend.images.buildCacheFile, (id) => this.held.has(id));
    const { metaArgs, stages } = planStages(df.instructions, this.opts.target, this.opts.labels);
    const total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.body.length, 0);
    let step = 0;
    const announce = (ins: Instruction) => this.say(`Step ${++step}/${total} : ${ins.original}\n`);

    const meta = this.globals;
    const metaLookup: Lookup = (name) => meta.get(name);
    for (const ins of metaArgs) {
      announce(ins);
      declareArgs(splitWords(ins.args, metaLookup, this.escape), meta, this.opts.buildArgs, this.consumed);
    }
    const built: StageState[] = [];
    for (const stage of stages) {
      announce(stage.from);
      const state = await this.from(stage.from, metaLookup, built);
      for (const ins of this.triggers(state)) await this.step(ins, state);
      this.say(` ---> ${shortId(state.imageId ?? '')}\n`);
      for (const ins of stage.body) {
        announce(ins);
        await this.step(ins, state);
        this.say(` ---> ${shortId(state.imageId ?? '')}\n`);
      }
      built.push(state);
      this.recordStage(built.length - 1, state);
    }
    const unused = Object.keys(this.opts.buildArgs)
      .filter((a) => !this.consumed.has(a) && !predefinedArgs.has(a))
      .sort();
    if (unused.length) this.say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    const final = built[built.length - 1].imageId;
    if (!final) throw invalid('No image was generated. Is your Dockerfile empty?');
    return final;
  }

  private async from(ins: Instruction, lookup: Lookup, built: StageState[]): Promise<StageState> {
    const words = splitWords(ins.args, lookup, this.escape);
    if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === 'AS'))
      throw parseError(ins.line, 'FROM requires either one or three arguments');
    const ref = words[0];
    let imageId: string | undefined;
    const stage = built.find((s) => s.name !== undefined && s.name.toLowerCase() === ref.toLowerCase());
    if (stage) imageId = stage.imageId;
    else if (ref !== 'scratch') {
      let img = this.opts.alwaysPull ? undefined : await this.held.resolve(ref);
      if (!img && this.opts.pullImage) {
        await this.opts.pullImage(ref);
        img = await this.held.resolve(ref);
      }
      if (!img)
        throw invalid(
          `pull access denied for ${ref}: the image is not present locally and builds do not pull`,
        );
      imageId = img.id;
    }
    const config = imageId ? await this.held.config(imageId) : undefined;
    const runtime = structuredClone(config?.config ?? {});
    // Like dockerd: every stage has a PATH.
    if (!(runtime.Env ?? []).some((e) => e.startsWith('PATH=')))
      runtime.Env = [
        ...(runtime.Env ?? []),
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ];
    return {
      name: words[2]?.toLowerCase(),
      imageId,
      runtime,
      args: new Map(),
      globals: this.globals,
      cmdSet: false,
    };
  }

  /** ONBUILD triggers of the base image run first; the new image does not inherit them. */
  private triggers(state: StageState): Instruction[] {
    const list = state.runtime.OnBuild ?? [];
    if (list.length === 0) return [];
    state.runtime.OnBuild = null;
    this.say(`# Executing ${list.length} build trigger${list.length > 1 ? 's' : ''}\n`);
    return list.map((t) => parseInstruction(t, 0));
  }

  private shell(state: StageState): string[] {
    return state.runtime.Shell?.length ? state.runtime.Shell : defaultShell;
  }

  private async step(ins: Instruction, state: StageState): Promise<void> {
    if (this.opts.signal?.aborted) throw invalid('the build was cancelled: the client went away');
    if (ins.cmd === 'FROM') throw parseError(ins.line, 'FROM inside a stage');
    if (ins.cmd === 'RUN') return this.runInstruction(ins, state);
    if (ins.cmd === 'COPY' || ins.cmd === 'ADD') return this.copyInstruction(ins, state);
    const applied = applyMetadata(ins, state, this.escape, this.opts.buildArgs, this.consumed);
    if (applied.note) this.say(applied.note);
    // WORKDIR (like COPY and ADD) has its comment as one word after the shell; the rest as two.
    const cmd =
      ins.cmd === 'WORKDIR'
        ? [...this.shell(state), `#(nop) ${applied.comment}`]
        : [...this.shell(state), '#(nop) ', applied.comment];
    const key = this.key(cmd, state);
    if (await this.fromCache(key, state)) return;
    const cid = await createStepContainer(this.containers, state.imageId, state.runtime, cmd);
    this.say(` ---> Running in ${shortId(cid)}\n`);
    let layer: { file: string; diffId: string } | undefined;
    const workdir = state.runtime.WorkingDir ?? '/';
    if (ins.cmd === 'WORKDIR' && state.imageId && !(await this.held.probe(state.imageId, workdir)))
      layer = await this.writeLayer(
        (tar, probe) => writeDirEntries(tar, workdir, true, probe, new Set(), { uid: 0, gid: 0 }),
        state,
      );
    await this.commit(state, key, cmd.join(' '), { layer, container: cid });
    await this.removeContainer(cid);
  }

  /** Removes a succeeded step's container unless --rm=false, saying so as dockerd does. */
  private async removeContainer(id: string): Promise<void> {
    if (!this.opts.rm) return;
    await removeStepContainer(this.containers, id);
    this.say(`Removing intermediate container ${shortId(id)}\n`);
  }

  private key(cmd: string[], state: StageState, sources?: string): string {
    return cacheKey({
      parent: state.imageId,
      instruction: JSON.stringify(cmd),
      sources,
      args: argValues(state),
    });
  }

  private async fromCache(key: string, state: StageState): Promise<boolean> {
    if (this.opts.noCache) return false;
    const hit = this.cache.get(key);
    if (!hit || !this.held.use(hit)) return false;
    this.say(' ---> Using cache\n');
    state.imageId = hit;
    state.runtime = structuredClone((await this.held.config(hit)).config ?? {});
    return true;
  }

  /**
   * Makes the step's image: from a new layer (COPY, ADD, WORKDIR), from a RUN container's changes
   * (`run`), or of metadata alone; the step's container, if any, is recorded as the image's.
   */
  private async commit(
    state: StageState,
    key: string,
    createdBy: string,
    from: { layer?: { file: string; diffId: string }; container?: string; run?: boolean },
  ): Promise<void> {
    // dockerd's builder records the image each step started from as the config's Image.
    state.runtime.Image = state.imageId ?? '';
    const id =
      from.run && from.container
        ? await this.containers.commit(from.container, {
            pause: false,
            config: state.runtime,
            createdBy,
            author: state.author,
            into: this.held,
            event: false,
          })
        : await this.held.commit({
            parentId: state.imageId,
            layerTar: from.layer,
            runtime: state.runtime,
            history: { created_by: createdBy, ...(from.layer ? {} : { empty_layer: true }) },
            author: state.author,
            container: from.container,
          });
    state.imageId = id;
    state.runtime = structuredClone(state.runtime);
    await this.cache.put(key, id);
  }

  private async writeLayer(
    fill: (tar: LayerTarWriter, probe: (abs: string) => Promise<Stats | undefined>) => Promise<void>,
    state: StageState,
  ): Promise<{ file: string; diffId: string }> {
    const file = this.backend.images.tempPath('layer');
    const tar = new LayerTarWriter(file);
    try {
      await fill(tar, (abs) => this.held.probe(state.imageId, abs));
      return { file, diffId: await tar.finish() };
    } catch (err) {
      await tar.abort(err as Error);
      await fs.rm(file, { force: true });
      throw err;
    }
  }

  private async runInstruction(ins: Instruction, state: StageState): Promise<void> {
    const [flag] = Object.keys(ins.flags);
    if (flag) throw buildKitFlag(flag);
    const rt = state.runtime;
    const argv = ins.json ?? [...this.shell(state), ins.args];
    const args = argValues(state);
    // Like dockerd: the build args the command sees (those not shadowed by ENV), sorted, prefix its
    // history as `|N k=v …`, so that a change of their values misses the cache.
    const env = Object.entries(args)
      .filter(([k]) => !(rt.Env ?? []).some((e) => e === k || e.startsWith(`${k}=`)))
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    const saved = env.length ? [`|${env.length}`, ...env, ...argv] : argv;
    const key = this.key(saved, state);
    if (await this.fromCache(key, state)) return;
    if (!state.imageId)
      throw invalid(`The command '${argv.join(' ')}' cannot run in an empty (scratch) stage`);
    let id: string | undefined;
    try {
      const code = await runStep(this.containers, {
        imageId: state.imageId,
        argv,
        env,
        user: rt.User ?? '',
        workdir: rt.WorkingDir ?? '',
        created: (cid) => {
          id = cid;
          this.say(` ---> Running in ${shortId(cid)}\n`);
        },
        // dockerd marks a step's stderr red.
        output: (text, stream) => this.say(stream === 'stderr' ? `\u001b[91m${text}\u001b[0m` : text),
        signal: this.opts.signal,
      });
      if (code !== 0)
        throw new CommandFailedError(
          `The command '${argv.join(' ')}' returned a non-zero code: ${code}`,
          code,
        );
      const cid = id as string;
      await this.commit(state, key, saved.join(' '), { container: cid, run: true });
      id = undefined;
      await this.removeContainer(cid);
    } finally {
      // A failed step's container goes too (dockerd keeps it unless --force-rm).
      if (id) await removeStepContainer(this.containers, id).catch(() => undefined);
    }
  }

  private async copyInstruction(ins: Instruction, state: StageState): Promise<void> {
    const words = ins.json ?? splitWords(ins.args, stageLookup(state), this.escape);
    refuseRemoteSources(ins, words);
    const chown = ins.flags.chown ? await this.owner(ins.flags.chown, state) : undefined;
    const copy = async (srcRoot: string, sums: Map<string, string> | undefined) => {
      const prepared = await prepareCopy({
        ins,
        words,
        workingDir: state.runtime.WorkingDir ?? '/',
        srcRoot,
        sums,
        chown,
      });
      await this.writeCopy(prepared, state);
    };
    const from = ins.flags.from;
    if (!from) return copy(this.context.dir, this.context.sums);
    const fromId = await this.copySource(from);
    await this.held.withRootfs(fromId, (rootfs) => copy(rootfs, undefined));
  }

  private async writeCopy(prepared: PreparedCopy, state: StageState): Promise<void> {
    const cmd = [...this.shell(state), `#(nop) ${prepared.comment}`];
    const key = this.key(cmd, state);
    if (await this.fromCache(key, state)) return;
    const layer = await this.writeLayer((tar, probe) => prepared.write(tar, probe), state);
    await this.commit(state, key, cmd.join(' '), { layer });
  }

  private async copySource(from: string): Promise<string | undefined> {
    if (this.builtStages.has(from.toLowerCase())) return this.builtStages.get(from.toLowerCase());
    const img = await this.held.resolve(from);
    if (!img)
      throw invalid(`invalid from flag value ${from}: no stage or image of that name is present locally`);
    return img.id;
  }

  /** Records a finished stage for `COPY --from=<name|index>`. */
  private recordStage(index: number, state: StageState): void {
    this.builtStages.set(String(index), state.imageId);
    if (state.name) this.builtStages.set(state.name, state.imageId);
  }

  private owner(spec: string, state: StageState): Promise<{ uid: number; gid: number }> {
    return this.held.userOf(state.imageId, spec);
  }
}

/** POST /build: builds from the context tar in `body`; returns the image ID after tagging it. */
export async function buildImage(
  backend: BuildBackend,
  body: NodeJS.ReadableStream,
  opts: BuildOptions,
  out: BuildProgress,
): Promise<string> {
  const context = await receiveContext(backend.images, body);
  const held = backend.images.hold();
  try {
    const id = await new Build(backend, context, opts, out, held).run().finally(() => context.dispose());
    out.aux({ ID: id });
    if (opts.quiet) out.result(`${id}\n`);
    else out.stream(`Successfully built ${shortId(id)}\n`);
    for (const t of opts.tags) {
      await backend.images.tag(id, t);
      if (!opts.quiet) out.stream(`Successfully tagged ${t}\n`);
    }
    return id;
  } finally {
    held.release();
  }
}
