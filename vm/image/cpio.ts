// The initramfs archive: cpio "newc" as the kernel unpacks it, written here so that the same entries
// always give the same bytes (root owner, one fixed mtime, inode numbers by position, entries sorted
// with each directory before what it holds) on any host, without a cpio binary.
import { gzipSync } from 'node:zlib';

export type CpioEntry =
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'file'; data: Buffer; mode?: number }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'chardev'; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Paths compare by component, so that `a/b` follows `a` and precedes `a-b`. */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Adds the parent directories an entry list does not name (mode 0755). */
export function withParents(entries: CpioEntry[]): CpioEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const out = [...entries];
  for (const e of entries) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!have.has(dir)) {
        have.add(dir);
        out.push({ path: dir, type: 'dir' });
      }
    }
  }
  return out;
}

/** The archive of these entries (paths relative, no leading slash), every one owned by root. */
export function writeCpio(entries: CpioEntry[], mtime: number): Buffer {
  const chunks: Buffer[] = [];
  const seen = new Set<string>();
  const sorted = withParents(entries).sort((a, b) => comparePaths(a.path, b.path));
  const put = (name: string, mode: number, data: Buffer, ino: number, rdev: [number, number] = [0, 0]) => {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const header =
      '070701' +
      [
        ino,
        mode,
        0, // uid
        0, // gid
        mode & S_IFDIR ? 2 : 1,
        mtime,
        data.length,
        0,
        0,
        rdev[0],
        rdev[1],
        nameBytes.length,
        0,
      ]
        .map(hex8)
        .join('');
    chunks.push(Buffer.from(header, 'latin1'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)));
    chunks.push(data, Buffer.alloc(pad4(data.length)));
  };
  let ino = 1;
  for (const e of sorted) {
    if (!e.path || e.path.startsWith('/') || e.path.split('/').includes('..')) {
      throw new Error(`cpio: bad path "${e.path}"`);
    }
    if (seen.has(e.path)) throw new Error(`cpio: ${e.path} twice`);
    seen.add(e.path);
    switch (e.type) {
      case 'dir':
        put(e.path, S_IFDIR | (e.mode ?? 0o755), Buffer.alloc(0), ino++);
        break;
      case 'file':
        put(e.path, S_IFREG | (e.mode ?? 0o644), e.data, ino++);
        break;
      case 'symlink':
        put(e.path, S_IFLNK | 0o777, Buffer.from(e.target, 'utf8'), ino++);
        break;
      case 'chardev':
        put(e.path, S_IFCHR | (e.mode ?? 0o600), Buffer.alloc(0), ino++, [e.major, e.minor]);
        break;
    }
  }
  put('TRAILER!!!', 0, Buffer.alloc(0), 0);
  return Buffer.concat(chunks);
}

/**
 * gzip with the header's time zero and its OS byte fixed (zlib writes the build host's), so the
 * compressed initramfs is the same wherever it is made with the same Node.
 */
export function gzipReproducible(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3; // Unix
  return gz;
}
