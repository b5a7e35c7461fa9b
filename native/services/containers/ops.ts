import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { conflict, invalid } from '../../core/errors.ts';
import { dirSize } from '../../core/fsutil.ts';
import { runOk } from '../../core/sys.ts';
import type { ApiRequest } from '../../dockerapi/http.ts';
import { mountRootfs, rootfsDirs, unmountRootfs } from '../../storage/container-rootfs.ts';
import { layerChanges } from '../../storage/layer-walk.ts';
import { type ContainerContext, withLock } from '../context.ts';
import { labelsMatch } from '../filters.ts';
import { emitContainerEvent } from './create.ts';
import type { ContainerRecord, RestartPolicy } from './model.ts';
import { removeLocked } from './remove.ts';

/** GET /containers/{id}/top: `ps` on the host, filtered to the container's processes. */
export async function topContainer(ctx: ContainerContext, ref: string, psArgs: string) {
  const rec = ctx.store.get(ref);
  if (rec.State.Status !== 'running' && rec.State.Status !== 'paused') {
    throw conflict(`container ${rec.Id} is not running`);
  }
  const pids = new Set((await ctx.runtime.ps(rec.Id)).map(String));
  const args = (psArgs || '-ef').split(/\s+/).filter(Boolean);
  const out = await runOk(ctx.sys, 'ps', args);
  const lines = out.split('\n').filter((l) => l.trim());
  const titles = lines[0].trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw invalid(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(fields[pidCol])) continue;
    // The last column (CMD) may contain spaces: keep it whole.
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
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
  if (rec.State.Status === 'running' || rec.State.Status === 'paused') return fn(dirs.merged);
  return withLock(ctx, rec.Id, async () => {
    const image = await ctx.images.resolve(rec.Image);
    if (!image) throw invalid(`image of container ${rec.Id} is gone`);
    await fs.mkdir(dirs.upper, { recursive: true });
    await fs.mkdir(dirs.work, { recursive: true });
    await fs.mkdir(dirs.merged, { recursive: true });
    await mountRootfs(ctx.sys, dirs, image.layerDirs);
    try {
      return await fn(dirs.merged);
    } finally {
      if (ctx.store.find(rec.Id) && rec.State.Status !== 'running' && rec.State.Status !== 'paused') {
        await unmountRootfs(ctx.sys, dirs);
      }
    }
  });
}

/** GET /containers/{id}/changes: the upper dir read as Docker's change list (0 modified, 1 added, 2 deleted). */
export async function containerChanges(ctx: ContainerContext, ref: string) {
  const rec = ctx.store.get(ref);
  const image = await ctx.images.resolve(rec.Image);
  const lowers = [...(image?.layerDirs ?? [])].reverse();
  const kinds = { changed: 0, added: 1, deleted: 2 } as const;
  const changes = await layerChanges(rootfsDirs(ctx.store.dir(rec.Id)).upper, lowers);
  return changes.map((c) => ({ Path: c.path, Kind: kinds[c.kind] }));
}

/** GET /containers/{id}/export: the container's filesystem as a tar stream. */
export async function exportContainer(ctx: ContainerContext, ref: string, req: ApiRequest): Promise<void> {
  const rec = ctx.store.get(ref);
  await withRootfs(ctx, rec, async (rootfs) => {
    const out = req.stream('application/x-tar');
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', '-', '.'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      tar.stdout.on('data', (d: Buffer) => out.write(d));
      tar.on('error', reject);
      tar.on('close', () => resolve());
      out.onClose(() => tar.kill());
    });
    out.end();
  });
  emitContainerEvent(ctx, rec, 'export');
}

/** POST /containers/{id}/update: resource limits and restart policy, live when running. */
export async function updateContainer(ctx: ContainerContext, ref: string, body: unknown) {
  const rec = ctx.store.get(ref);
  const b = (body ?? {}) as Record<string, unknown>;
  const hc = rec.HostConfig;
  const numField = (k: string) => {
    if (b[k] === undefined || b[k] === null) return undefined;
    if (typeof b[k] !== 'number')
      throw invalid(
        `json: cannot unmarshal ${typeof b[k]} into Go struct field UpdateConfig.${k} of type int64`,
      );
    return b[k] as number;
  };
  const memory = numField('Memory');
  const memorySwap = numField('MemorySwap');
  const nanoCpus = numField('NanoCpus');
  const cpuShares = numField('CpuShares');
  const pids = numField('PidsLimit');
  const cpuQuota = numField('CpuQuota');
  const cpuPeriod = numField('CpuPeriod');
  if (memory !== undefined && memory !== 0 && memory < 6 * 1024 * 1024)
    throw invalid('Minimum memory limit allowed is 6MB');
  if (b.RestartPolicy) {
    const rp = b.RestartPolicy as RestartPolicy;
    if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(rp.Name))
      throw invalid(`invalid restart policy: unknown policy '${rp.Name}'`);
    if (hc.AutoRemove && rp.Name && rp.Name !== 'no') {
      throw invalid('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    hc.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  }
  if (memory !== undefined) {
    hc.Memory = memory;
    if (memorySwap === undefined && memory > 0 && hc.MemorySwap > 0 && hc.MemorySwap < memory)
      hc.MemorySwap = 2 * memory;
  }
  if (memorySwap !== undefined) hc.MemorySwap = memorySwap;
  if (nanoCpus !== undefined) hc.NanoCpus = nanoCpus;
  if (cpuShares !== undefined) hc.CpuShares = cpuShares;
  if (cpuQuota !== undefined) hc.CpuQuota = cpuQuota;
  if (cpuPeriod !== undefined) hc.CpuPeriod = cpuPeriod;
  if (pids !== undefined) hc.PidsLimit = pids;
  if (rec.State.Status === 'running' || rec.State.Status === 'paused') {
    const resources: Record<string, unknown> = {};
    if (memory !== undefined || memorySwap !== undefined) {
      const limit = hc.Memory > 0 ? hc.Memory : -1;
      const swap = hc.MemorySwap !== 0 ? hc.MemorySwap : hc.Memory > 0 ? 2 * hc.Memory : -1;
      resources.memory = { limit, swap };
    }
    if (
      nanoCpus !== undefined ||
      cpuShares !== undefined ||
      cpuQuota !== undefined ||
      cpuPeriod !== undefined
    ) {
      const period = hc.CpuPeriod || 100000;
      const quota = hc.NanoCpus ? Math.round((hc.NanoCpus / 1e9) * period) : hc.CpuQuota || -1;
      resources.cpu = { period, quota, ...(hc.CpuShares ? { shares: hc.CpuShares } : {}) };
    }
    if (pids !== undefined) resources.pids = { limit: pids > 0 ? pids : -1 };
    if (Object.keys(resources).length) {
      try {
        await ctx.runtime.update(rec.Id, resources);
      } catch (err) {
        throw invalid(`Cannot update container ${rec.Id}: ${String(err)}`);
      }
    }
  }
  await ctx.store.save(rec);
  emitContainerEvent(ctx, rec, 'update');
  return { Warnings: [] };
}

/** POST /containers/prune: removes stopped containers (filters: until, label). */
export async function pruneContainers(ctx: ContainerContext, filters: Record<string, string[]>) {
  const deleted: string[] = [];
  let reclaimed = 0;
  const until = filters.until?.[0];
  const untilMs = until ? (/^\d+$/.test(until) ? Number(until) * 1000 : Date.parse(until)) : undefined;
  for (const rec of ctx.store.all()) {
    if (rec.State.Status !== 'exited' && rec.State.Status !== 'created' && rec.State.Status !== 'dead')
      continue;
    if (untilMs !== undefined && Date.parse(rec.Created) >= untilMs) continue;
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
