import path from 'node:path';
import { invalid } from '../../core/errors.ts';
import type { ImageConfig, ImageRecord, ImageStore } from '../../storage/image-store.ts';
import { labelsMatch } from '../filters.ts';

const filterKeys = ['dangling', 'label', 'before', 'since', 'reference', 'until'];
const zeroTime = '0001-01-01T00:00:00Z';

/** Docker's reference filter is a path.Match glob: `*` does not cross `/`. */
function globToRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function matchesReference(tags: string[], patterns: string[]): boolean {
  return patterns.some((p) => {
    const re = globToRegex(p);
    return tags.some((t) => re.test(t) || re.test(t.slice(0, t.lastIndexOf(':'))));
  });
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}

function boolFilter(v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`invalid filter 'dangling=${v}'`);
}

/** GET /images/json: ImageSummary objects, newest first. */
export async function listImages(
  store: ImageStore,
  filters: Record<string, string[]> = {},
  all = true,
): Promise<Array<Record<string, unknown>>> {
  for (const k of Object.keys(filters)) if (!filterKeys.includes(k)) throw invalid(`invalid filter '${k}'`);
  const createdOf = (ref: string) => {
    const rec = store.resolve(ref);
    if (!rec) throw invalid(`invalid filter: No such image: ${ref}`);
    return Date.parse(rec.created);
  };
  const before = filters.before?.length ? createdOf(filters.before[0]) : undefined;
  const since = filters.since?.length ? createdOf(filters.since[0]) : undefined;
  const until = filters.until?.length ? parseUntil(filters.until[0]) : undefined;
  const dangling = filters.dangling?.length ? boolFilter(filters.dangling[0]) : undefined;
  const out: Array<Record<string, unknown> & { Created: number }> = [];
  const parents = new Set(
    store
      .all()
      .map((r) => r.parent)
      .filter((p): p is string => !!p),
  );
  // One pass without awaiting: a deletion running alongside cannot leave a record without its config.
  for (const rec of store.all()) {
    const tags = store.tagsOf(rec.id);
    const head = !parents.has(rec.id);
    // As dockerd lists them: dangling means an untagged image no other image builds on (what prune
    // takes); an image with neither tag nor digest is hidden when it has children (a build's
    // intermediate steps) unless -a, and left out by dangling=false.
    if (dangling === true && (!head || tags.length > 0)) continue;
    if (tags.length === 0 && rec.repoDigests.length === 0 && ((!all && !head) || dangling === false))
      continue;
    const cfg = store.configOf(rec.id);
    if (!cfg) continue;
    const labels = cfg.config?.Labels ?? {};
    const created = Date.parse(rec.created);
    if (filters.reference?.length && !matchesReference(tags, filters.reference)) continue;
    if (filters.label?.length && !labelsMatch(labels, filters.label)) continue;
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    if (until !== undefined && !(created < until)) continue;
    out.push({
      Id: rec.id,
      ParentId: rec.parent ?? '',
      RepoTags: tags,
      RepoDigests: rec.repoDigests,
      Created: Math.floor((Number.isNaN(created) ? 0 : created) / 1000),
      Size: rec.size,
      SharedSize: -1,
      Labels: cfg.config?.Labels ?? null,
      Containers: -1,
    });
  }
  return out.sort((a, b) => b.Created - a.Created);
}

function comment(cfg: ImageConfig): string {
  return cfg.comment ?? cfg.history?.[cfg.history.length - 1]?.comment ?? '';
}

/** GET /images/{name}/json. */
export async function inspectImage(store: ImageStore, rec: ImageRecord): Promise<Record<string, unknown>> {
  const cfg = await store.config(rec.id);
  const dirs = rec.chainIds.map((c) => store.layerDir(c));
  const top = dirs[dirs.length - 1];
  const lower = dirs.slice(0, -1).reverse().join(':');
  return {
    Id: rec.id,
    RepoTags: store.tagsOf(rec.id),
    RepoDigests: rec.repoDigests,
    Parent: rec.parent ?? '',
    Comment: comment(cfg),
    Created: cfg.created ?? zeroTime,
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: {
      Env: null,
      Cmd: null,
      Entrypoint: null,
      WorkingDir: '',
      User: '',
      Labels: null,
      OnBuild: null,
      ...(cfg.config ?? {}),
    },
    Architecture: cfg.architecture,
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os,
    Size: rec.size,
    GraphDriver: {
      Name: 'overlay2',
      Data: top
        ? {
            ...(lower ? { LowerDir: lower } : {}),
            MergedDir: path.join(path.dirname(top), 'merged'),
            UpperDir: top,
            WorkDir: path.join(path.dirname(top), 'work'),
          }
        : {},
    },
    RootFS: { Type: 'layers', Layers: rec.diffIds },
    Metadata: { LastTagTime: rec.lastTagTime ?? zeroTime },
  };
}
