import { invalid } from '../../core/errors.ts';
import { dirSize } from '../../core/fsutil.ts';
import { rootfsDirs } from '../../storage/container-rootfs.ts';
import type { ContainerContext } from '../context.ts';
import { labelsMatch } from '../filters.ts';
import { type ContainerRecord, type ContainerStatus, zeroTime } from './model.ts';
import { hasProcess, isActive } from './state.ts';

function stateView(rec: ContainerRecord) {
  const s = rec.State;
  return {
    Status: s.Status,
    Running: hasProcess(s.Status),
    Paused: s.Status === 'paused',
    Restarting: s.Status === 'restarting',
    OOMKilled: s.OOMKilled,
    Dead: s.Status === 'dead',
    Pid: s.Pid,
    ExitCode: s.ExitCode,
    Error: s.Error,
    StartedAt: s.StartedAt,
    FinishedAt: s.FinishedAt,
    ...(s.Health ? { Health: s.Health } : {}),
  };
}

export async function inspectContainer(ctx: ContainerContext, ref: string, size: boolean) {
  const rec = ctx.store.get(ref);
  const dirs = rootfsDirs(ctx.store.dir(rec.Id));
  const image = await ctx.images.resolve(rec.Image).catch(() => undefined);
  const out: Record<string, unknown> = {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: stateView(rec),
    Image: rec.Image,
    ResolvConfPath: rec.ResolvConfPath,
    HostnamePath: rec.HostnamePath,
    HostsPath: rec.HostsPath,
    LogPath: rec.LogPath,
    Name: rec.Name,
    RestartCount: rec.RestartCount,
    Driver: rec.Driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: { ...rec.HostConfig, LogConfig: rec.HostConfig.LogConfig },
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: (image?.layerDirs ?? []).slice().reverse().join(':'),
        MergedDir: dirs.merged,
        UpperDir: dirs.upper,
        WorkDir: dirs.work,
      },
    },
    Mounts: ctx.volumes.view(rec),
    Config: rec.Config,
    NetworkSettings: ctx.network.view(rec),
  };
  if (size) {
    out.SizeRw = await dirSize(dirs.upper);
    out.SizeRootFs = (out.SizeRw as number) + (image ? await sumDirs(image.layerDirs) : 0);
  }
  return out;
}

async function sumDirs(dirs: string[]): Promise<number> {
  let t = 0;
  for (const d of dirs) t += await dirSize(d);
  return t;
}

/** go-units HumanDuration, which `docker ps` statuses use: whole units, truncated. */
export function humanDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.floor(ms / 3_600_000 + 0.5);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** " (healthy)", " (health: starting)", " (unhealthy)" after "Up …", as dockerd words it. */
function healthSuffix(rec: ContainerRecord): string {
  const h = rec.State.Health;
  if (!h) return '';
  return h.Status === 'starting' ? ' (health: starting)' : ` (${h.Status})`;
}

/** The Status column of `docker ps`: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created"… */
export function statusText(rec: ContainerRecord, now: number): string {
  const s = rec.State;
  switch (s.Status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${healthSuffix(rec)}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'exited':
      return s.FinishedAt === zeroTime
        ? 'Exited'
        : `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** The name the container was made from, while it still names the container's image (as dockerd shows it). */
function imageName(ctx: ContainerContext, rec: ContainerRecord): string | undefined {
  const name = rec.Config.Image;
  if (!name || name === rec.Image) return name;
  return ctx.images.store.resolve(name)?.id === rec.Image ? name : undefined;
}

function summary(ctx: ContainerContext, rec: ContainerRecord, imageTags: Map<string, string>) {
  const mode = rec.HostConfig.NetworkMode;
  return {
    Id: rec.Id,
    Names: [rec.Name],
    Image: imageName(ctx, rec) || imageTags.get(rec.Image) || rec.Image,
    ImageID: rec.Image,
    Command: [rec.Path, ...rec.Args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' '),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: ctx.network.ports(rec),
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec, ctx.clock.now()),
    HostConfig: { NetworkMode: mode },
    NetworkSettings: { Networks: (ctx.network.view(rec) as { Networks: object }).Networks },
    Mounts: ctx.volumes.view(rec),
  };
}

const validStatus = new Set<ContainerStatus>([
  'created',
  'restarting',
  'running',
  'removing',
  'paused',
  'exited',
  'dead',
]);

const healthFilterValues = new Set(['starting', 'healthy', 'unhealthy', 'none']);

export interface ListQuery {
  all: boolean;
  limit?: number;
  size: boolean;
  filters: Record<string, string[]>;
}

/** Parses Docker's `filters` query parameter (a JSON map of lists, or the old map of maps). */
export function parseFilters(raw: string | null | undefined): Record<string, string[]> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter '${raw}'`);
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (v && typeof v === 'object')
      out[k] = Object.entries(v)
        .filter(([, on]) => on)
        .map(([key]) => key);
    else throw invalid(`invalid filter '${k}'`);
  }
  return out;
}

export async function listContainers(ctx: ContainerContext, q: ListQuery) {
  const f = q.filters;
  const known = new Set([
    'status',
    'name',
    'id',
    'label',
    'ancestor',
    'exited',
    'before',
    'since',
    'health',
    'volume',
    'network',
    'publish',
    'expose',
    'is-task',
  ]);
  // dockerd 20.10's words, capital I.
  for (const k of Object.keys(f)) if (!known.has(k)) throw invalid(`Invalid filter '${k}'`);
  for (const s of f.status ?? []) {
    if (!validStatus.has(s as ContainerStatus)) throw invalid(`Invalid filter 'status=${s}'`);
  }
  for (const e of f.exited ?? []) if (!/^-?\d+$/.test(e)) throw invalid(`invalid filter 'exited=${e}'`);
  for (const h of f.health ?? []) {
    if (!healthFilterValues.has(h)) throw invalid(`Unrecognised filter value for health: ${h}`);
  }
  // Like dockerd: an image matches the containers of itself and of every image built on it.
  const ancestors = new Set<string>();
  for (const a of f.ancestor ?? []) {
    const img = await ctx.images.resolve(a).catch(() => undefined);
    if (img) for (const id of ctx.images.descendants(img.id)) ancestors.add(id);
  }
  const all = q.all || (q.limit ?? 0) > 0 || !!f.status?.length || !!f.exited?.length;
  let recs = ctx.store
    .all()
    .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created) || (b.Id < a.Id ? -1 : 1));
  const pos = (ref: string) => {
    const r = ctx.store.get(ref);
    return Date.parse(r.Created);
  };
  const before = f.before?.[0] ? pos(f.before[0]) : undefined;
  const since = f.since?.[0] ? pos(f.since[0]) : undefined;
  recs = recs.filter((rec) => {
    if (!all && !isActive(rec.State.Status)) return false;
    if (f.status?.length && !f.status.includes(rec.State.Status)) return false;
    if (f.name?.length && !f.name.some((n) => new RegExp(n.replace(/^\//, '')).test(rec.Name.slice(1))))
      return false;
    if (f.id?.length && !f.id.some((i) => rec.Id.startsWith(i))) return false;
    if (f.exited?.length && (rec.State.Status !== 'exited' || !f.exited.includes(String(rec.State.ExitCode))))
      return false;
    if (f.ancestor?.length && !ancestors.has(rec.Image)) return false;
    if (f.health?.length && !f.health.includes(rec.State.Health?.Status ?? 'none')) return false;
    if (f.label?.length && !labelsMatch(rec.Config.Labels ?? {}, f.label)) return false;
    if (
      f.volume?.length &&
      !(rec.MountPoints ?? []).some(
        (m) => f.volume.includes(m.Name ?? '') || f.volume.includes(m.Destination),
      )
    )
      return false;
    if (before !== undefined && Date.parse(rec.Created) >= before) return false;
    if (since !== undefined && Date.parse(rec.Created) <= since) return false;
    return true;
  });
  if (q.limit && q.limit > 0) recs = recs.slice(0, q.limit);
  const tags = new Map<string, string>();
  const out = [];
  for (const rec of recs) {
    const s: Record<string, unknown> = summary(ctx, rec, tags);
    if (q.size) {
      const dirs = rootfsDirs(ctx.store.dir(rec.Id));
      s.SizeRw = await dirSize(dirs.upper);
      const img = await ctx.images.resolve(rec.Image).catch(() => undefined);
      s.SizeRootFs = (s.SizeRw as number) + (img ? await sumDirs(img.layerDirs) : 0);
    }
    out.push(s);
  }
  return out;
}
