// `docker cp` into a container: a tar extracted into a folder of the container as dockerd's
// archive.Unpack does it inside the container's root (chrootarchive), with its rules and its words:
// names cleaned and kept under the folder, parents made as needed, what is there replaced (a folder
// only merged with a folder, and never replaced by a non-folder or the other way round when the
// client asks so, as the CLI always does), links checked not to point out of the folder, owners from
// the tar (or one owner for everything with -a), modes, then times, folders' last.
import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { EngineError } from '../../core/errors.ts';
import { type ContainerFs, type Dir, errCode, type Place } from './container-fs.ts';

export interface ExtractOptions {
  /** Refuse to replace a folder with a non-folder or the other way round. */
  noOverwriteDirNonDir: boolean;
  /** Owner of everything extracted (`docker cp -a` with a container user); else the tar's. */
  chown?: { uid: number; gid: number };
  /** Makes a fifo or a device node at a kernel path (Node has no mknod). */
  mknod(hostPath: string, type: 'p' | 'c' | 'b', major: number, minor: number, mode: number): Promise<void>;
}

/** Go's errno texts, which dockerd's messages carry. */
const errnoText: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EBUSY: 'device or resource busy',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'invalid cross-device link',
  EMLINK: 'too many links',
  EINVAL: 'invalid argument',
};

/** The failure of an extraction, worded as dockerd's docker-untar child reports it. */
function untarError(message: string): EngineError {
  return new EngineError('internal', `Error processing tar file(exit status 1): ${message}`);
}

/** A syscall failure as Go's PathError prints it: `op path: reason`. */
function pathError(op: string, p: string, err: unknown): EngineError {
  const code = errCode(err);
  if (err instanceof EngineError) return err;
  return untarError(`${op} ${p}: ${(code && errnoText[code]) ?? (err as Error).message}`);
}

/** Go's filepath.Clean. */
function goClean(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = out.join('/');
  return abs ? `/${s}` : s || '.';
}

const join = (...parts: string[]) => goClean(parts.join('/'));

async function drain(data: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of data) {
    // skipped
  }
}

/**
 * Extracts `tar` into the folder `dest` (resolved, its path in the container as `dest.path`).
 * Returns when the whole tar has been read and applied.
 */
export async function extractTar(
  view: ContainerFs,
  dest: Dir,
  tar: Readable,
  opts: ExtractOptions,
): Promise<void> {
  const destPath = dest.path;
  const extract = tarStream.extract();
  tar.on('error', (err) => extract.destroy(err));
  tar.pipe(extract);
  const dirTimes: [string, Date][] = [];
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if ((h.type as string) === 'pax-global-header') {
        await drain(entry);
        continue;
      }
      const name = goClean(h.name);
      if (name !== '/') {
        const parent = join(destPath, path.posix.dirname(name));
        const place = await view.locate(parent, true, true).catch((err) => {
          throw pathError('mkdir', parent, err);
        });
        await view.release(place);
      }
      const target = join(destPath, name);
      const rel = path.posix.relative(destPath, target);
      if (rel.startsWith('../'))
        throw untarError(`${JSON.stringify(name)} is outside of ${JSON.stringify(destPath)}`);
      const place = await view.locate(target, false, true).catch((err) => {
        throw pathError('lstat', target, err);
      });
      try {
        const consumed = await applyEntry(view, place, { target, destPath, name }, h, entry, opts);
        if (!consumed) await drain(entry);
      } finally {
        await view.release(place);
      }
      if (h.type === 'directory') dirTimes.push([target, h.mtime ?? new Date(0)]);
    }
    // A folder's time changes as things land in it: set the tar's times once everything is there.
    for (const [dir, mtime] of dirTimes) {
      const place = await view.locate(dir, false);
      try {
        await fs.lutimes(view.hostPath(place), mtime, mtime).catch((err) => {
          throw pathError('chtimes', dir, err);
        });
      } finally {
        await view.release(place);
      }
    }
  } catch (err) {
    tar.unpipe(extract);
    tar.resume();
    extract.destroy();
    throw err;
  }
}

/** Makes one entry at `place`; true when it read the entry's data. */
async function applyEntry(
  view: ContainerFs,
  place: Place,
  where: { target: string; destPath: string; name: string },
  h: tarStream.Header,
  data: AsyncIterable<unknown>,
  opts: ExtractOptions,
): Promise<boolean> {
  const { target, destPath, name } = where;
  const host = view.hostPath(place);
  const existing = await view.lstat(place);
  const isDir = h.type === 'directory';
  if (existing) {
    if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir)
      throw untarError(
        `cannot overwrite directory ${JSON.stringify(target)} with non-directory ${JSON.stringify(destPath)}`,
      );
    if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir)
      throw untarError(
        `cannot overwrite non-directory ${JSON.stringify(target)} with directory ${JSON.stringify(destPath)}`,
      );
    if (existing.isDirectory() && name === '.') return false;
    if (!(existing.isDirectory() && isDir)) {
      if (place.mount) throw pathError('unlinkat', target, Object.assign(new Error(), { code: 'EBUSY' }));
      await view.removeAll(place).catch((err) => {
        throw pathError('unlinkat', target, err);
      });
    }
  }
  const mode = (h.mode ?? 0o644) & 0o7777;
  const owner = opts.chown ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 };
  const mtime = h.mtime ?? new Date(0);
  // Owner, mode and time go through a descriptor opened without following a symlink, or through the
  // l-calls: a name swapped for a link meanwhile is never followed out of the container.
  const settle = async (fh: FileHandle, times: boolean) => {
    await fh.chown(owner.uid, owner.gid).catch((err) => {
      throw pathError('lchown', target, err);
    });
    await fh.chmod(mode).catch((err) => {
      throw pathError('chmod', target, err);
    });
    if (times)
      await fh.utimes(mtime, mtime).catch((err) => {
        throw pathError('chtimes', target, err);
      });
  };
  const lsettle = async (times: boolean) => {
    await fs.lchown(host, owner.uid, owner.gid).catch((err) => {
      throw pathError('lchown', target, err);
    });
    if (times) await fs.lutimes(host, mtime, mtime).catch(() => undefined);
  };
  switch (h.type) {
    case 'directory': {
      if (!existing?.isDirectory())
        await fs.mkdir(host, { mode }).catch((err) => {
          throw pathError('mkdir', target, err);
        });
      const fh = await fs
        .open(host, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
        .catch((err) => {
          throw pathError('open', target, err);
        });
      try {
        await settle(fh, false);
      } finally {
        await fh.close();
      }
      return false;
    }
    case 'file':
    case 'contiguous-file': {
      const fh = await fs
        .open(host, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode)
        .catch((err) => {
          throw pathError('open', target, err);
        });
      try {
        for await (const chunk of data) await fh.write(chunk as Buffer);
        await settle(fh, true);
      } finally {
        await fh.close();
      }
      return true;
    }
    case 'fifo':
    case 'character-device':
    case 'block-device': {
      const kind = h.type === 'fifo' ? 'p' : h.type === 'character-device' ? 'c' : 'b';
      // A child process cannot use this process's /proc/self: it gets the same folder by pid.
      const forChild = `/proc/${process.pid}${host.slice('/proc/self'.length)}`;
      await opts.mknod(forChild, kind, h.devmajor ?? 0, h.devminor ?? 0, mode).catch((err) => {
        throw untarError(errnoText[errCode(err) ?? ''] ?? 'operation not permitted');
      });
      await lsettle(true);
      return false;
    }
    case 'link': {
      const linkTarget = join(destPath, h.linkname ?? '');
      if (!linkTarget.startsWith(destPath))
        throw untarError(
          `invalid hardlink ${JSON.stringify(linkTarget)} -> ${JSON.stringify(h.linkname ?? '')}`,
        );
      const source = await view.locate(linkTarget, false).catch((err) => {
        throw pathError('link', linkTarget, err);
      });
      try {
        await fs.link(view.hostPath(source), host).catch((err) => {
          throw pathError('link', `${linkTarget} ${target}`, err);
        });
      } finally {
        await view.release(source);
      }
      await lsettle(false);
      return false;
    }
    case 'symlink': {
      const linkTarget = join(path.posix.dirname(target), h.linkname ?? '');
      if (!linkTarget.startsWith(destPath))
        throw untarError(`invalid symlink ${JSON.stringify(target)} -> ${JSON.stringify(h.linkname ?? '')}`);
      await fs.symlink(h.linkname ?? '', host).catch((err) => {
        throw pathError('symlink', `${h.linkname} ${target}`, err);
      });
      await lsettle(true);
      return false;
    }
    default:
      throw untarError(`unhandled tar header type ${typeFlags[h.type ?? ''] ?? 0}`);
  }
}

/** tar-stream's names of the type flags it does not make, back to the flag Go prints. */
const typeFlags: Record<string, number> = {
  'gnu-long-path': 76,
  'gnu-long-link-path': 75,
  'pax-header': 120,
  unknown: 0,
};
