import type { ImageRecord, ImageStore, Lease } from '../../storage/image-store.ts';
import { noSuchImage } from '../../storage/reference.ts';

export interface HistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/**
 * `docker history`: an image's history entries, newest first; entries that add a layer carry its size.
 */
export async function imageHistory(store: ImageStore, ref: string): Promise<HistoryEntry[]> {
  // Its layers stay while they are measured, even if the image is deleted meanwhile.
  const lease = store.lease();
  try {
    return await historyOf(store, ref, lease);
  } finally {
    lease.release();
  }
}

async function historyOf(store: ImageStore, ref: string, lease: Lease): Promise<HistoryEntry[]> {
  const rec = store.resolve(ref);
  if (!rec || !lease.read(rec.id)) throw noSuchImage(ref);
  const config = await store.config(rec.id);
  const entries = config.history ?? [];
  // As dockerd measures a layer: the bytes its own diff adds (what `docker images` sums up).
  const sizes = await Promise.all(rec.chainIds.map((c) => store.layers.size(c)));
  let layer = 0;
  const out = entries.map((h): HistoryEntry => {
    const empty = h.empty_layer === true;
    const size = empty ? 0 : (sizes[layer++] ?? 0);
    return {
      Id: '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  if (out.length === 0) {
    out.push({
      Id: '<missing>',
      Created: 0,
      CreatedBy: '',
      Tags: null,
      Size: sizes.reduce((a, b) => a + b, 0),
      Comment: '',
    });
  }
  out.reverse();
  // Like dockerd: from the top, each entry is the next image down the parent chain while it is here.
  let img: ImageRecord | undefined = rec;
  for (const entry of out) {
    if (!img) break;
    const tags = store.tagsOf(img.id);
    entry.Id = img.id;
    entry.Tags = tags.length ? tags : null;
    img = img.parent ? store.get(img.parent) : undefined;
  }
  return out;
}
