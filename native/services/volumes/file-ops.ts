// The desktop app's changes to a volume's files: a new folder, a deletion, a tar of a path. Each one is
// anchored to a folder descriptor checked to be inside the volume (see inside.ts), and deletion and
// the tar walk every folder below it through descriptors opened without following links, so they too
// stay inside. No child process: the tar is written with tar-stream, as everywhere in the engine.
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { conflict, internal, invalid } from '../../core/errors.ts';
import { fdPath, openChildDir, openDirInside, pathError, splitVolumePath } from './inside.ts';

/** Makes one folder (its parent must exist); a name already taken is a conflict. */
export async function makeFolder(root: string, p: string, mode = 0o755): Promise<void> {
  const { parent, name, path } = splitVolumePath(p);
  if (!name) throw conflict('the root folder of the volume already exists');
  const dir = await openDirInside(root, parent);
  try {
    await fs.mkdir(fdPath(dir, name), { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`${path} already exists`);
    throw pathError(err, path);
  } finally {
    await dir.close();
  }
}

/** Deletes a file or a folder with everything in it. The volume's root itself is refused. */
export async function removePath(root: string, p: string): Promise<void> {
  const { parent, name, path } = splitVolumePath(p);
  if (!name) throw invalid('the root folder of a volume cannot be deleted: remove the volume instead');
  const dir = await openDirInside(root, parent);
  try {
    await fs.lstat(fdPath(dir, name)).catch((err) => {
      throw pathError(err, path);
    });
    await removeEntry(dir, name).catch((err: NodeJS.ErrnoException) => {
      throw internal(`cannot delete ${path}: ${err.message}`);
    });
  } finally {
    await dir.close();
  }
}

/**
 * Removes `name` in the folder held by `dir`, depth first, never following a symlink: each folder is
 * opened with O_NOFOLLOW and its entries named under that descriptor, so a folder swapped for a link
 * while the walk runs fails (ELOOP, ENOTDIR) instead of leading out of the volume, and a link is
 * unlinked itself. Something already gone is not an error.
 */
async function removeEntry(dir: FileHandle, name: string): Promise<void> {
  const at = fdPath(dir, name);
  const st = await fs.lstat(at).catch(ignoreGone);
  if (!st) return;
  if (!st.isDirectory()) {
    await fs.unlink(at).catch(ignoreGone);
    return;
  }
  const sub = await openChildDir(dir, name).catch(ignoreGone);
  if (!sub) return;
  try {
    for (const child of await fs.readdir(fdPath(sub))) await removeEntry(sub, child);
  } finally {
    await sub.close();
  }
  await fs.rmdir(at).catch(ignoreGone);
}

function ignoreGone(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT') return undefined;
  throw err;
}

export interface PathArchive {
  /** The tar (ustar, numeric owners, as GNU tar --numeric-owner writes it). */
  stream: Readable;
  /** Settles when the whole tree has been written; rejects when it could not be read. */
  done: Promise<void>;
}

/**
 * A tar of a path: a folder's contents (entries `./…`, so that the tar of a volume's root extracts into
 * another volume as is), or a single file or link under its own name.
 */
export async function archivePath(root: string, p: string): Promise<PathArchive> {
  const { parent, name, path } = splitVolumePath(p);
  let dir: FileHandle;
  let what = '.';
  if (!name) dir = await openDirInside(root, '/');
  else {
    const up = await openDirInside(root, parent);
    try {
      const st = await fs.lstat(fdPath(up, name)).catch((err) => {
        throw pathError(err, path);
      });
      if (st.isDirectory()) dir = await openChildDir(up, name);
      else {
        dir = up;
        what = name;
      }
    } finally {
      if (what === '.') await up.close();
    }
  }
  const pack = tarStream.pack();
  const done = writeTree(pack, dir, what)
    .then(() => void pack.finalize())
    .catch((err: unknown) => {
      pack.destroy(err as Error);
      throw internal(`cannot archive ${path}: ${(err as Error).message}`);
    })
    .finally(() => dir.close());
  done.catch(() => undefined);
  return { stream: pack as unknown as Readable, done };
}

/**
 * Writes `what` (`.` for the folder itself) of the folder held by `dir` and everything below it, in
 * byte order of names, never following a symlink: every path is taken under the descriptor's
 * /proc/self/fd link, so the walk stays inside the folder that was checked.
 */
async function writeTree(pack: tarStream.Pack, dir: FileHandle, what: string): Promise<void> {
  const links = new Map<string, string>();
  /** `rel`: the entry's name; `sub`: its path under the folder ('' for the folder itself). */
  const walk = async (rel: string, sub: string): Promise<void> => {
    // The descriptor's own link is a symlink to lstat: its `.` is the folder.
    const abs = fdPath(dir, sub === '' ? '.' : sub);
    const st = await fs.lstat(abs).catch((err: NodeJS.ErrnoException) => {
      // Gone since its folder was read: GNU tar warns and goes on.
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st) return;
    const header: Header = {
      name: st.isDirectory() ? `${rel}/` : rel,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000),
      size: 0,
    };
    if (st.isDirectory()) {
      await entry(pack, { ...header, type: 'directory' });
      const names = (await fs.readdir(abs)).sort(byteOrder);
      for (const n of names) await walk(`${rel}/${n}`, sub === '' ? n : `${sub}/${n}`);
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...header, type: 'symlink', linkname: await fs.readlink(abs) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first !== undefined) return entry(pack, { ...header, type: 'link', linkname: first });
      if (st.nlink > 1) links.set(key, rel);
      await fileEntry(pack, { ...header, type: 'file', size: st.size }, abs);
    } else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
      const type = st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'character-device' : 'block-device';
      await entry(pack, { ...header, type, devmajor: major(st.rdev), devminor: minor(st.rdev) });
    }
    // Sockets are left out, as GNU tar leaves them ("socket ignored").
  };
  await walk(what, what === '.' ? '' : what);
}

type Header = Partial<tarStream.Header> & { name: string };

function entry(pack: tarStream.Pack, header: Header): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry(header as tarStream.Header, (err) => (err ? reject(err) : resolve())),
  );
}

/** A file's content, cut or padded to the size its header gave (a file that changes while read). */
async function fileEntry(pack: tarStream.Pack, header: Header, abs: string): Promise<void> {
  const fh = await fs.open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(header as tarStream.Header, (err) => (err ? reject(err) : resolve()));
      const source = Readable.from(
        (async function* () {
          let left = header.size ?? 0;
          while (left > 0) {
            const buf = Buffer.alloc(Math.min(left, 1 << 20));
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) break;
            left -= bytesRead;
            yield buf.subarray(0, bytesRead);
          }
          if (left > 0) yield Buffer.alloc(left);
        })(),
      );
      pipeline(source, sink).catch(reject);
    });
  } finally {
    await fh.close();
  }
}

/** Linux's major/minor of a device number. */
const major = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

/** Names in byte order, as GNU tar --sort=name orders them (not by locale). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
