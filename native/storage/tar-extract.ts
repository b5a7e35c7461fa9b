import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';

const writeBatch = 1 << 20;

import { runOk, type Sys } from '../core/sys.ts';

export interface ExtractResult {
  /** Bytes of regular file content written. */
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

/** True when every existing ancestor of `rel` inside `root` is a real directory (never a symlink). */
async function parentIsReal(root: string, rel: string): Promise<boolean> {
  let cur = root;
  for (const p of rel.split('/').slice(0, -1)) {
    cur = path.join(cur, p);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) return true; // missing: created below as a real directory
    if (!st.isDirectory()) return false;
  }
  return true;
}

async function mkdirs(root: string, rel: string): Promise<void> {
  let cur = root;
  for (const p of rel.split('/')) {
    cur = path.join(cur, p);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) await fs.mkdir(cur, { mode: 0o755 });
    else if (!st.isDirectory()) throw new Error(`not a directory: ${cur}`);
  }
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

  const handle = async (h: tarStream.Header, stream: Readable): Promise<void> => {
    const refuse = (why: string) => {
      result.refused.push(`${h.name}: ${why}`);
      return drain(stream);
    };
    const rel = safeRelative(h.name);
    if (!rel) return h.name.split('/').includes('..') ? refuse('path escapes the layer') : drain(stream);
    if (!(await parentIsReal(dir, rel))) return refuse('a parent is not a directory of this layer');
    const parentRel = path.posix.dirname(rel);
    if (parentRel !== '.') await mkdirs(dir, parentRel);
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
      await fs.rm(victimPath, { recursive: true, force: true });
      await runOk(sys, '/usr/bin/mknod', [victimPath, 'c', '0', '0']);
      await fs.lchown(victimPath, h.uid ?? 0, h.gid ?? 0).catch(ignoreUnmappedOwner);
      return drain(stream);
    }

    const existing = await fs.lstat(target).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory'))
      await fs.rm(target, { recursive: true, force: true });
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory()) await fs.mkdir(target, { mode });
        break;
      case 'file':
      case 'contiguous-file': {
        // 'wx' is O_CREAT|O_EXCL: it never follows a symlink planted at the target.
        const fh = await fs.open(target, 'wx', 0o600);
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
      case 'symlink':
        await fs.symlink(h.linkname ?? '', target);
        break;
      case 'link': {
        const src = safeRelative(h.linkname ?? '');
        if (!src || !(await parentIsReal(dir, src))) return refuse('hardlink target escapes the layer');
        const st = await fs.lstat(path.join(dir, src)).catch(() => undefined);
        if (!st?.isFile()) return refuse('hardlink target is not a file of this layer');
        await fs.link(path.join(dir, src), target);
        return drain(stream); // a hardlink shares its target's owner, mode and times
      }
      default:
        return refuse(`${h.type} entries are not extracted`);
    }
    await fs.lchown(target, h.uid ?? 0, h.gid ?? 0).catch(ignoreUnmappedOwner);
    // chmod after chown: chown clears setuid/setgid, which Docker keeps.
    if (h.type !== 'symlink') await fs.chmod(target, mode);
    const mtime = h.mtime ?? new Date(0);
    if (h.type === 'directory') dirTimes.push([target, mtime]);
    else await fs.lutimes(target, mtime, mtime);
    if (h.type !== 'file' && h.type !== 'contiguous-file') await drain(stream);
  };

  const extract = tarStream.extract();
  await new Promise<void>((resolve, reject) => {
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
  // Directory times last, as entries below them change them; lutimes in case one became a symlink.
  for (const [d, t] of dirTimes.reverse()) await fs.lutimes(d, t, t).catch(() => undefined);
  return result;
}
