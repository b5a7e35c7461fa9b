import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { errorMessage, invalid } from '../core/errors.ts';
import { shortId } from '../core/ids.ts';
import { resolveUser } from '../runtime/user.ts';
import type { ContainerContext } from '../services/context.ts';
import { commitImage, containerDiff } from '../services/images/commit.ts';
import type { ImageStore, Lease } from '../storage/image-store.ts';
import { LayerTarWriter } from '../storage/layer-tar.ts';
import { BuildCache, cacheKey } from './cache.ts';
import {
  type BuildContext,
  probeLayers,
  readDockerfile,
  receiveContext,
  withImageRootfs,
} from './context.ts';
import { expandSource, hashSources, writeCopyLayer, writeDirEntries } from './copy.ts';
import {
  applyMetadata,
  argValues,
  declareArgs,
  defaultShell,
  type StageState,
  stageLookup,
} from './instructions.ts';
import { type Instruction, parseDockerfile, parseError, parseInstruction } from './parser.ts';
import { CommandFailedError, removeStepContainer, runStep } from './run.ts';
import { planStages } from './stages.ts';
import { type Lookup, splitWords } from './words.ts';

export interface BuildOptions {
  dockerfile: string;
  /** Tag keys (already normalised) to point at the result. */
  tags: string[];
  buildArgs: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  noCache: boolean;
  quiet: boolean;
  /** Remove intermediate containers after a successful step (they always go after a failed one). */
  rm: boolean;
  /** Aborts when the client went away. */
  signal?: AbortSignal;
  /** Pulls an image for FROM: used when it is missing, and always with `--pull`. */
  pullImage?: (ref: string) => Promise<void>;
  alwaysPull?: boolean;
}

export interface BuildProgress {
  stream(text: string): void;
  aux(value: object): void;
}

/** Args every build accepts without an ARG line (Docker's predefined proxy args). */
const predefinedArgs = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((a) => [a, a.toLowerCase()]),
);

/**
 * The classic builder: runs a Dockerfile step by step, each step an image (RUN in a container
 * without network, COPY/ADD written straight into a layer), reusing earlier steps from the cache.
 */
class Build {
  private readonly store: ImageStore;
  private readonly consumed = new Set<string>();
  private cache!: BuildCache;
  private escape = '\\';
  private readonly globals = new Map<string, string | undefined>();

  constructor(
    private readonly ctx: ContainerContext,
    private readonly context: BuildContext,
    private readonly opts: BuildOptions,
    private readonly out: BuildProgress,
    /** Pins every image the build starts from, reuses or makes, until its result is tagged. */
    private readonly lease: Lease,
  ) {
    this.store = ctx.images.store;
  }

  private say(text: string): void {
    if (!this.opts.quiet) this.out.stream(text);
  }

  async run(): Promise<string> {
    const df = parseDockerfile(await readDockerfile(this.context, this.opts.dockerfile));
    this.escape = df.escape;
    this.cache = await BuildCache.open(this.store);
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
      for (const ins of await this.triggers(state)) await this.step(ins, state);
      for (const ins of stage.body) {
        announce(ins);
        await this.step(ins, state);
      }
      built.push(state);
      this.recordStage(built.length - 1, state);
    }
    const unused = Object.keys(this.opts.buildArgs).filter(
      (a) => !this.consumed.has(a) && !predefinedArgs.has(a),
    );
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
      let img = this.opts.alwaysPull ? undefined : await this.ctx.images.resolve(ref, this.lease);
      if (!img && this.opts.pullImage) {
        await this.opts.pullImage(ref);
        img = await this.ctx.images.resolve(ref, this.lease);
      }
      if (!img)
        throw invalid(
          `pull access denied for ${ref}: the image is not present locally and builds do not pull`,
        );
      imageId = img.id;
    }
    const config = imageId ? await this.store.config(imageId) : undefined;
    if (imageId) this.say(` ---> ${shortId(imageId)}\n`);
    return {
      name: words[2]?.toLowerCase(),
      imageId,
      runtime: structuredClone(config?.config ?? {}),
      args: new Map(),
      globals: this.globals,
      cmdSet: false,
    };
  }

  /** ONBUILD triggers of the base image run first; the new image does not inherit them. */
  private async triggers(state: StageState): Promise<Instruction[]> {
    const list = state.runtime.OnBuild ?? [];
    if (list.length === 0) return [];
    state.runtime.OnBuild = null;
    this.say(`# Executing ${list.length} build trigger${list.length > 1 ? 's' : ''}\n`);
    return list.map((t) => parseInstruction(t, 0));
  }

  private async step(ins: Instruction, state: StageState): Promise<void> {
    if (this.opts.signal?.aborted) throw invalid('the build was cancelled: the client went away');
    try {
      if (ins.cmd === 'FROM') throw parseError(ins.line, 'FROM inside a stage');
      if (ins.cmd === 'RUN') return await this.runInstruction(ins, state);
      if (ins.cmd === 'COPY' || ins.cmd === 'ADD') return await this.copyInstruction(ins, state);
      const createdBy = applyMetadata(ins, state, this.escape, this.opts.buildArgs, this.consumed);
      const key = this.key(ins, state);
      if (await this.fromCache(key, state)) return;
      let layer: { file: string; diffId: string } | undefined;
      if (
        ins.cmd === 'WORKDIR' &&
        state.imageId &&
        !(await probeLayers(this.store, state.imageId, state.runtime.WorkingDir ?? '/'))
      )
        layer = await this.writeLayer(
          (tar, probe) =>
            writeDirEntries(tar, state.runtime.WorkingDir ?? '/', true, probe, new Set(), { uid: 0, gid: 0 }),
          state,
        );
      await this.commit(state, key, createdBy, layer);
    } catch (err) {
      const plain = err instanceof CommandFailedError;
      if (ins.line > 0 && !plain && !errorMessage(err).startsWith('dockerfile parse error'))
        throw invalid(`Dockerfile line ${ins.line}: ${ins.cmd}: ${errorMessage(err)}`);
      throw err;
    }
  }

  private key(ins: Instruction, state: StageState, sources?: string): string {
    return cacheKey({ parent: state.imageId, instruction: ins.original, sources, args: argValues(state) });
  }

  private async fromCache(key: string, state: StageState): Promise<boolean> {
    if (this.opts.noCache) return false;
    const hit = this.cache.get(key);
    if (!hit || !this.lease.use(hit)) return false;
    this.say(' ---> Using cache\n');
    state.imageId = hit;
    state.runtime = structuredClone((await this.store.config(hit)).config ?? {});
    this.say(` ---> ${shortId(hit)}\n`);
    return true;
  }

  private async commit(
    state: StageState,
    key: string,
    createdBy: string,
    layer: { file: string; diffId: string } | undefined,
  ): Promise<void> {
    const rec = await commitImage(this.store, {
      parentId: state.imageId,
      layerTar: layer,
      runtime: state.runtime,
      history: { created_by: createdBy, ...(layer ? {} : { empty_layer: true }) },
      author: state.author,
      lease: this.lease,
    });
    state.imageId = rec.id;
    await this.cache.put(key, rec.id);
    this.say(` ---> ${shortId(rec.id)}\n`);
  }

  private async writeLayer(
    fill: (tar: LayerTarWriter, probe: (abs: string) => Promise<Stats | undefined>) => Promise<void>,
    state: StageState,
  ): Promise<{ file: string; diffId: string }> {
    const file = this.store.newTempPath('layer');
    const tar = new LayerTarWriter(file);
    try {
      await fill(tar, (abs) => probeLayers(this.store, state.imageId, abs));
      return { file, diffId: await tar.finish() };
    } catch (err) {
      await tar.abort(err as Error);
      await fs.rm(file, { force: true });
      throw err;
    }
  }

  private async runInstruction(ins: Instruction, state: StageState): Promise<void> {
    const rt = state.runtime;
    const argv = ins.json ?? [...(rt.Shell ?? defaultShell), ins.args];
    const args = argValues(state);
    const env = Object.entries(args)
      .filter(([k]) => !(rt.Env ?? []).some((e) => e.startsWith(`${k}=`)))
      .map(([k, v]) => `${k}=${v}`);
    const key = this.key(ins, state);
    if (await this.fromCache(key, state)) return;
    if (!state.imageId)
      throw invalid(`The command '${argv.join(' ')}' cannot run in an empty (scratch) stage`);
    let id: string | undefined;
    let layer: { file: string; diffId: string } | undefined;
    try {
      const code = await runStep(this.ctx, {
        imageId: state.imageId,
        argv,
        env,
        user: rt.User ?? '',
        workdir: rt.WorkingDir ?? '',
        created: (cid) => {
          id = cid;
          this.say(` ---> Running in ${shortId(cid)}\n`);
        },
        output: (text) => this.say(text),
        signal: this.opts.signal,
      });
      if (code !== 0)
        throw new CommandFailedError(
          `The command '${argv.join(' ')}' returned a non-zero code: ${code}`,
          code,
        );
      layer = await containerDiff(this.ctx.sys, this.store, this.ctx.store.dir(id as string));
      if (this.opts.rm) {
        await removeStepContainer(this.ctx, id as string);
        this.say(`Removing intermediate container ${shortId(id as string)}\n`);
      }
      id = undefined;
    } catch (err) {
      if (layer) await fs.rm(layer.file, { force: true });
      throw err;
    } finally {
      if (id) await removeStepContainer(this.ctx, id).catch(() => undefined);
    }
    // Like dockerd: the build args the command saw (those not shadowed by ENV) prefix its history.
    const createdBy = env.length ? `|${env.length} ${env.join(' ')} ${argv.join(' ')}` : argv.join(' ');
    await this.commit(state, key, createdBy, layer);
  }

  private async copyInstruction(ins: Instruction, state: StageState): Promise<void> {
    const words = ins.json ?? splitWords(ins.args, stageLookup(state), this.escape);
    if (words.length < 2) throw invalid(`${ins.cmd} requires at least two arguments`);
    const sources = words.slice(0, -1);
    for (const s of sources)
      if (/^(https?|git|ssh):\/\//i.test(s) || s.startsWith('git@'))
        throw invalid(`remote source ${s} is not supported: berthd builds have no network access`);
    const rawDest = words[words.length - 1];
    const wd = state.runtime.WorkingDir || '/';
    let dest = path.posix.resolve(wd, rawDest);
    if ((rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.')) && dest !== '/') dest += '/';
    const chmod = ins.flags.chmod;
    if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod))
      throw invalid(`invalid chmod parameter: ${chmod}`);
    const from = ins.flags.from;
    const copy = async (srcRoot: string, fromId: string | undefined) => {
      const expanded: string[] = [];
      for (const pattern of sources) {
        const found = await expandSource(srcRoot, pattern);
        if (found.length === 0)
          throw invalid(
            fromId
              ? `COPY failed: stat ${pattern}: file does not exist`
              : `COPY failed: file not found in build context or excluded by .dockerignore: stat ${pattern}: file does not exist`,
          );
        expanded.push(...found);
      }
      const digest = fromId ? `${fromId}:${expanded.join('\0')}` : await hashSources(srcRoot, expanded);
      const key = this.key(ins, state, digest);
      if (await this.fromCache(key, state)) return;
      const chown = ins.flags.chown ? await this.owner(ins.flags.chown, state) : undefined;
      const layer = await this.writeLayer(
        (tar, probe) =>
          writeCopyLayer(tar, {
            srcRoot,
            sources: expanded,
            dest,
            chown,
            chmod: chmod === undefined ? undefined : Number.parseInt(chmod, 8),
            extractArchives: ins.cmd === 'ADD' && !fromId,
            probe,
          }),
        state,
      );
      const single = expanded.length === 1 ? await fs.lstat(path.join(srcRoot, expanded[0])) : undefined;
      const what = single ? (single.isDirectory() ? 'dir' : 'file') : 'multi';
      await this.commit(
        state,
        key,
        `/bin/sh -c #(nop) ${ins.cmd} ${what}:${digest.slice(-64)} in ${rawDest} `,
        layer,
      );
    };
    if (!from) return copy(this.context.dir, undefined);
    const fromId = await this.copySource(from);
    await withImageRootfs(this.ctx.sys, this.store, fromId, (rootfs) => copy(rootfs, fromId ?? 'scratch'));
  }

  private builtStages = new Map<string, string | undefined>();

  private async copySource(from: string): Promise<string | undefined> {
    if (this.builtStages.has(from.toLowerCase())) return this.builtStages.get(from.toLowerCase());
    const img = await this.ctx.images.resolve(from, this.lease);
    if (!img)
      throw invalid(`invalid from flag value ${from}: no stage or image of that name is present locally`);
    return img.id;
  }

  /** Records a finished stage for `COPY --from=<name|index>`. */
  recordStage(index: number, state: StageState): void {
    this.builtStages.set(String(index), state.imageId);
    if (state.name) this.builtStages.set(state.name, state.imageId);
  }

  private async owner(spec: string, state: StageState): Promise<{ uid: number; gid: number }> {
    const m = /^(\d+)(?::(\d+))?$/.exec(spec);
    if (m) return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
    const u = await withImageRootfs(this.ctx.sys, this.store, state.imageId, (rootfs) =>
      resolveUser(rootfs, spec),
    );
    return { uid: u.uid, gid: u.gid };
  }
}

/** POST /build: builds from the context tar in `body`; returns the image ID after tagging it. */
export async function buildImage(
  ctx: ContainerContext,
  body: NodeJS.ReadableStream,
  opts: BuildOptions,
  out: BuildProgress,
): Promise<string> {
  const context = await receiveContext(ctx.sys, ctx.images.store, body);
  const lease = ctx.images.lease();
  try {
    const id = await new Build(ctx, context, opts, out, lease).run().finally(() => context.dispose());
    out.aux({ ID: id });
    if (opts.quiet) out.stream(`${id}\n`);
    else out.stream(`Successfully built ${shortId(id)}\n`);
    for (const t of opts.tags) {
      await ctx.images.tag(id, t);
      if (!opts.quiet) out.stream(`Successfully tagged ${t}\n`);
    }
    return id;
  } finally {
    lease.release();
  }
}
