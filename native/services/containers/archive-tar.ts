// The tar of a place in a container, as dockerd's archive.TarWithOptions writes it: a folder before
// its contents, names in byte order (filepath.Walk), hard links as links to the first name, sockets
// left out, owners named from the container's own /etc/passwd and /etc/group.
import { promises as fs, type Stats } from 'node:fs';
import { padding, type TarEntry, type TarType, tarHeader, tarTrailer } from '../../core/go-tar.ts';
import { type ContainerFs, errCode, type Place } from './container-fs.ts';

/** uid → user name and gid → group name, read from the container's files. */
export interface IdNames {
  users: Map<number, string>;
  groups: Map<number, string>;
}

function parseIds(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    const n = Number(id);
    if (name && id !== undefined && id !== '' && Number.isInteger(n) && !out.has(n)) out.set(n, name);
  }
  return out;
}

/** Reads a small text file of the container (following links inside it); '' when there is none. */
export async function readContainerFile(view: ContainerFs, p: string, limit = 4 << 20): Promise<string> {
  let place: Place | undefined;
  try {
    place = await view.locate(p, true);
    const st = await view.lstat(place);
    if (!st?.isFile() || st.size > limit) return '';
    const fh = await view.openFile(place);
    try {
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  } finally {
    if (place) await view.release(place);
  }
}

/**
 * dockerd looks names up with the C library inside the container's root, where what the files do not
 * name falls to nss-systemd, which makes up root (0) and nobody/nogroup (65534) on Debian's dockerd.
 */
export async function idNames(view: ContainerFs): Promise<IdNames> {
  const users = parseIds(await readContainerFile(view, '/etc/passwd'));
  const groups = parseIds(await readContainerFile(view, '/etc/group'));
  for (const [map, id, name] of [
    [users, 0, 'root'],
    [users, 65534, 'nobody'],
    [groups, 0, 'root'],
    [groups, 65534, 'nogroup'],
  ] as const)
    if (!map.has(id)) map.set(id, name);
  return { users, groups };
}

function tarType(st: Stats): TarType | undefined {
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets
}

/** Linux's major/minor of a device number. */
const major = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

/** Batches small pieces into writes of about 64 KiB. */
class Chunker {
  private parts: Buffer[] = [];
  private size = 0;

  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  /** What is batched, once there is enough of it to write. */
  ready(): Buffer | undefined {
    return this.size >= 65536 ? this.flush() : undefined;
  }

  flush(): Buffer | undefined {
    if (!this.size) return undefined;
    const out = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    return out;
  }
}

export interface TarOptions {
  /** The entry name of the place itself and the prefix of everything in it; '' leaves the place out. */
  name: string;
  ids: IdNames;
}

/** The name of the entry `rel` below the top, Go-rebased as dockerd does (`/` and `.` stay as they are). */
function entryName(top: string, rel: string, dir: boolean): string {
  let n = rel === '' ? top : top === '' ? rel : top === '/' ? `/${rel}` : `${top}/${rel}`;
  if (dir && !n.endsWith('/')) n += '/';
  return n;
}

/** The tar of `place` (a folder with everything in it, or one entry), as chunks. */
export async function* tarOf(view: ContainerFs, place: Place, opts: TarOptions): AsyncGenerator<Buffer> {
  const chunks = new Chunker();
  const links = new Map<string, string>();
  async function* entry(p: Place, rel: string): AsyncGenerator<Buffer> {
    const st = await view.lstat(p);
    if (!st) return; // gone since its folder was read
    const type = tarType(st);
    if (!type) return;
    const name = entryName(opts.name, rel, type === 'directory');
    const e: TarEntry = {
      name,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      uname: opts.ids.users.get(st.uid),
      gname: opts.ids.groups.get(st.gid),
      size: 0,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (type === 'symlink') e.linkname = await fs.readlink(view.hostPath(p));
    if (type === 'char' || type === 'block') {
      e.devmajor = major(st.rdev);
      e.devminor = minor(st.rdev);
    }
    if (type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        e.type = 'link';
        e.linkname = first;
      } else links.set(key, name);
    }
    if (rel !== '' || opts.name !== '') {
      if (e.type === 'file') e.size = st.size;
      chunks.push(tarHeader(e));
      const out = chunks.ready();
      if (out) yield out;
    }
    if (e.type === 'file') {
      yield* fileData(p, st.size);
    } else if (type === 'directory') {
      const d = await view.openDir(p);
      try {
        const names = (await view.names(d)).sort(byteOrder);
        for (const n of names) yield* entry(view.child(d, n), rel === '' ? n : `${rel}/${n}`);
      } finally {
        await d.fh.close();
      }
    }
  }
  async function* fileData(p: Place, size: number): AsyncGenerator<Buffer> {
    const fh = await view.openFile(p).catch((err) => {
      if (errCode(err) === 'ENOENT' || errCode(err) === 'ELOOP') return undefined;
      throw err;
    });
    let left = size;
    try {
      // The header promised `size` bytes: a file that grew is cut there, one that shrank is padded.
      while (fh && left > 0) {
        const buf = Buffer.alloc(Math.min(left, 1 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        left -= bytesRead;
        chunks.push(buf.subarray(0, bytesRead));
        const out = chunks.ready();
        if (out) yield out;
      }
    } finally {
      await fh?.close();
    }
    if (left > 0) chunks.push(Buffer.alloc(left));
    chunks.push(padding(size));
    const out = chunks.ready();
    if (out) yield out;
  }
  yield* entry(place, '');
  chunks.push(tarTrailer);
  const rest = chunks.flush();
  if (rest) yield rest;
}

/** Go's sort.Strings: by bytes, not by locale. */
export function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}
