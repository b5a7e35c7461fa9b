// Extraction of a tar into a folder of a volume (uploads and imports of the desktop app). Entries are
// placed under the folder, never outside it (`..` that climbs above it is refused); each one is made in
// its parent folder through a descriptor checked to be inside the volume (see inside.ts). Owners,
// modes and times are kept; devices and fifos are skipped, as `docker cp` does.
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { conflict, invalid, isEngineError } from '../../core/errors.ts';
import {
  cleanVolumePath,
  fdPath,
  openChildDir,
  openDirInside,
  pathError,
  splitVolumePath,
} from './inside.ts';

export interface ExtractOptions {
  /** Refuse unless the folder is empty (an import fills a new or an empty volume). */
  requireEmpty?: boolean;
}

/** Folder descriptors reused across entries: tars list a folder's files together. */
class DirCache {
  private readonly open = new Map<string, FileHandle>();

  constructor(private readonly root: string) {}

  async get(dir: string): Promise<FileHandle> {
    const hit = this.open.get(dir);
    if (hit) return hit;
    let fh: FileHandle;
    try {
      fh = await openDirInside(this.root, dir);
    } catch (err) {
      if (!isEngineError(err, 'not-found') || dir === '/') throw err;
      // Tars need not list a folder before its files.
      const { parent, name } = splitVolumePath(dir);
      const up = await this.get(parent);
      await fs.mkdir(fdPath(up, name), { mode: 0o755 }).catch((e) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw pathError(e, dir);
      });
      fh = await openDirInside(this.root, dir);
    }
    if (this.open.size >= 64) await this.drop(this.open.keys().next().value as string);
    this.open.set(dir, fh);
    return fh;
  }

  /** A folder replaced or removed: forget its descriptor and those below it. */
  async drop(dir: string): Promise<void> {
    for (const [key, fh] of this.open) {
      if (key === dir || key.startsWith(`${dir}/`)) {
        this.open.delete(key);
        await fh.close();
      }
    }
  }

  async close(): Promise<void> {
    for (const fh of this.open.values()) await fh.close();
    this.open.clear();
  }
}

/** The entry's place in the volume, which must be the folder `dest` or below it. */
function placeOf(dest: string, entry: string): string {
  const p = cleanVolumePath(path.posix.join(dest, entry));
  if (p !== dest && !p.startsWith(dest === '/' ? '/' : `${dest}/`)) {
    throw invalid(`the tar entry ${entry} points outside ${dest}`);
  }
  return p;
}

/** An entry's bytes, as tar-stream gives them. */
type EntryData = AsyncIterable<unknown>;

async function drain(data: EntryData): Promise<void> {
  for await (const _ of data) {
    // skipped
  }
}

export async function extractInto(
  root: string,
  dest: string,
  tar: Readable,
  opts: ExtractOptions = {},
): Promise<void> {
  const base = cleanVolumePath(dest);
  const top = await openDirInside(root, base);
  try {
    if (opts.requireEmpty && (await fs.readdir(fdPath(top))).length > 0) {
      throw conflict(
        `${base === '/' ? 'the volume' : base} is not empty: import into a new or an empty volume`,
      );
    }
  } finally {
    await top.close();
  }
  const dirs = new DirCache(root);
  const dirTimes: [string, Date][] = [];
  const extract = tarStream.extract();
  tar.on('error', (err) => extract.destroy(err));
  tar.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const place = placeOf(base, h.name);
      const consumed =
        place === base ? await setFolderAttrs(root, base, h) : await writeEntry(base, place, h, entry, dirs);
      if (!consumed) await drain(entry);
      if (h.type === 'directory' && h.mtime && dirTimes.length < 100_000) dirTimes.push([place, h.mtime]);
    }
    // A folder's time changes as files land in it: set the tar's times last, deepest first.
    for (const [dir, mtime] of dirTimes.reverse()) {
      const fh = await openDirInside(root, dir).catch(() => undefined);
      await fh?.utimes(mtime, mtime).catch(() => undefined);
      await fh?.close();
    }
  } catch (err) {
    tar.unpipe(extract);
    tar.resume();
    throw err;
  } finally {
    await dirs.close();
  }
}

/** The tar's `./` entry: the owner and mode of the folder it is extracted into. */
async function setFolderAttrs(root: string, dir: string, h: tarStream.Header): Promise<false> {
  if (h.type !== 'directory') throw invalid(`the tar entry ${h.name} is not a folder`);
  const fh = await openDirInside(root, dir);
  try {
    await fh.chown(h.uid ?? 0, h.gid ?? 0);
    await fh.chmod((h.mode ?? 0o755) & 0o7777);
  } finally {
    await fh.close();
  }
  return false;
}

/** Makes one entry; true when it read the entry's data (a file's bytes). */
async function writeEntry(
  base: string,
  place: string,
  h: tarStream.Header,
  data: EntryData,
  dirs: DirCache,
): Promise<boolean> {
  const { parent, name } = splitVolumePath(place);
  const at = await dirs.get(parent);
  const target = fdPath(at, name);
  const existing = await fs.lstat(target).catch(() => undefined);
  const uid = h.uid ?? 0;
  const gid = h.gid ?? 0;
  const mode = (h.mode ?? 0o644) & 0o7777;
  const replace = async (what: string) => {
    if (!existing) return;
    if (existing.isDirectory()) throw invalid(`cannot overwrite the folder ${place} with ${what}`);
    await fs.unlink(target);
  };
  switch (h.type) {
    case 'directory': {
      if (existing && !existing.isDirectory()) {
        throw invalid(`cannot overwrite ${place} with a folder`);
      }
      if (!existing) await fs.mkdir(target, { mode: 0o700 });
      const fh = await openChildDir(at, name);
      try {
        await fh.chown(uid, gid);
        await fh.chmod(mode);
      } finally {
        await fh.close();
      }
      await dirs.drop(place);
      return false;
    }
    case 'file':
    case 'contiguous-file': {
      await replace('a file');
      const fh = await fs.open(
        target,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await fh.chown(uid, gid);
        await fh.chmod(mode);
        for await (const chunk of data) await fh.write(chunk as Buffer);
        if (h.mtime) await fh.utimes(h.mtime, h.mtime);
      } finally {
        await fh.close();
      }
      return true;
    }
    case 'symlink':
      await replace('a link');
      await fs.symlink(h.linkname ?? '', target);
      await fs.lchown(target, uid, gid).catch(() => undefined);
      if (h.mtime) await fs.lutimes(target, h.mtime, h.mtime).catch(() => undefined);
      return false;
    case 'link': {
      const source = splitVolumePath(placeOf(base, h.linkname ?? ''));
      if (!source.name) throw invalid(`the tar entry ${h.name} links to a folder`);
      const from = await dirs.get(source.parent);
      await replace('a link');
      await fs.link(fdPath(from, source.name), target).catch((err) => {
        throw pathError(err, source.path);
      });
      return false;
    }
    default:
      return false;
  }
}
