import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';

const writeBatch = 1 << 20;

import { runOk, type Sys } from '../core/sys.ts';

export interface ExtractResult {
  /**
   * Bytes of regular file content written plus the length of each symlink's target: what dockerd's
   * directory.Size finds in a layer dir, and so the sizes `docker images` and prune report.
   */
  size: number;
  /** Entries refused or neutralised, with why (path escapes, devices…). */
  refused: string[];
}

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

/** A path inside the layer, or undefined when it would leave it (`..`) or names the root itself. */
export function safeRelative(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

type Kind = 'dir' | 'file' | 'other' | 'none';

/**
 * What the extraction knows of the tree under `root`: every path it made or removed, every path it
 * looked at, and the directories it made itself (whose whole content it therefore knows). Only the
 * extraction writes there, so most checks need no system call at all; a layer of a few hundred
 * symlinks (busybox) used to spend most of its time in lstat round trips through the thread pool.
 */
class Tree {
  private readonly kinds = new Map<string, Kind>();
  /** Directories made by this extraction ('' is the root when it started empty). */
  private readonly owned = new Set<string>();
  /** Owned directories with the setgid bit: what is made in them may not get our group. */
  private readonly setgid = new Set<string>();

  constructor(readonly root: string) {}

  static async open(root: string): Promise<Tree> {
    const t = new Tree(root);
    if ((await fs.readdir(root)).length === 0) t.owned.add('');
    return t;
  }

  async kind(rel: string): Promise<Kind> {
    const known = this.kinds.get(rel);
    if (known) return known;
    if (this.owned.has(parentOf(rel))) return 'none';
    const st = await fs.lstat(path.join(this.root, rel)).catch(() => undefined);
    const k: Kind = !st ? 'none' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    this.kinds.set(rel, k);
    return k;
  }

  made(rel: string, k: Kind): void {
    this.kinds.set(rel, k);
    if (k === 'dir') this.owned.add(rel);
  }

  /** A directory's mode was set: with setgid, what is made in it takes the directory's group. */
  dirMode(rel: string, mode: number): void {
    if (mode & 0o2000) this.setgid.add(rel);
    else this.setgid.delete(rel);
  }

  /** Whether a new entry at `rel` is known to get the creator's own group (no setgid parent). */
  plainParent(rel: string): boolean {
    const p = parentOf(rel);
    return this.owned.has(p) && !this.setgid.has(p);
  }

  removed(rel: string): void {
    const below = `${rel}/`;
    for (const set of [this.kinds, this.owned, this.setgid] as Array<Map<string, Kind> | Set<string>>) {
      for (const k of set.keys()) if (k === rel || k.startsWith(below)) set.delete(k);
    }
    this.kinds.set(rel, 'none');
  }

  /** True when every existing ancestor of `rel` is a real directory (never a symlink or a file). */
  async parentIsReal(rel: string): Promise<boolean> {
    let cur = '';
    for (const p of rel.split('/').slice(0, -1)) {
      cur = cur ? `${cur}/${p}` : p;
      const k = await this.kind(cur);
      if (k === 'none') return true; // missing: created below as a real directory
      if (k !== 'dir') return false;
    }
    return true;
  }

  async mkdirs(rel: string): Promise<void> {
    let cur = '';
    for (const p of rel.split('/')) {
      cur = cur ? `${cur}/${p}` : p;
      const k = await this.kind(cur);
      if (k === 'none') {
        await fs.mkdir(path.join(this.root, cur), { mode: 0o755 });
        this.made(cur, 'dir');
      } else if (k !== 'dir') throw new Error(`not a directory: ${path.join(this.root, cur)}`);
    }
  }
}

/**
 * Entries without data (symlinks, hardlinks) are made in the background, several at once: on this
 * kind of disk each costs a fraction of a millisecond in the kernel, and a layer has hundreds. Work on
 * a path waits for earlier work on the same path; the first failure fails the extraction.
 */
class Background {
  private readonly byPath = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(private readonly limit: number) {}

  /** Waits for the work on `rel`, or for all of it. */
  async settle(rel?: string): Promise<void> {
    if (rel === undefined) await Promise.all(this.inFlight);
    else await this.byPath.get(rel);
    if (this.failure) throw this.failure;
  }

  pending(rel: string): Promise<void> | undefined {
    return this.byPath.get(rel);
  }

  async run(rel: string, after: Promise<void> | undefined, op: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    const p = (after ?? Promise.resolve()).then(op).catch((err: Error) => {
      this.failure ??= err;
    });
    this.inFlight.add(p);
    this.byPath.set(rel, p);
    void p.finally(() => {
      this.inFlight.delete(p);
      if (this.byPath.get(rel) === p) this.byPath.delete(rel);
    });
  }
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/** Without privilege (or with an id outside the user namespace) files keep our owner. */
function ignoreUnmappedOwner(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPERM' && err.code !== 'EINVAL') throw err;
}

function drain(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
    stream.resume();
  });
}

/**
 * Extracts an uncompressed layer tar into `dir`, turning Docker whiteouts into overlayfs ones
 * (`.wh.NAME` → char device 0/0, `.wh..wh..opq` → trusted.overlay.opaque=y). Nothing is written
 * outside `dir`: names with `..`, writes below a symlink, and hardlinks to anything but a file of
 * this layer are refused; device nodes and fifos are skipped.
 */
export async function extractLayer(sys: Sys, tar: Readable, dir: string): Promise<ExtractResult> {
  const result: ExtractResult = { size: 0, refused: [] };
  const dirTimes: Array<[string, Date]> = [];
  const tree = await Tree.open(dir);
  const background = new Background(16);
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;

  const handle = async (h: tarStream.Header, stream: Readable): Promise<void> => {
    const refuse = (why: string) => {
      result.refused.push(`${h.name}: ${why}`);
      return drain(stream);
    };
    const rel = safeRelative(h.name);
    if (!rel) return h.name.split('/').includes('..') ? refuse('path escapes the layer') : drain(stream);
    await background.settle(rel);
    if (!(await tree.parentIsReal(rel))) return refuse('a parent is not a directory of this layer');
    const parentRel = parentOf(rel);
    if (parentRel !== '') await tree.mkdirs(parentRel);
    const target = path.join(dir, rel);
    const base = path.posix.basename(rel);

    if (base === opaqueMarker) {
      await runOk(sys, 'setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.dirname(target)]);
      return drain(stream);
    }
    if (base.startsWith(whiteoutPrefix)) {
      const victim = base.slice(whiteoutPrefix.length);
      // `.wh..wh.*` are aufs metadata entries (hardlink dirs and the like): not files to hide.
      if (victim.startsWith(whiteoutPrefix)) return drain(stream);
      if (victim === '' || victim === '.' || victim === '..') return refuse('invalid whiteout name');
      const victimPath = path.join(path.dirname(target), victim);
      const victimRel = parentRel ? `${parentRel}/${victim}` : victim;
      await background.settle();
      await fs.rm(victimPath, { recursive: true, force: true });
      tree.removed(victimRel);
      await runOk(sys, '/usr/bin/mknod', [victimPath, 'c', '0', '0']);
      tree.made(victimRel, 'other');
      await fs.lchown(victimPath, h.uid ?? 0, h.gid ?? 0).catch(ignoreUnmappedOwner);
      return drain(stream);
    }

    const existing = await tree.kind(rel);
    if (existing !== 'none' && !(existing === 'dir' && h.type === 'directory')) {
      if (existing === 'dir') await background.settle();
      await fs.rm(target, { recursive: true, force: true });
      tree.removed(rel);
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    // Made here by us in a directory without setgid: already ours, so a chown to ourselves is a no-op.
    const fresh = existing !== 'dir' && tree.plainParent(rel);
    switch (h.type) {
      case 'directory':
        if (existing !== 'dir') {
          await fs.mkdir(target, { mode });
          tree.made(rel, 'dir');
        }
        break;
      case 'file':
      case 'contiguous-file': {
        // 'wx' is O_CREAT|O_EXCL: it never follows a symlink planted at the target.
        const fh = await fs.open(target, 'wx', 0o600);
        tree.made(rel, 'file');
        try {
          // Writes of at least 1 MiB: each write is a round trip to the thread pool.
          let pending: Buffer[] = [];
          let pendingBytes = 0;
          for await (const chunk of stream) {
            pending.push(chunk as Buffer);
            pendingBytes += (chunk as Buffer).length;
            result.size += (chunk as Buffer).length;
            if (pendingBytes >= writeBatch) {
              await fh.writev(pending);
              pending = [];
              pendingBytes = 0;
            }
          }
          if (pendingBytes) await fh.writev(pending);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'symlink': {
        tree.made(rel, 'other');
        result.size += Buffer.byteLength(h.linkname ?? '');
        const chown = !(fresh && (h.uid ?? 0) === uid && (h.gid ?? 0) === gid);
        const mtime = h.mtime ?? new Date(0);
        await background.run(rel, undefined, async () => {
          await fs.symlink(h.linkname ?? '', target);
          if (chown) await fs.lchown(target, h.uid ?? 0, h.gid ?? 0).catch(ignoreUnmappedOwner);
          await fs.lutimes(target, mtime, mtime);
        });
        return drain(stream);
      }
      case 'link': {
        const src = safeRelative(h.linkname ?? '');
        if (!src || !(await tree.parentIsReal(src))) return refuse('hardlink target escapes the layer');
        if ((await tree.kind(src)) !== 'file') return refuse('hardlink target is not a file of this layer');
        tree.made(rel, 'file');
        const from = path.join(dir, src);
        await background.run(rel, background.pending(src), () => fs.link(from, target));
        return drain(stream); // a hardlink shares its target's owner, mode and times
      }
      default:
        return refuse(`${h.type} entries are not extracted`);
    }
    if (!(fresh && (h.uid ?? 0) === uid && (h.gid ?? 0) === gid))
      await fs.lchown(target, h.uid ?? 0, h.gid ?? 0).catch(ignoreUnmappedOwner);
    // chmod after chown: chown clears setuid/setgid, which Docker keeps.
    await fs.chmod(target, mode);
    if (h.type === 'directory') tree.dirMode(rel, mode);
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') dirTimes.push([target, mtime]);
    else await fs.lutimes(target, mtime, mtime);
    if (h.type !== 'file' && h.type !== 'contiguous-file') await drain(stream);
  };

  const extract = tarStream.extract();
  const parsed = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      handle(h, stream as unknown as Readable).then(
        () => next(),
        (err: Error) => extract.destroy(err),
      );
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    tar.on('error', reject);
    tar.pipe(extract);
  });
  // Nothing may still be writing into the directory when the caller cleans up after a failure.
  await parsed.catch(async (err) => {
    await background.settle().catch(() => undefined);
    throw err;
  });
  await background.settle();
  // Directory times last, as entries below them change them; lutimes in case one became a symlink.
  for (const [d, t] of dirTimes.reverse()) await fs.lutimes(d, t, t).catch(() => undefined);
  return result;
}
