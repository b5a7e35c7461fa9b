// Paths inside a volume's data directory, resolved as if the volume were `/`. Every read or change is
// anchored to a descriptor that was checked to be inside the volume: the path is resolved with
// secureJoin (symlinks and `..` stay inside), opened without following a final symlink, and the open
// descriptor's /proc link is compared with the volume's root. Changes then touch one name inside that
// folder through `/proc/self/fd/N/<name>`, so a container that swaps a folder for a symlink meanwhile
// cannot lead them out of the volume.
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { invalid, notFound } from '../../core/errors.ts';
import { secureJoin } from '../../core/securejoin.ts';

/** `a//b/../c/` → `/a/c`: absolute, lexical (`..` never climbs above `/`). */
export function cleanVolumePath(p: string): string {
  return path.posix.normalize(`/${p}`).replace(/(.)\/$/, '$1');
}

/** A volume path's folder and last name; the root has no name. */
export function splitVolumePath(p: string): { parent: string; name: string; path: string } {
  const clean = cleanVolumePath(p);
  if (clean === '/') return { parent: '/', name: '', path: '/' };
  return { parent: path.posix.dirname(clean), name: path.posix.basename(clean), path: clean };
}

/** The descriptor's path for this process: names under it resolve inside the very folder it holds. */
export function fdPath(fh: FileHandle, name?: string): string {
  return name ? `/proc/self/fd/${fh.fd}/${name}` : `/proc/self/fd/${fh.fd}`;
}

/** Errors of a path the user gave, in the engine's words; anything else is passed on. */
export function pathError(err: unknown, shown: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return notFound(`no such file or directory: ${shown}`);
  if (code === 'ENOTDIR') return invalid(`not a directory: ${shown}`);
  if (code === 'ELOOP') return invalid(`too many levels of symbolic links: ${shown}`);
  return err;
}

const realRoots = new Map<string, string>();

async function realRoot(root: string): Promise<string> {
  let real = realRoots.get(root);
  if (!real) {
    real = await fs.realpath(root);
    if (realRoots.size > 256) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

/** Opens `unsafe` inside `root` (see the top of this file); the caller closes it. */
export async function openInside(root: string, unsafe: string, flags: number): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    const resolved = await secureJoin(root, unsafe);
    fh = await fs.open(resolved, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw pathError(err, unsafe);
  }
  const real = await fs.readlink(fdPath(fh)).catch(() => '');
  const top = await realRoot(root);
  if (real !== top && !real.startsWith(top + path.sep)) {
    await fh.close();
    throw invalid(`path escapes the volume: ${unsafe}`);
  }
  return fh;
}

/** Opens a folder inside the volume. */
export function openDirInside(root: string, dir: string): Promise<FileHandle> {
  return openInside(root, dir, constants.O_RDONLY | constants.O_DIRECTORY);
}

/** Opens the name `name` of an open folder as a folder, never through a symlink. */
export async function openChildDir(parent: FileHandle, name: string): Promise<FileHandle> {
  return fs.open(fdPath(parent, name), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
}
