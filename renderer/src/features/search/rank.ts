// Global search's matching and ranking: what each kind of thing is found by, how well a query matches
// a name (exact, prefix, word start, substring, then letters in order), and results grouped by kind.
import type {
  ContainerSummary,
  ImageSummary,
  NetworkSummary,
  VolumeSummary,
} from '../../../../electron/contract/index.ts';
import type { Route } from '../../store/index.ts';
import { shortId } from '../../ui/format.ts';

export type SearchKind = 'container' | 'image' | 'volume' | 'network' | 'screen';

export const kindLabels: Record<SearchKind, string> = {
  container: 'Containers',
  image: 'Images',
  volume: 'Volumes',
  network: 'Networks',
  screen: 'Screens',
};

/** Ties between groups go in this order. */
const kindOrder: SearchKind[] = ['container', 'image', 'volume', 'network', 'screen'];

export interface SearchItem {
  kind: SearchKind;
  key: string;
  title: string;
  detail: string;
  /** Matched by their text, the first one weighing most (a name before its image, say). */
  names: string[];
  /** Matched by prefix only, with or without `sha256:`. */
  ids: string[];
  route: Route;
}

export interface SearchHit {
  item: SearchItem;
  score: number;
}

export interface SearchGroup {
  kind: SearchKind;
  label: string;
  hits: SearchHit[];
}

const wordBreak = /[\s/:._@-]/;

/** How well `q` (lower case, trimmed) matches `text`: 0 not at all, higher is better. */
export function scoreText(q: string, text: string): number {
  const t = text.toLowerCase();
  if (!q || !t) return 0;
  if (t === q) return 1000;
  if (t.startsWith(q)) return 800 - Math.min(t.length - q.length, 100);
  const at = t.indexOf(q);
  if (at > 0) {
    const atWord = wordBreak.test(t[at - 1]);
    return (atWord ? 600 : 400) - Math.min(at, 100);
  }
  // Letters in order, e.g. `wbsrv` in `web-server`: the tighter, the better.
  if (q.length < 2) return 0;
  let from = 0;
  let first = -1;
  for (const ch of q) {
    const i = t.indexOf(ch, from);
    if (i < 0) return 0;
    if (first < 0) first = i;
    from = i + 1;
  }
  const spread = from - first - q.length;
  return Math.max(1, 200 - spread * 10 - first);
}

function scoreId(q: string, id: string): number {
  const bare = id.replace(/^sha256:/, '').toLowerCase();
  if (q.length >= 2 && (bare.startsWith(q) || id.toLowerCase().startsWith(q))) return 700;
  return 0;
}

export function scoreItem(q: string, item: SearchItem): number {
  let best = 0;
  item.names.forEach((name, i) => {
    // A later name (a container's image) counts a little less than the first (its own name).
    const s = scoreText(q, name) * (i === 0 ? 1 : 0.9);
    if (s > best) best = s;
  });
  for (const id of item.ids) best = Math.max(best, scoreId(q, id));
  return best;
}

/**
 * The hits of each kind, best first, at most `perKind` each; the groups ordered by their best hit, so
 * that the first result is the best one. An empty query lists the first items of each kind.
 */
export function rankItems(items: SearchItem[], query: string, perKind = 6): SearchGroup[] {
  const q = query.trim().toLowerCase();
  const byKind = new Map<SearchKind, SearchHit[]>();
  for (const item of items) {
    const score = q ? scoreItem(q, item) : 1;
    if (score <= 0) continue;
    const list = byKind.get(item.kind) ?? [];
    list.push({ item, score });
    byKind.set(item.kind, list);
  }
  const groups: SearchGroup[] = [];
  for (const kind of kindOrder) {
    const hits = byKind.get(kind);
    if (!hits?.length) continue;
    hits.sort((a, b) => b.score - a.score || a.item.title.localeCompare(b.item.title));
    groups.push({ kind, label: kindLabels[kind], hits: hits.slice(0, perKind) });
  }
  if (!q) return groups;
  return groups.sort(
    (a, b) => b.hits[0].score - a.hits[0].score || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind),
  );
}

export interface SearchSources {
  containers: ContainerSummary[];
  images: ImageSummary[];
  volumes: VolumeSummary[];
  networks: NetworkSummary[];
  screens: { route: Route; label: string }[];
}

export function searchItems(s: SearchSources): SearchItem[] {
  const items: SearchItem[] = [];
  for (const c of s.containers) {
    items.push({
      kind: 'container',
      key: `container:${c.id}`,
      title: c.name,
      detail: `${c.image} · ${c.state}`,
      names: [c.name, c.image, ...(c.composeProject ? [c.composeProject] : [])],
      ids: [c.id],
      route: { screen: 'container', id: c.id },
    });
  }
  for (const i of s.images) {
    items.push({
      kind: 'image',
      key: `image:${i.id}`,
      title: i.tags[0] ?? shortId(i.id),
      detail: [shortId(i.id), ...i.tags.slice(1)].join(' · '),
      // Each tag whole, and its tag part alone, so that `:1.36` and `1.36` both find `busybox:1.36`.
      names: i.tags.flatMap((t) => [t, t.slice(t.lastIndexOf(':') + 1)]),
      ids: [i.id],
      route: { screen: 'image', id: i.id },
    });
  }
  for (const v of s.volumes) {
    items.push({
      kind: 'volume',
      key: `volume:${v.name}`,
      title: v.name,
      detail: v.usedBy.length ? `used by ${v.usedBy.join(', ')}` : v.driver,
      names: [v.name],
      ids: [],
      route: { screen: 'volume', name: v.name },
    });
  }
  for (const n of s.networks) {
    items.push({
      kind: 'network',
      key: `network:${n.id}`,
      title: n.name,
      detail: [n.driver, n.subnet].filter(Boolean).join(' · '),
      names: [n.name],
      ids: [n.id],
      route: { screen: 'networks' },
    });
  }
  for (const sc of s.screens) {
    items.push({
      kind: 'screen',
      key: `screen:${sc.label}`,
      title: sc.label,
      detail: 'Screen',
      names: [sc.label],
      ids: [],
      route: sc.route,
    });
  }
  return items;
}
