import { invalid } from '../../core/errors.ts';
import { labelsMatch } from '../filters.ts';
import type { ImageService } from './service.ts';

export interface PruneFilters {
  dangling?: string[];
  until?: string[];
  label?: string[];
  'label!'?: string[];
}

function untilMs(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(\d+)(s|m|h)$/.exec(v);
  if (dur)
    return Date.now() - Number(dur[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[dur[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}

/**
 * POST /images/prune: dangling images by default; with dangling=false (`docker image prune -a`) every
 * image no container uses. Filters: until, label, label!.
 */
export async function pruneImages(
  images: ImageService,
  usedBy: (id: string) => unknown[],
  filters: Record<string, string[]>,
) {
  for (const k of Object.keys(filters)) {
    if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalid(`invalid filter '${k}'`);
  }
  const danglingOnly = !(filters.dangling?.[0] === 'false' || filters.dangling?.[0] === '0');
  const before = filters.until?.[0] ? untilMs(filters.until[0]) : undefined;
  const deleted: Array<{ Untagged?: string; Deleted?: string }> = [];
  let reclaimed = 0;
  for (const rec of images.store.all()) {
    const tags = images.store.tagsOf(rec.id);
    if (danglingOnly && tags.length > 0) continue;
    if (usedBy(rec.id).length > 0) continue;
    if (before !== undefined && Date.parse(rec.created) >= before) continue;
    const cfg = await images.store.config(rec.id);
    if (!labelsMatch(cfg.config?.Labels ?? {}, filters.label ?? [], filters['label!'] ?? [])) continue;
    const size = rec.size;
    const out = await images.remove(rec.id, { force: true });
    if (out.some((o) => o.Deleted)) reclaimed += size;
    deleted.push(...out);
  }
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
