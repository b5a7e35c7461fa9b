import { promises as fs } from 'node:fs';
import { errorMessage, internal, invalid } from '../../core/errors.ts';
import { dirSize } from '../../core/fsutil.ts';
import { swapLimitSupported } from '../../runtime/cgroups.ts';
import { mountRootfs, rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import { rwLayerChanges } from '../../storage/rw-changes.ts';
import { type ContainerContext, withLock } from '../context.ts';
import { labelsMatch, untilMs } from '../filters.ts';
import { emitContainerEvent } from './create.ts';
import { containerLayers, existingInitLayer } from './init-layer.ts';
import { hostLimits, verifyResources } from './limits.ts';
import { type ContainerRecord, isPinned, type RestartPolicy } from './model.ts';
import { removeLocked } from './remove.ts';
import { guard, hasProcess, isStopped } from './state.ts';

/**
 * GET /containers/{id}/top, as dockerd runs it: `ps <args> -q<pids of the container>` (the container's
 * processes chosen explicitly, so those with a terminal or another user are listed whatever ps would
 * select by default), again without `-q` when ps refuses the pair, then the rows of the container's
 * pids (and the thread rows under them).
 */
export async function topContainer(ctx: ContainerContext, ref: string, psArgs: string) {
  const rec = ctx.store.get(ref);
  guard.top(rec);
  const args = psArgs || '-ef';
  for (const [, k, v] of args.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (k !== 'pid') throw invalid(`specifying "${k}=${v}" is not allowed`);
  }
  const pids = await ctx.runtime.ps(rec.Id);
  const argv = args.split(' ');
  let r = await ctx.sys.run('ps', [...argv, `-q${pids.join(',')}`]);
  if (r.code !== 0) r = await ctx.sys.run('ps', argv);
  if (r.code !== 0) throw internal(`ps: ${r.stderr.split('\n')[0] || `exit status ${r.code}`}`);
  return parsePsOutput(r.stdout, new Set(pids.map(String)));
}

/** The titles of ps's output and the rows of the given pids; a thread row (`-` as pid) goes with its process. */
export function parsePsOutput(output: string, pids: Set<string>) {
  const lines = output.split('\n');
  const fields = (l: string) => l.split(/[ \t\n\v\f\r]+/).filter(Boolean);
  const titles = fields(lines[0] ?? '');
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw internal(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  let inContainer = false;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const f = fields(line);
    const pid = f[pidCol];
    if (pid === '-') {
      if (!inContainer) continue;
    } else {
      inContainer = pids.has(pid);
      if (!inContainer) continue;
    }
    // The last column (CMD) may contain spaces: keep it whole.
    processes.push([...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')]);
  }
  return { Titles: titles, Processes: processes };
}

/** Runs fn with the container's rootfs mounted, mounting it for the duration when it is stopped. */
export async function withRootfs<T>(
  ctx: ContainerContext,
  rec: ContainerRecord,
  fn: (rootfs: string) => Promise<T>,
): Promise<T> {
  const dirs = rootfsDirs(ctx.store.dir(rec.Id));
  // A running container's rootfs is mounted; one with no process (a pod sandbox) never mounts its own.
  const mounted = (r: ContainerRecord) => hasProcess(r.State.Status) && !isPinned(r);
  if (mounted(rec)) return fn(dirs.merged);
  return withLock(ctx, rec.Id, async () => {
    const image = await ctx.images.resolve(rec.Image);
    if (!image) throw invalid(`image of container ${rec.Id} is gone`);
    await fs.mkdir(dirs.upper, { recursive: true });
    await fs.mkdir(dirs.work, { recursive: true });
    await fs.mkdir(dirs.merged, { recursive: true });
    await mountRootfs(ctx.sys, dirs, await containerLayers(ctx.store.dir(rec.Id), image.layerDirs));
    try {
      return await fn(dirs.merged);
    } finally {
      if (ctx.store.find(rec.Id) && !mounted(rec)) {
        await unmountRootfs(ctx.sys, dirs);
      }
    }
  });
}

/** GET /containers/{id}/changes: the upper dir read as Docker's change list (0 modified, 1 added, 2 deleted). */
export async function containerChanges(ctx: ContainerContext, ref: string) {
  const rec = ctx.store.get(ref);
  const image = await ctx.images.resolve(rec.Image);
  const dir = ctx.store.dir(rec.Id);
  // The init layer, once made, is below the container's changes, as dockerd's `<id>-init` is.
  const init = existingInitLayer(dir, image?.layerDirs ?? []);
  const layers = [...(image?.layerDirs ?? []), ...(init ? [init] : [])];
  const kinds = { changed: 0, added: 1, deleted: 2 } as const;
  const changes = await rwLayerChanges(rootfsDirs(dir).upper, layers.reverse());
  return changes.map((c) => ({ Path: c.path, Kind: kinds[c.kind] }));
}

/** POST /containers/{id}/update: resource limits and restart policy, live when running. */
export async function updateContainer(ctx: ContainerContext, ref: string, body: unknown) {
  const rec = ctx.store.get(ref);
  const b = (body ?? {}) as Record<string, unknown>;
  const hc = rec.HostConfig;
  const field = <T>(k: string, type: 'number' | 'string', goType: string): T | undefined => {
    if (b[k] === undefined || b[k] === null) return undefined;
    if (typeof b[k] !== type)
      throw invalid(
        `json: cannot unmarshal ${typeof b[k]} into Go struct field UpdateConfig.${k} of type ${goType}`,
      );
    return b[k] as T;
  };
  // As in dockerd, a zero (which the CLI sends for every flag not given) leaves a setting alone.
  const given = <T>(v: T | undefined): T | undefined => (v === 0 || v === '' ? undefined : v);
  const u = {
    Memory: given(field<number>('Memory', 'number', 'int64')),
    MemorySwap: given(field<number>('MemorySwap', 'number', 'int64')),
    MemoryReservation: given(field<number>('MemoryReservation', 'number', 'int64')),
    NanoCpus: given(field<number>('NanoCpus', 'number', 'int64')),
    CpuShares: given(field<number>('CpuShares', 'number', 'int64')),
    CpuQuota: given(field<number>('CpuQuota', 'number', 'int64')),
    CpuPeriod: given(field<number>('CpuPeriod', 'number', 'int64')),
    CpusetCpus: given(field<string>('CpusetCpus', 'string', 'string')),
    PidsLimit: field<number>('PidsLimit', 'number', 'int64'),
  };
  const warnings = verifyResources(u, hostLimits(ctx.cgroups), true);
  const cannot = (msg: string) => invalid(`Cannot update container ${rec.Id}: ${msg}`);
  if (u.NanoCpus && hc.CpuPeriod > 0)
    throw cannot('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (u.NanoCpus && hc.CpuQuota > 0)
    throw cannot('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (u.CpuPeriod && hc.NanoCpus > 0)
    throw cannot('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (u.CpuQuota && hc.NanoCpus > 0)
    throw cannot('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (u.Memory !== undefined && u.Memory > hc.MemorySwap && u.MemorySwap === undefined) {
    throw cannot(
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
  }
  let restartPolicy: RestartPolicy | undefined;
  if (b.RestartPolicy) {
    const rp = b.RestartPolicy as RestartPolicy;
    if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(rp.Name))
      throw invalid(`invalid restart policy: unknown policy '${rp.Name}'`);
    if (hc.AutoRemove && rp.Name && rp.Name !== 'no') {
      throw cannot('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    if (rp.Name) restartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  }
  const next = { ...hc };
  for (const [k, v] of Object.entries(u)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
  if (restartPolicy) next.RestartPolicy = restartPolicy;
  // A container with no process has no cgroup to change: its record takes the values.
  if (hasProcess(rec.State.Status) && !isPinned(rec)) {
    const resources = liveResources(next, u, swapLimitSupported(ctx.cgroups));
    if (Object.keys(resources).length) {
      try {
        await ctx.runtime.update(rec.Id, resources);
      } catch (err) {
        throw cannot(errorMessage(err));
      }
    }
  }
  rec.HostConfig = next;
  await ctx.store.save(rec);
  emitContainerEvent(ctx, rec, 'update');
  return { Warnings: warnings };
}

/** The OCI resources `runc update` gets for the groups an update touched, from the merged config. */
function liveResources(
  hc: ContainerRecord['HostConfig'],
  changed: Record<string, unknown>,
  swapLimit: boolean,
): Record<string, unknown> {
  const touched = (...keys: string[]) => keys.some((k) => changed[k] !== undefined);
  const out: Record<string, unknown> = {};
  if (touched('Memory', 'MemorySwap', 'MemoryReservation')) {
    const memory: Record<string, number> = { limit: hc.Memory > 0 ? hc.Memory : -1 };
    if (swapLimit) memory.swap = hc.MemorySwap !== 0 ? hc.MemorySwap : hc.Memory > 0 ? 2 * hc.Memory : -1;
    if (hc.MemoryReservation > 0) memory.reservation = hc.MemoryReservation;
    out.memory = memory;
  }
  if (touched('NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod', 'CpusetCpus')) {
    const period = hc.NanoCpus ? 100_000 : hc.CpuPeriod || 100_000;
    const quota = hc.NanoCpus ? Math.round((hc.NanoCpus / 1e9) * period) : hc.CpuQuota || -1;
    out.cpu = {
      period,
      quota,
      ...(hc.CpuShares ? { shares: hc.CpuShares } : {}),
      ...(hc.CpusetCpus ? { cpus: hc.CpusetCpus } : {}),
    };
  }
  if (touched('PidsLimit')) out.pids = { limit: hc.PidsLimit && hc.PidsLimit > 0 ? hc.PidsLimit : -1 };
  return out;
}

/** POST /containers/prune: removes stopped containers (filters: until, label). */
export async function pruneContainers(ctx: ContainerContext, filters: Record<string, string[]>) {
  // A filter it does not know removes nothing (dockerd checks them before anything goes).
  for (const k of Object.keys(filters))
    if (!['until', 'label', 'label!'].includes(k)) throw invalid(`Invalid filter '${k}'`);
  const deleted: string[] = [];
  let reclaimed = 0;
  const until = filters.until?.[0];
  const before = until ? untilMs(until, ctx.clock.now()) : undefined;
  for (const rec of ctx.store.all()) {
    if (!isStopped(rec.State.Status)) continue;
    if (before !== undefined && Date.parse(rec.Created) >= before) continue;
    if (!labelsMatch(rec.Config.Labels ?? {}, filters.label ?? [], filters['label!'] ?? [])) continue;
    reclaimed += await dirSize(rootfsDirs(ctx.store.dir(rec.Id)).upper);
    await withLock(ctx, rec.Id, () => removeLocked(ctx, rec, { force: false, volumes: false }));
    deleted.push(rec.Id);
  }
  ctx.events.emit({
    Type: 'container',
    Action: 'prune',
    Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } },
  });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
