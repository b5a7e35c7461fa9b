import path from 'node:path';
import { invalid } from '../../core/errors.ts';
import type { ImageConfig, ImageRecord, ImageRuntimeConfig, ImageStore } from '../../storage/image-store.ts';
import { familiarName, noSuchImage, parseReference } from '../../storage/reference.ts';
import { labelsMatch } from '../filters.ts';
import { referencesOf } from './remove.ts';

// `until` is berthd's addition (newer dockerd has it too); the rest are dockerd 20.10's.
const filterKeys = ['dangling', 'label', 'before', 'since', 'reference', 'until'];
const zeroTime = '0001-01-01T00:00:00Z';

const literal = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Go's path.Match as a regular expression: `*` and `?` do not cross `/`, `[…]` classes, `\` escapes. */
export function pathMatcher(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += literal(pattern[++i]);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw invalid('syntax error in pattern');
      const body = pattern.slice(i + 1, end);
      re += body.startsWith('^') ? `[^/${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else re += literal(c);
  }
  return new RegExp(`^${re}$`);
}

/** dockerd's FamiliarMatch: the pattern against `name:tag` (or `name@digest`), else against the name. */
function referenceMatches(ref: string, patterns: RegExp[]): boolean {
  const name = familiarName(parseReference(ref));
  return patterns.some((re) => re.test(ref) || re.test(name));
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}

/** `dangling=true` lists only dangling images, `dangling=false` none of them; nothing else is valid. */
function danglingFilter(values: string[] | undefined): boolean | undefined {
  if (!values?.length) return undefined;
  if (values.includes('true')) return true;
  if (values.every((v) => v === 'false')) return false;
  throw invalid(`Invalid filter 'dangling=[${values.join(' ')}]'`);
}

/**
 * GET /images/json as dockerd 20.10 answers it: ImageSummary objects, newest first. Each image shows
 * only its references that pass the reference filter; an image with none is left out, unless it has
 * no references at all and is a head (nothing builds on it) or `all` is set — then it is `<none>`.
 */
export async function listImages(
  store: ImageStore,
  filters: Record<string, string[]> = {},
  all = true,
): Promise<Array<Record<string, unknown>>> {
  for (const k of Object.keys(filters)) if (!filterKeys.includes(k)) throw invalid(`Invalid filter '${k}'`);
  const dangling = danglingFilter(filters.dangling);
  const createdOf = (ref: string) => {
    const rec = store.resolve(ref);
    if (!rec) throw noSuchImage(ref);
    return Date.parse(rec.created);
  };
  const before = filters.before?.length ? createdOf(filters.before[filters.before.length - 1]) : undefined;
  const since = filters.since?.length ? createdOf(filters.since[filters.since.length - 1]) : undefined;
  const until = filters.until?.length ? parseUntil(filters.until[0]) : undefined;
  const patterns = filters.reference?.map(pathMatcher);
  const out: Array<Record<string, unknown> & { Created: number }> = [];
  const parents = new Set(
    store
      .all()
      .map((r) => r.parent)
      .filter((p): p is string => !!p),
  );
  // One pass without awaiting: a deletion running alongside cannot leave a record without its config.
  for (const rec of store.all()) {
    const head = !parents.has(rec.id);
    if (dangling === true && !head) continue;
    const cfg = store.configOf(rec.id);
    if (!cfg) continue;
    const labels = cfg.config?.Labels ?? {};
    const created = Date.parse(rec.created);
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    if (until !== undefined && !(created < until)) continue;
    if (filters.label?.length && !labelsMatch(labels, filters.label)) continue;
    const refs = referencesOf(store, rec.id).filter((r) => !patterns || referenceMatches(r, patterns));
    const tags = refs.filter((r) => !r.includes('@'));
    const digests = refs.filter((r) => r.includes('@'));
    if (refs.length === 0) {
      if (!(all || head) || dangling === false || patterns) continue;
    } else if (dangling === true && tags.length > 0) continue;
    out.push({
      Id: rec.id,
      ParentId: rec.parent ?? '',
      RepoTags: tags,
      RepoDigests: digests,
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

const sortedMap = <T>(m: Record<string, T> | null | undefined) =>
  m ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : m;

/**
 * An image's runtime config with every field dockerd's container.Config shows, in its order, maps
 * sorted by key as Go writes them: `docker inspect` prints the daemon's JSON as it is.
 */
function runtimeView(c: ImageRuntimeConfig): Record<string, unknown> {
  const optional = (k: keyof ImageRuntimeConfig) =>
    c[k] === undefined || c[k] === null || c[k] === false ? {} : { [k]: c[k] };
  return {
    Hostname: '',
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: sortedMap(c.ExposedPorts) } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...optional('Healthcheck'),
    ...optional('ArgsEscaped'),
    Image: c.Image ?? '',
    Volumes: sortedMap(c.Volumes) ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: sortedMap(c.Labels) ?? null,
    ...optional('StopSignal'),
    ...optional('Shell'),
  };
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
    Container: cfg.container ?? '',
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: runtimeView(cfg.config ?? {}),
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
