// A container's init layer, dockerd's `<id>-init`: the files every container has between its image
// and its own changes (/.dockerenv, the mount points of /etc/hosts, /etc/hostname, /etc/resolv.conf and
// /dev/console, /etc/mtab, and /dev/pts, /dev/shm, /proc, /sys when the image lacks them). Being a
// lower layer, they show in `docker export` and `docker cp`, and not in `docker diff`, as in dockerd.
// What it holds depends on the image alone, and a lower layer is never written: dockerd makes one per
// container, berthd one per image, beside the image's top layer (`layers/<chain>/init`, which goes with
// that layer), so a container start makes none of its dozen files and folders (each an inode to
// allocate, the costliest of a start's metadata writes on a journalled disk). An image with no layers,
// and a container made before the layer was shared, have one of their own in the container's folder.
// A dozen small files and folders: synchronous calls (core/fsutil.ts says why).
import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { tryOr } from '../../core/fsutil.ts';
import { KeyedQueue } from '../../core/serial.ts';

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

/** A container's own init layer (see above for which containers have one). */
export function initLayerDir(containerDir: string): string {
  return path.join(containerDir, 'init');
}

/** The init layer that containers of an image share: beside its top layer; none without layers. */
function sharedInitLayerDir(imageLayers: string[]): string | undefined {
  const top = imageLayers.at(-1);
  return top === undefined ? undefined : path.join(path.dirname(top), 'init');
}

const isDir = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;

/** The init layer a container has (its own or its image's), or undefined when none is made yet. */
export function existingInitLayer(containerDir: string, imageLayers: string[]): string | undefined {
  const own = initLayerDir(containerDir);
  if (isDir(own)) return own;
  const shared = sharedInitLayerDir(imageLayers);
  return shared !== undefined && isDir(shared) ? shared : undefined;
}

/** Makings of init layers, one at a time per folder: containers of one image starting together make it once. */
const making = new KeyedQueue();

/** The init layer at `dir`, made (in a temp folder renamed into place) if it is not there. */
function ensureInitLayer(dir: string, imageLayers: string[]): Promise<string> {
  if (isDir(dir)) return Promise.resolve(dir);
  return making.run(dir, async () => makeInitLayer(dir, imageLayers));
}

function makeInitLayer(dir: string, imageLayers: string[]): string {
  if (isDir(dir)) return dir;
  // Only this process makes init layers, one at a time per folder: a temp one left is a crash's.
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
    throw new Error(`cannot make the init layer ${dir}: ${errorMessage(err)}`);
  }
  return dir;
}

/**
 * The lower dirs of a container, bottom first: its image's layers, then its init layer (its own if it
 * has one, else its image's, made now if it is not there yet).
 */
export async function containerLayers(containerDir: string, imageLayers: string[]): Promise<string[]> {
  const own = initLayerDir(containerDir);
  const shared = sharedInitLayerDir(imageLayers);
  const dir = shared === undefined || isDir(own) ? own : shared;
  return [...imageLayers, await ensureInitLayer(dir, imageLayers)];
}
