// A container's files as `docker cp` sees them: its root filesystem with its volumes, binds and /etc
// network files in place, paths resolved as if the container's root were `/`.
//
// Every path is walked one name at a time from open folders: each step opens `/proc/self/fd/N/<name>`
// without following a symlink there, and a symlink met on the way is read and resolved by this code
// against the container's root (absolute targets restart from it, `..` never climbs above it). The
// kernel is never handed a path with a symlink or `..` in it, so a running container that swaps a
// folder for a link to `/` or `/etc` while a copy is under way cannot lead a read or a write out of
// its own files. A mount's source is a host path the engine chose, opened as is.
import { constants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** A mount of the container that cp sees through: a volume, a bind, or one of the /etc files. */
export interface FsMount {
  /** Clean absolute path in the container. */
  destination: string;
  /** Host path of the folder or file mounted there. */
  source: string;
}

/** An open folder of the view and its resolved path in the container. */
export interface Dir {
  fh: FileHandle;
  path: string;
}

/** A resolved place: the name `name` in the open folder `dir`, or `dir` itself when `name` is ''. */
export interface Place {
  dir: Dir;
  name: string;
  /** The resolved path in the container. */
  path: string;
  /** The mount whose destination is this very path. */
  mount?: FsMount;
}

/** An error of a path in the container, with the code and the container path, as fs errors have. */
export function pathErrno(code: string, p: string): NodeJS.ErrnoException {
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    ELOOP: 'too many levels of symbolic links',
  };
  return Object.assign(new Error(`${text[code] ?? code}: ${p}`), { code, path: p });
}

export const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException)?.code;

const at = (d: Dir, name?: string) =>
  name ? `/proc/self/fd/${d.fh.fd}/${name}` : `/proc/self/fd/${d.fh.fd}`;

const dirFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export class ContainerFs {
  private readonly mounts: Map<string, FsMount>;

  private constructor(
    readonly root: Dir,
    mounts: FsMount[],
  ) {
    this.mounts = new Map(mounts.map((m) => [path.posix.normalize(m.destination), m]));
  }

  /** Opens the view of `rootfs` (a host folder) with `mounts` over it; close it after. */
  static async open(rootfs: string, mounts: FsMount[] = []): Promise<ContainerFs> {
    const fh = await fs.open(rootfs, constants.O_RDONLY | constants.O_DIRECTORY);
    return new ContainerFs({ fh, path: '/' }, mounts);
  }

  async close(): Promise<void> {
    await this.root.fh.close();
  }

  mountAt(p: string): FsMount | undefined {
    return this.mounts.get(p);
  }

  /** Mount destinations, shallowest first. */
  mountPoints(): FsMount[] {
    return [...this.mounts.values()].sort((a, b) => depth(a.destination) - depth(b.destination));
  }

  /**
   * Resolves `p` (`..` and symlinks inside the container; the last element followed only with
   * `followLast`). The last element need not exist; a missing folder before it is an ENOENT, or is
   * made (0755, root) with `makeParents`. The caller releases the place.
   */
  async locate(p: string, followLast: boolean, makeParents = false): Promise<Place> {
    const parts = p.split('/').filter((x) => x && x !== '.');
    const stack: Dir[] = [this.root];
    let hops = 0;
    const leave = async (keep?: Dir) => {
      for (const d of stack) if (d !== this.root && d !== keep) await d.fh.close();
    };
    try {
      while (parts.length) {
        const part = parts.shift()!;
        const cur = stack[stack.length - 1];
        if (part === '..') {
          if (stack.length > 1) await stack.pop()!.fh.close();
          continue;
        }
        const full = path.posix.join(cur.path, part);
        const last = parts.length === 0;
        const mount = this.mounts.get(full);
        if (mount) {
          const st = await fs.stat(mount.source);
          if (last && (!followLast || !st.isDirectory())) {
            await leave(cur);
            return { dir: cur, name: part, path: full, mount };
          }
          if (!st.isDirectory()) throw pathErrno('ENOTDIR', full);
          stack.push({
            fh: await fs.open(mount.source, constants.O_RDONLY | constants.O_DIRECTORY),
            path: full,
          });
          continue;
        }
        const st = await fs.lstat(at(cur, part)).catch((err) => {
          if (errCode(err) === 'ENOENT') return undefined;
          throw err;
        });
        if (!st) {
          if (last) {
            await leave(cur);
            return { dir: cur, name: part, path: full };
          }
          if (!makeParents) throw pathErrno('ENOENT', full);
          await fs.mkdir(at(cur, part), { mode: 0o755 }).catch((err) => {
            if (errCode(err) !== 'EEXIST') throw err;
          });
          await fs.lchown(at(cur, part), 0, 0).catch(() => undefined);
          parts.unshift(part);
          continue;
        }
        if (st.isSymbolicLink() && (!last || followLast)) {
          if (++hops > 255) throw pathErrno('ELOOP', p);
          const target = await fs.readlink(at(cur, part));
          if (target.startsWith('/')) while (stack.length > 1) await stack.pop()!.fh.close();
          parts.unshift(...target.split('/').filter((x) => x && x !== '.'));
          continue;
        }
        if (last) {
          await leave(cur);
          return { dir: cur, name: part, path: full };
        }
        if (!st.isDirectory()) throw pathErrno('ENOTDIR', full);
        const fh = await fs.open(at(cur, part), dirFlags).catch((err) => {
          // Swapped for a symlink since the lstat: resolve the name again.
          if (errCode(err) === 'ELOOP') return undefined;
          throw err;
        });
        if (fh) stack.push({ fh, path: full });
        else parts.unshift(part);
      }
      const top = stack[stack.length - 1];
      await leave(top);
      return { dir: top, name: '', path: top.path };
    } catch (err) {
      await leave();
      throw err;
    }
  }

  /** Lets go of the folder a place holds (never the root). */
  async release(p: Place): Promise<void> {
    if (p.dir !== this.root) await p.dir.fh.close();
  }

  /** The kernel path of a place's last name, for calls that do not follow it (lstat, lchown …). */
  hostPath(p: Place): string {
    return p.name ? at(p.dir, p.name) : at(p.dir);
  }

  /** What is at a place (a mount shows its source); undefined when nothing is. */
  async lstat(p: Place): Promise<Stats | undefined> {
    const st = p.mount ? fs.stat(p.mount.source) : p.name ? fs.lstat(at(p.dir, p.name)) : fs.stat(at(p.dir));
    return st.catch((err) => {
      if (errCode(err) === 'ENOENT') return undefined;
      throw err;
    });
  }

  /** Opens a place that is a folder. */
  async openDir(p: Place): Promise<Dir> {
    if (p.mount)
      return { fh: await fs.open(p.mount.source, constants.O_RDONLY | constants.O_DIRECTORY), path: p.path };
    return {
      fh: await fs.open(this.hostPath(p), p.name ? dirFlags : constants.O_RDONLY | constants.O_DIRECTORY),
      path: p.path,
    };
  }

  /** Opens a place that is a file, for reading. */
  async openFile(p: Place): Promise<FileHandle> {
    if (p.mount) return fs.open(p.mount.source, constants.O_RDONLY);
    return fs.open(this.hostPath(p), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  }

  /** The place of `name` in the open folder `d`. */
  child(d: Dir, name: string): Place {
    const full = path.posix.join(d.path, name);
    return { dir: d, name, path: full, mount: this.mounts.get(full) };
  }

  /** The names in an open folder. */
  async names(d: Dir): Promise<string[]> {
    return fs.readdir(at(d));
  }

  /** Removes what is at a place, folders with everything in them, never following a symlink. */
  async removeAll(p: Place): Promise<void> {
    const st = await this.lstat(p);
    if (!st) return;
    if (st.isDirectory() && !p.mount) {
      const d = await this.openDir(p);
      try {
        for (const name of await this.names(d)) await this.removeAll(this.child(d, name));
      } finally {
        await d.fh.close();
      }
      await fs.rmdir(this.hostPath(p));
      return;
    }
    await fs.unlink(this.hostPath(p));
  }
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** Go's filepath.Base, which `docker cp` names a copied resource by ("/" for the root). */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * The path as dockerd takes it: made absolute and clean, keeping a trailing `/` or `/.`
 * (archive.PreserveTrailingDotOrSeparator), which asks for a folder.
 */
export function preservedPath(p: string): string {
  let clean = path.posix.normalize(`/${p}`);
  if (clean.length > 1) clean = clean.replace(/\/+$/, '');
  if ((p.endsWith('/.') || p === '.') && !clean.endsWith('/.')) return clean === '/' ? '/.' : `${clean}/.`;
  if (p.endsWith('/') && !clean.endsWith('/')) return `${clean}/`;
  return clean;
}
