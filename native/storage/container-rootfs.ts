import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hasOwnFilesystem, mkdirp } from '../core/fsutil.ts';
import { runOk, type Sys } from '../core/sys.ts';

/** The overlay directories of one container: upper and work beside the merged mount point. */
export interface RootfsDirs {
  upper: string;
  work: string;
  merged: string;
  /** An empty lower dir, for images without layers (overlay needs at least one lower). */
  empty: string;
}

export function rootfsDirs(containerDir: string): RootfsDirs {
  return {
    upper: path.join(containerDir, 'upper'),
    work: path.join(containerDir, 'work'),
    merged: path.join(containerDir, 'merged'),
    empty: path.join(containerDir, 'empty'),
  };
}

export async function prepareRootfs(dirs: RootfsDirs): Promise<void> {
  await mkdirp(dirs.upper, 0o755);
  await mkdirp(dirs.work, 0o700);
  await mkdirp(dirs.merged, 0o755);
}

/**
 * Whether anything is mounted on `dir`, bind mounts of the same filesystem included: a read of the
 * mount table, which the kernel formats whole (every overlay's options) at each read. Where the mount
 * is of a filesystem of its own (an overlay, a tmpfs), `hasOwnFilesystem` answers without it.
 */
export async function isMounted(dir: string): Promise<boolean> {
  const mounts = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const resolved = path.resolve(dir);
  return mounts.split('\n').some((line) => line.split(' ')[4] === resolved);
}

/**
 * Mounts overlayfs with the image layers as lower dirs. `layerDirs` is bottom first; overlay wants the
 * top-most lower dir first.
 *
 * The options are written as short as they can be: from the container's folder (`upperdir=upper`)
 * when that is shortest, from the layers' common parent when a long lowerdir list is, or absolute. The
 * kernel keeps them as given and formats every overlay's options, escaped character by character, each
 * time any process reads the mount table — and runc reads it several times per container, so on a node
 * of a hundred pods long options were a tenth of the runtime's CPU. A long list must also fit the
 * mount options' page.
 */
export async function mountRootfs(sys: Sys, dirs: RootfsDirs, layerDirs: string[]): Promise<void> {
  if (await hasOwnFilesystem(dirs.merged)) return;
  // Overlay needs at least one lower dir: an image without layers gets an empty one.
  if (layerDirs.length === 0) await mkdirp(dirs.empty, 0o755);
  const { cwd, options } = overlayOptions(dirs, layerDirs);
  await runOk(sys, 'mount', ['-t', 'overlay', 'overlay', '-o', options, dirs.merged], { cwd });
}

/** The shortest overlay options for these dirs, and the folder they are relative to (none: absolute). */
export function overlayOptions(dirs: RootfsDirs, layerDirs: string[]): { cwd?: string; options: string } {
  const lowers = layerDirs.length ? [...layerDirs].reverse() : [dirs.empty];
  const write = (from: string | undefined) => {
    const rel = (p: string) => {
      if (from === undefined) return p;
      const r = path.relative(from, p);
      return r.length < p.length ? r : p;
    };
    return `lowerdir=${lowers.map(rel).join(':')},upperdir=${rel(dirs.upper)},workdir=${rel(dirs.work)}`;
  };
  const forms = [undefined, path.dirname(dirs.upper), commonParent(lowers)]
    .filter((from, i) => i === 0 || from !== undefined)
    .map((cwd) => ({ cwd, options: write(cwd) }));
  return forms.reduce((a, b) => (b.options.length < a.options.length ? b : a));
}

export async function unmountRootfs(sys: Sys, dirs: RootfsDirs): Promise<void> {
  for (let i = 0; i < 10 && (await hasOwnFilesystem(dirs.merged)); i++) {
    const r = await sys.run('umount', [dirs.merged]);
    if (r.code !== 0) {
      if (i >= 5) await sys.run('umount', ['-l', dirs.merged]);
      await new Promise((res) => setTimeout(res, 50 * (i + 1)));
    }
  }
}

function commonParent(dirs: string[]): string | undefined {
  if (dirs.length === 0) return undefined;
  let prefix = path.dirname(dirs[0]);
  while (!dirs.every((d) => d.startsWith(prefix + path.sep))) {
    const up = path.dirname(prefix);
    if (up === prefix) return undefined;
    prefix = up;
  }
  return prefix;
}
