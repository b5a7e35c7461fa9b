import { notFound } from '../../core/errors.ts';
import { layerChanges } from '../../storage/layer-walk.ts';
import type { ImageService, Lease } from './service.ts';

export interface LayerFiles {
  diffId: string;
  size: number;
  createdBy: string;
  added: string[];
  changed: string[];
  deleted: string[];
}

const limitPerKind = 5000;

/**
 * What each layer of an image does to the filesystem (Berth's own API, for the desktop app): a file is
 * added when no lower layer has it, changed when one does, deleted when the layer whites it out.
 */
export async function imageLayerFiles(images: ImageService, ref: string): Promise<LayerFiles[]> {
  const lease = images.lease();
  try {
    return await layerFilesOf(images, ref, lease);
  } finally {
    lease.release();
  }
}

async function layerFilesOf(images: ImageService, ref: string, lease: Lease): Promise<LayerFiles[]> {
  const img = await images.resolve(ref);
  const rec = img && images.store.get(img.id);
  if (!img || !rec || !lease.read(img.id)) throw notFound(`No such image: ${ref}`);
  const history = (img.config.history ?? []).filter((h) => !h.empty_layer);
  const out: LayerFiles[] = [];
  for (let i = 0; i < img.layerDirs.length; i++) {
    const dir = img.layerDirs[i];
    const lowers = img.layerDirs.slice(0, i).reverse();
    const files: LayerFiles = {
      diffId: rec.diffIds[i],
      size: await images.store.layers.size(rec.chainIds[i]),
      createdBy: history[i]?.created_by ?? '',
      added: [],
      changed: [],
      deleted: [],
    };
    for (const c of await layerChanges(dir, lowers)) {
      if (c.dir) continue;
      const list = files[c.kind];
      if (list.length < limitPerKind) list.push(c.path);
    }
    out.push(files);
  }
  return out;
}
