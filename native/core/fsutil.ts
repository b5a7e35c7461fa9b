// berthd's own small files and their metadata (records, specs, /etc files, FIFOs, mount points) are
// read and written with the synchronous calls. An asynchronous call is a round trip through libuv's
// thread pool: on a virtualised host, waking a pool thread and being woken back costs about 35 µs of
// CPU per call against about 3 µs for the call itself (a stat; 140 against 8 µs for reading a small
// file), and a pod start makes some three hundred such calls. On a local filesystem these calls do
// not wait on anything but the page cache. What can wait stays asynchronous: fsync, large or
// streamed files (layers, logs, archives) and recursive removals.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  promises as fs,
  fsync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that readers see the old content or the new, never a torn one: temp, fsync, rename.
 * `durable: false` skips the fsync: the rename still makes it atomic against a crash of the process
 * (kill -9), only not against power loss; used for state that is rebuilt or re-derived anyway.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Buffer,
  mode = 0o600,
  durable = true,
): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeFileSync(fd, data);
    if (durable)
      await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** What `f` returns, or `fallback` when it throws (a file that is not there, say). */
export function tryOr<T, F>(f: () => T, fallback: F): T | F {
  try {
    return f();
  } catch {
    return fallback;
  }
}

export async function writeJsonAtomic(file: string, value: unknown, durable = true): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 1), 0o600, durable);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if (isNoEnt(err)) return undefined;
    throw err;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function isNoEnt(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export async function rmrf(p: string): Promise<void> {
  await fs.rm(p, { recursive: true, force: true });
}

export async function mkdirp(p: string, mode = 0o700): Promise<void> {
  mkdirSync(p, { recursive: true, mode });
}

/** Total bytes of regular files under a directory (not following symlinks), like `du -sb`. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) total += (await fs.lstat(p)).size;
  }
  return total;
}

/**
 * Whether a filesystem of its own is mounted on `dir` (an overlay, a tmpfs, its nsfs file): its device
 * is not its parent's. Two stats instead of a mount table read; with a cluster's pods the table holds
 * hundreds of overlays, and its reads were 5 % of the machine's CPU in a 100-pod rollout. A bind mount
 * from the same filesystem is not seen (storage/container-rootfs.ts's `isMounted` sees it). A `dir`
 * that cannot be read for another reason than its absence counts as mounted, so that an unmount is
 * tried.
 */
export async function hasOwnFilesystem(dir: string): Promise<boolean> {
  const at = path.resolve(dir);
  try {
    const self = statSync(at);
    const parent = statSync(path.dirname(at));
    return self.dev !== parent.dev || self.ino === parent.ino;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}
