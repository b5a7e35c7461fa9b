import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { runOk, type Sys } from '../core/sys.ts';

export interface ExtractResult {
  /** Bytes of regular file content written. */
  size: number;
  /** Entries refused or neutralised, with why (path escapes, devices…). */
  refused: string[];
}

/** A path inside the layer, or undefined when it would leave it (`..`, empty). */
export function safeRelative(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

/** True when no component of `rel`'s parent inside `root` is a symlink (or missing-but-creatable). */
async function parentIsReal(root: string, rel: string): Promise<boolean> {
  const parts = rel.split('/').slice(0, -1);
  let cur = root;
  for (const p of parts) {
    cur = path.join(cur, p);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) return true; // created below as a real directory
    if (!st.isDirectory()) return false;
  }
  return true;
}

async function mkdirs(root: string, rel: string): Promise<void> {
  let cur = root;
  for (const p of rel.split('/').filter(Boolean)) {
    cur = path.join(cur, p);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) await fs.mkdir(cur, { mode: 0o755 });
    else if (!st.isDirectory()) throw new Error(`not a directory: ${cur}`);
  }
}

/**
 * Extracts an (uncompressed) layer tar into `dir`, turning Docker whiteouts into overlayfs ones. Nothing
 * is written outside `dir`: escaping names, writes through symlinks and hardlinks out of the layer are
 * refused; device nodes (other than whiteouts) and fifos are skipped.
 */
export async function extractLayer(sys: Sys, tar: Readable, dir: string): Promise<ExtractResult> {
  const result: ExtractResult = { size: 0, refused: [] };
  const dirTimes: Array<[string, Date]> = [];
  const extract = tarStream.extract();
  const handle = async (h: tarStream.Header, stream: Readable) => {
    const rel = safeRelative(h.name);
    const skip = async (why?: string) => {
      if (why) result.refused.push(`${h.name}: ${why}`);
      stream.resume();
      await new Promise<void>((r) => stream.once('end', r));
    };
    if (!rel)
      return skip(
        h.name.replace(/\/+$/, '') === '' || h.name === './' ? undefined : 'path escapes the layer',
      );
    if (!(await parentIsReal(dir, rel))) return skip('parent is not a directory in this layer (symlink?)');
    const parent = path.dirname(rel);
    if (parent !== '.') await mkdirs(dir, parent);
    const target = path.join(dir, rel);
    const base = path.basename(rel);
    if (base === '.wh..wh..opq') {
      await runOk(sys, 'setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.dirname(target)]);
      return skip();
    }
    if (base.startsWith('.wh.')) {
      const victim = path.join(path.dirname(target), base.slice(4));
      await fs.rm(victim, { recursive: true, force: true });
      await runOk(sys, 'mknod', [victim, 'c', '0', '0']);
      return skip();
    }
    const existing = await fs.lstat(target).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory'))
      await fs.rm(target, { recursive: true, force: true });
    const mode = (h.mode ?? 0o644) & 0o7777;
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory()) await fs.mkdir(target, { mode });
        await fs.chmod(target, mode);
        if (h.mtime) dirTimes.push([target, h.mtime]);
        break;
      case 'file':
      case 'contiguous-file': {
        const fh = await fs.open(target, 'wx', 0o600);
        try {
          for await (const chunk of stream) {
            await fh.write(chunk as Buffer);
            result.size += (chunk as Buffer).length;
          }
        } finally {
          await fh.close();
        }
        await fs.chmod(target, mode);
        break;
      }
      case 'symlink':
        await fs.symlink(h.linkname ?? '', target);
        break;
      case 'link': {
        const src = safeRelative(h.linkname ?? '');
        if (!src || !(await parentIsReal(dir, src))) return skip('hardlink target escapes the layer');
        const st = await fs.lstat(path.join(dir, src)).catch(() => undefined);
        if (!st || st.isSymbolicLink() || st.isDirectory())
          return skip('hardlink target is not a file in this layer');
        await fs.link(path.join(dir, src), target);
        break;
      }
      default:
        return skip(`${h.type} entries are not extracted`);
    }
    await fs.lchown(target, h.uid ?? 0, h.gid ?? 0).catch(() => undefined);
    if (h.type === 'file' || h.type === 'contiguous-file' || h.type === 'link') {
      // chown clears setuid/setgid; set the mode again after it.
      if (mode & 0o6000) await fs.chmod(target, mode);
    }
    if (h.mtime && h.type !== 'directory') await fs.lutimes(target, h.mtime, h.mtime).catch(() => undefined);
    if (h.type !== 'file' && h.type !== 'contiguous-file') await skip();
  };
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      handle(h, stream as unknown as Readable).then(
        () => next(),
        (err) => extract.destroy(err as Error),
      );
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    tar.on('error', reject);
    tar.pipe(extract);
  });
  for (const [d, t] of dirTimes.reverse()) await fs.utimes(d, t, t).catch(() => undefined);
  return result;
}
