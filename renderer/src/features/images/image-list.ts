// What the images list shows: the search box, the in-use filter and the sort order applied to the
// engine's list. Pure, so that it is tested without a screen.
import type { ImageSummary } from '../../../../electron/contract/index.ts';

export type ImageFilter = 'all' | 'in-use' | 'unused' | 'dangling';
export type ImageSortKey = 'name' | 'size' | 'created';

export interface ImageListView {
  search: string;
  filter: ImageFilter;
  sort: ImageSortKey;
  descending: boolean;
}

/** Newest first, as `docker images` lists them. */
export const defaultView: ImageListView = { search: '', filter: 'all', sort: 'created', descending: true };

export const filterLabels: Record<ImageFilter, string> = {
  all: 'All images',
  'in-use': 'In use',
  unused: 'Unused',
  dangling: 'Dangling',
};

/** Docker's "dangling": an image no tag names. */
export const isDangling = (i: ImageSummary) => i.tags.length === 0;
export const isInUse = (i: ImageSummary) => i.usedBy.length > 0;

function matches(i: ImageSummary, q: string): boolean {
  if (!q) return true;
  const id = i.id.replace(/^sha256:/, '');
  return (
    i.tags.some((t) => t.toLowerCase().includes(q)) ||
    id.startsWith(q.replace(/^sha256:/, '')) ||
    i.usedBy.some((u) => u.name.toLowerCase().includes(q))
  );
}

const keep: Record<ImageFilter, (i: ImageSummary) => boolean> = {
  all: () => true,
  'in-use': isInUse,
  unused: (i) => !isInUse(i),
  dangling: isDangling,
};

/** Untagged images sort after every name, whichever the direction: they have none to sort by. */
function compare(a: ImageSummary, b: ImageSummary, key: ImageSortKey): number {
  if (key === 'size') return a.size - b.size;
  if (key === 'created') return a.created - b.created;
  return (a.tags[0] ?? '').localeCompare(b.tags[0] ?? '');
}

export function visibleImages(images: readonly ImageSummary[], view: ImageListView): ImageSummary[] {
  const q = view.search.trim().toLowerCase();
  const out = images.filter((i) => keep[view.filter](i) && matches(i, q));
  const sign = view.descending ? -1 : 1;
  return out.sort((a, b) => {
    if (view.sort === 'name' && isDangling(a) !== isDangling(b)) return isDangling(a) ? 1 : -1;
    return sign * compare(a, b, view.sort) || a.id.localeCompare(b.id);
  });
}

/** A click on a column's header: that column, ascending first (sizes and dates biggest first). */
export function toggleSort(view: ImageListView, key: ImageSortKey): ImageListView {
  if (view.sort === key) return { ...view, descending: !view.descending };
  return { ...view, sort: key, descending: key !== 'name' };
}
