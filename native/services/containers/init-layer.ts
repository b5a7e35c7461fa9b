// A container's init layer, dockerd's `<id>-init`: the files every container has between its image
// and its own changes (/.dockerenv, the mount points of /etc/hosts, /etc/hostname, /etc/resolv.conf and
// /dev/console, /etc/mtab, and /dev/pts, /dev/shm, /proc, /sys when the image lacks them). Being a
// lower layer, they show in `docker export` and `docker cp`, and not in `docker diff`, as in dockerd.
// A dozen small files and folders: synchronous calls (core/fsutil.ts says why).
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { tryOr } from '../../core/fsutil.ts';

const initFiles = ['.dockerenv', 'etc/resolv.conf', 'etc/hosts', 'etc/hostname', 'dev/console'];
const initDirs = ['dev/pts', 'dev/shm', 'proc', 'sys'];
const initLinks: [string, string][] = [['etc/mtab', '/proc/mounts']];

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

/** What the image has at `rel` (lowers bottom first), as overlay shows it; undefined when nothing. */
function inImage(layers: string[], rel: string): Stats | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const st = tryOr(() => fs.lstatSync(path.join(layers[i], rel)), undefined);
    if (st) return isWhiteout(st) ? undefined : st;
  }
  return undefined;
}

export function initLayerDir(containerDir: string): string {
  return path.join(containerDir, 'init');
}

/** The init layer of a container, made once (beside its upper dir) from what its image has. */
export async function ensureInitLayer(containerDir: string, imageLayers: string[]): Promise<string> {
  const dir = initLayerDir(containerDir);
  if (fs.statSync(dir, { throwIfNoEntry: false })) return dir;
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { mode: 0o755 });
  const made = new Set<string>();
  // A folder the layer needs for its files: as the image has it (owner, mode, time), or a new one.
  const parent = (rel: string) => {
    if (rel === '.' || made.has(rel)) return;
    parent(path.dirname(rel));
    const st = inImage(imageLayers, rel);
    const at = path.join(tmp, rel);
    fs.mkdirSync(at, { mode: 0o755 });
    if (st?.isDirectory()) {
      fs.chownSync(at, st.uid, st.gid);
      fs.chmodSync(at, st.mode & 0o7777);
      fs.utimesSync(at, st.atime, st.mtime);
    } else fs.chmodSync(at, 0o755);
    made.add(rel);
  };
  try {
    for (const rel of initDirs) {
      if (inImage(imageLayers, rel)?.isDirectory()) continue;
      parent(path.dirname(rel));
      fs.mkdirSync(path.join(tmp, rel), { mode: 0o755 });
      fs.chmodSync(path.join(tmp, rel), 0o755);
      made.add(rel);
    }
    for (const rel of initFiles) {
      parent(path.dirname(rel));
      fs.closeSync(fs.openSync(path.join(tmp, rel), 'wx', 0o755));
      fs.chmodSync(path.join(tmp, rel), 0o755);
    }
    for (const [rel, target] of initLinks) {
      parent(path.dirname(rel));
      fs.symlinkSync(target, path.join(tmp, rel));
    }
    fs.renameSync(tmp, dir);
  } catch (err) {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {}
    throw new Error(`cannot make the init layer of ${path.basename(containerDir)}: ${errorMessage(err)}`);
  }
  return dir;
}

/** The lower dirs of a container, bottom first: its image's layers, then its init layer. */
export async function containerLayers(containerDir: string, imageLayers: string[]): Promise<string[]> {
  return [...imageLayers, await ensureInitLayer(containerDir, imageLayers)];
}
