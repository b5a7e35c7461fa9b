import { errorMessage, invalid, isEngineError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { ImageRecord } from '../../storage/image-store.ts';
import { type DeleteCtx, type DeleteRecord, referencesOf, removeImage } from './remove.ts';

const accepted = ['dangling', 'label', 'label!', 'until'];

export interface PruneReport {
  ImagesDeleted: DeleteRecord[] | null;
  SpaceReclaimed: number;
}

const goDuration = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`90m`, `1h30m`, `1.5h`) in milliseconds. */
function durationMs(v: string): number {
  const sign = v.startsWith('-') ? -1 : 1;
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    ms += Number(m[1]) * unitMs[m[2]];
  return sign * ms;
}

const dateRe =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

/**
 * dockerd's GetTimestamp for `until`: a duration before now (whole seconds), an RFC 3339 date or
 * time (local time without a zone), or Unix seconds. Returns milliseconds since the epoch.
 */
export function untilMs(v: string, now: number): number {
  if (v !== '0' && goDuration.test(v)) return Math.floor((now - durationMs(v)) / 1000) * 1000;
  const d = dateRe.exec(v);
  if (d) {
    const [y, mo, da, h, mi, s] = d.slice(1, 7).map((x) => Number(x ?? 0));
    const ms = Number(d[7] ?? 0) * 1000;
    const zone = d[8];
    if (!zone) return new Date(y, mo - 1, da, h, mi, s).getTime() + ms;
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetMin = /^[zZ]$/.test(zone)
      ? 0
      : sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
    return Date.UTC(y, mo - 1, da, h, mi, s) + ms - offsetMin * 60_000;
  }
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  throw invalid(`failed to parse value as time or duration: ${JSON.stringify(v)}`);
}

/** dockerd's MatchKVList: every `key` or `key=value` given must be among the labels. */
function allMatch(labels: Record<string, string>, wanted: string[]): boolean {
  if (Object.keys(labels).length === 0) return false;
  return wanted.every((w) => {
    const i = w.indexOf('=');
    return i < 0 ? w in labels : labels[w.slice(0, i)] === w.slice(i + 1);
  });
}

function matchLabels(labels: Record<string, string>, filters: Record<string, string[]>): boolean {
  if (filters.label?.length && !allMatch(labels, filters.label)) return false;
  return !(filters['label!']?.length && allMatch(labels, filters['label!']));
}

function danglingOnly(values: string[] | undefined): boolean {
  if (!values) return true;
  if (values.includes('false') || values.includes('0')) return false;
  if (values.includes('true') || values.includes('1')) return true;
  throw invalid(`Invalid filter 'dangling=[${values.join(' ')}]'`);
}

export interface PruneCtx extends DeleteCtx {
  log: Logger;
}

/**
 * POST /images/prune, as dockerd's ImagesPrune: dangling images (untagged, with no child image)
 * by default, every image with `dangling=false` (`docker image prune -a`); an untagged image with
 * children is never a candidate itself, it goes with its last child. Each candidate is deleted as
 * `docker rmi` would without force, pruning parents; whatever is in use (containers, children,
 * operations in flight) stays, and what another deletion took meanwhile is skipped. Space reclaimed
 * is the size of the layers deleted.
 */
export async function pruneImages(ctx: PruneCtx, filters: Record<string, string[]>): Promise<PruneReport> {
  for (const k of Object.keys(filters)) if (!accepted.includes(k)) throw invalid(`Invalid filter '${k}'`);
  const onlyDangling = danglingOnly(filters.dangling);
  if ((filters.until?.length ?? 0) > 1) throw invalid('more than one until filter specified');
  const until = filters.until?.length ? untilMs(filters.until[0], Date.now()) : undefined;

  const { store } = ctx;
  const all = store.all();
  const parents = new Set(all.map((r) => r.parent).filter((p): p is string => !!p));
  const layerSizes = new Map<string, number>();
  for (const r of all) for (const c of r.chainIds) layerSizes.set(c, store.layers.known(c)?.size ?? 0);
  const top = all
    .filter((r) => !onlyDangling || !parents.has(r.id))
    .filter((r) => referencesOf(store, r.id).length > 0 || !parents.has(r.id))
    .filter((r) => until === undefined || Date.parse(r.created) <= until)
    .filter((r) => {
      const runtime = store.configOf(r.id)?.config;
      return runtime === undefined || matchLabels(runtime.Labels ?? {}, filters);
    })
    .sort(byAge);

  const deleted: DeleteRecord[] = [];
  for (const rec of top) {
    if (!store.get(rec.id)) continue;
    const refs = referencesOf(store, rec.id);
    const targets = refs.length === 0 ? [rec.id.slice('sha256:'.length)] : refs;
    if (onlyDangling && refs.some((r) => !r.includes('@'))) continue;
    for (const target of targets) {
      try {
        deleted.push(...(await removeImage(ctx, target, { force: false, prune: true })));
      } catch (err) {
        // In use (a conflict) or already taken by another deletion: passed by, as dockerd does;
        // anything else is logged and the prune goes on with the next image, as dockerd's does too.
        if (!isEngineError(err, 'conflict') && !isEngineError(err, 'not-found'))
          ctx.log.warn('failed to prune image', { image: target, error: errorMessage(err) });
      }
    }
  }
  let reclaimed = 0;
  for (const d of deleted) if (d.Deleted) reclaimed += layerSizes.get(d.Deleted) ?? 0;
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}

/** Oldest first, then by ID: dockerd's order is a map's (random); Berth's is stable. */
function byAge(a: ImageRecord, b: ImageRecord): number {
  return Date.parse(a.created) - Date.parse(b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
