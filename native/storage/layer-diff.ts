import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Sys } from '../core/sys.ts';
import { LayerTarWriter } from './layer-tar.ts';

export interface DiffTar {
  /** sha256 of the uncompressed tar written. */
  diffId: string;
  /** Bytes of regular file content in the tar. */
  size: number;
}

/** Decides whether an upper-dir entry (relative path, lstat) is left out of the layer. */
export type DiffFilter = (rel: string, st: Stats) => boolean;

/** getfattr escapes unusual bytes in names as `\ooo` octal. */
function unescapeOctal(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const m = /^\\([0-7]{3})/.exec(s.slice(i));
    if (m) {
      bytes.push(Number.parseInt(m[1], 8));
      i += 3;
    } else bytes.push(...Buffer.from(s[i]));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Directories under `root` (relative paths) that overlayfs marked opaque. */
export async function opaqueDirs(sys: Sys, root: string): Promise<Set<string>> {
  const r = await sys.run('getfattr', [
    '-R',
    '-P',
    '-d',
    '-m',
    '^trusted\\.overlay\\.opaque$',
    '--absolute-names',
    root,
  ]);
  const out = new Set<string>();
  let file: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeOctal(line.slice('# file: '.length));
    else if (file && /^trusted\.overlay\.opaque="[yx]"$/.test(line)) {
      const rel = path.relative(root, file);
      if (rel && !rel.startsWith('..')) out.add(rel.split(path.sep).join('/'));
    }
  }
  return out;
}

/**
 * Writes an overlay upper dir as a Docker layer tar at `out`: whiteout devices (char 0/0) become
 * `.wh.<name>`, opaque directories get a `.wh..wh..opq` entry, hardlinks within the dir stay links,
 * and modes, owners, mtimes and symlinks are kept.
 */
export async function writeDiffTar(
  sys: Sys,
  upper: string,
  out: string,
  filter: DiffFilter = () => false,
): Promise<DiffTar> {
  const opaque = await opaqueDirs(sys, upper);
  const tar = new LayerTarWriter(out);
  const links = new Map<string, string>();

  const walk = async (rel: string): Promise<void> => {
    // A container that never ran has no upper dir yet: its diff is empty.
    const names = (
      await fs.readdir(path.join(upper, rel)).catch((err: NodeJS.ErrnoException) => {
        if (rel === '' && err.code === 'ENOENT') return [] as string[];
        throw err;
      })
    ).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(upper, r);
      const st = await fs.lstat(full);
      if (filter(r, st)) continue;
      const base = {
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        mtime: st.mtime,
      };
      if (st.isCharacterDevice() && st.rdev === 0) {
        await tar.add({ ...base, name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'file', size: 0 });
      } else if (st.isDirectory()) {
        await tar.add({ ...base, name: `${r}/`, type: 'directory' });
        if (opaque.has(r))
          await tar.add({ ...base, name: `${r}/.wh..wh..opq`, type: 'file', mode: 0, size: 0 });
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await tar.add({ ...base, name: r, type: 'symlink', linkname: await fs.readlink(full) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) {
          await tar.add({ ...base, name: r, type: 'link', linkname: first });
        } else {
          if (st.nlink > 1) links.set(key, r);
          await tar.addStream({ ...base, name: r, type: 'file', size: st.size }, full);
        }
      }
      // Sockets, fifos and device nodes are not part of an image layer.
    }
  };

  try {
    await walk('');
  } catch (err) {
    await tar.abort(err as Error);
    throw err;
  }
  return { diffId: await tar.finish(), size: tar.size };
}
