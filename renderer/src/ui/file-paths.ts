// Pure helpers of the file browsers: paths inside a container or a volume, and the order of entries.
import type { VolumeFileEntry } from '../../../electron/contract/index.ts';

export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentPath(dir: string): string {
  const i = dir.lastIndexOf('/');
  return i <= 0 ? '/' : dir.slice(0, i);
}

/** `/a/b` → `/`, `/a`, `/a/b`, each with the label a breadcrumb shows. */
export function crumbs(dir: string): { label: string; path: string }[] {
  const out = [{ label: '/', path: '/' }];
  let path = '';
  for (const part of dir.split('/').filter(Boolean)) {
    path += `/${part}`;
    out.push({ label: part, path });
  }
  return out;
}

/** Folders first, then by name. */
export function sortEntries(entries: VolumeFileEntry[]): VolumeFileEntry[] {
  return [...entries].sort(
    (a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name),
  );
}
