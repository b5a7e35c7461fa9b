import { promises as fs } from 'node:fs';
import path from 'node:path';
import { notFound } from '../../core/errors.ts';
import type { ImageService } from './service.ts';

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
  const img = await images.resolve(ref);
  if (!img) throw notFound(`No such image: ${ref}`);
  const rec = images.store.get(img.id)!;
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
    const inLower = async (rel: string) => {
      for (const l of lowers) {
        const st = await fs.lstat(path.join(l, rel)).catch(() => undefined);
        if (st) return !(st.isCharacterDevice() && st.rdev === 0);
      }
      return false;
    };
    const walk = async (rel: string) => {
      const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const r = path.join(rel, e.name);
        const st = await fs.lstat(path.join(dir, r));
        if (st.isCharacterDevice() && st.rdev === 0) {
          if (files.deleted.length < limitPerKind) files.deleted.push(`/${r}`);
          continue;
        }
        if (e.isDirectory()) {
          await walk(r);
          continue;
        }
        const kind = (await inLower(r)) ? files.changed : files.added;
        if (kind.length < limitPerKind) kind.push(`/${r}`);
      }
    };
    await walk('');
    out.push(files);
  }
  return out;
}
