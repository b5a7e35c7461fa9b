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
 * top-most lower dir first. Long lowerdir lists exceed the mount option page, so the mount runs with
 * the layer store as cwd and relative paths when that is shorter.
 */
export async function mountRootfs(sys: Sys, dirs: RootfsDirs, layerDirs: string[]): Promise<void> {
  if (await hasOwnFilesystem(dirs.merged)) return;
  let lowers = [...layerDirs].reverse();
  if (lowers.length === 0) {
    await mkdirp(dirs.empty, 0o755);
    lowers = [dirs.empty];
  }
  let cwd: string | undefined;
  const common = commonParent(lowers);
  if (common && lowers.join(':').length > 3000) {
    cwd = common;
    lowers = lowers.map((l) => path.relative(common, l));
  }
  const opts = `lowerdir=${lowers.join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`;
  await runOk(sys, 'mount', ['-t', 'overlay', 'overlay', '-o', opts, dirs.merged], { cwd });
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
