import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface LayerChange {
  path: string;
  kind: 'added' | 'changed' | 'deleted';
  dir: boolean;
}

const isWhiteout = (st: { isCharacterDevice(): boolean; rdev: number }) =>
  st.isCharacterDevice() && st.rdev === 0;

/**
 * What a layer directory (or a container's upper dir) does on top of the layers below it, `lowers`
 * top-most first: an entry is changed when a lower layer has it, added otherwise, and deleted when it
 * is an overlay whiteout. Sorted by name, parents before their children.
 */
export async function layerChanges(dir: string, lowers: string[]): Promise<LayerChange[]> {
  const out: LayerChange[] = [];
  const inLower = async (rel: string) => {
    for (const l of lowers) {
      const st = await fs.lstat(path.join(l, rel)).catch(() => undefined);
      if (st) return !isWhiteout(st);
    }
    return false;
  };
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = path.join(rel, e.name);
      const st = await fs.lstat(path.join(dir, r));
      if (isWhiteout(st)) {
        out.push({ path: `/${r}`, kind: 'deleted', dir: false });
        continue;
      }
      out.push({ path: `/${r}`, kind: (await inLower(r)) ? 'changed' : 'added', dir: e.isDirectory() });
      if (e.isDirectory()) await walk(r);
    }
  };
  await walk('');
  return out;
}
