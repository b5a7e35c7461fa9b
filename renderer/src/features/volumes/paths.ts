// Pure helpers of the volume file browser: paths inside a volume, entry order, downloaded bytes.
import type { VolumeFileEntry } from '../../../../electron/contract/index.ts';

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

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
