import { constants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { invalid } from '../../core/errors.ts';
import { openInside } from './inside.ts';

/** One entry of a directory inside a volume, for the desktop app's file browser. */
export interface VolumeFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits (with setuid, setgid and sticky). */
  mode: number;
  /** RFC 3339. */
  mtime: string;
  /** Symlinks: where they point, as written (never followed). */
  linkTarget?: string;
}

function typeOf(st: Stats): VolumeFileEntry['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** The entries of a directory inside a volume, sorted by name. */
export async function listVolumeFiles(root: string, dir: string): Promise<VolumeFileEntry[]> {
  const fh = await openInside(root, dir || '/', constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    // The descriptor's /proc link names the very directory that was checked.
    const base = `/proc/self/fd/${fh.fd}`;
    const out: VolumeFileEntry[] = [];
    for (const name of await fs.readdir(base)) {
      const st = await fs.lstat(path.join(base, name)).catch(() => undefined);
      if (!st) continue; // removed meanwhile
      const entry: VolumeFileEntry = {
        name,
        type: typeOf(st),
        size: st.size,
        mode: st.mode & 0o7777,
        mtime: st.mtime.toISOString(),
      };
      if (st.isSymbolicLink()) entry.linkTarget = await fs.readlink(path.join(base, name)).catch(() => '');
      out.push(entry);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } finally {
    await fh.close();
  }
}

/** Opens a regular file inside a volume for reading; the caller closes it. */
export async function openVolumeFile(
  root: string,
  file: string,
): Promise<{ handle: FileHandle; size: number }> {
  const fh = await openInside(root, file, constants.O_RDONLY);
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw invalid(`not a regular file: ${file}`);
  }
  return { handle: fh, size: st.size };
}
