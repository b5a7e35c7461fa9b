import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { invalid } from '../core/errors.ts';
import { secureJoin } from '../core/securejoin.ts';
import type { LayerTarWriter } from '../storage/layer-tar.ts';
import { safeRelative } from '../storage/tar-extract.ts';
import { fileSum } from './tarsum.ts';

export interface CopyOptions {
  /** Where sources are read: the build context or another stage's filesystem. */
  srcRoot: string;
  /** Source paths relative to srcRoot, already glob-expanded. */
  sources: string[];
  /** Absolute destination in the image. */
  dest: string;
  chown?: { uid: number; gid: number };
  chmod?: number;
  /** ADD: local tar archives are unpacked at the destination. */
  extractArchives: boolean;
  /** The image's own entry at an absolute path, if any: existing directories keep their metadata. */
  probe: (abs: string) => Promise<Stats | undefined>;
}

const globChars = /[*?[]/;

function globRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands one source pattern (globs allowed in any segment) to existing paths relative to root. */
export async function expandSource(root: string, pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter((s) => s && s !== '.');
  if (segments.some((s) => s === '..')) {
    const rel = safeRelative(path.posix.normalize(`/${pattern}`));
    return rel ? expandSource(root, rel) : ['.'];
  }
  let found = [''];
  for (const seg of segments) {
    const next: string[] = [];
    for (const base of found) {
      if (!globChars.test(seg)) {
        const rel = base ? `${base}/${seg}` : seg;
        if (await fs.lstat(path.join(root, rel)).catch(() => undefined)) next.push(rel);
        continue;
      }
      const re = globRegex(seg);
      const names = await fs.readdir(path.join(root, base)).catch(() => [] as string[]);
      for (const n of names.sort()) if (re.test(n)) next.push(base ? `${base}/${n}` : n);
    }
    found = next;
  }
  return found.map((f) => f || '.');
}

/**
 * dockerd's name for what a COPY or ADD reads, which its history shows and its cache keys on:
 * `file:<tarsum>` for a file, `dir:<sha256 of its entries' sums>` for a directory, and
 * `multi:<sha256 of those>` for several sources. Sums come from the context tar the client sent
 * (`sums`), or, for another stage or image, from the files themselves.
 */
export async function copySourcesHash(
  root: string,
  rels: string[],
  sums?: Map<string, string>,
): Promise<string> {
  const sumOf = async (rel: string): Promise<string> => {
    const full = await secureJoin(root, rel);
    const resolved = path.relative(root, full) || '.';
    if (sums) return sums.get(resolved) ?? rel;
    const st = await fs.lstat(full).catch(() => undefined);
    return st ? fileSum(full, resolved, st) : rel;
  };
  const one = async (rel: string): Promise<string> => {
    const full = await secureJoin(root, rel);
    const st = await fs.stat(full).catch(() => undefined);
    if (!st?.isDirectory()) return `file:${await sumOf(rel)}`;
    // Like dockerd's walk: the directory's own sum is one of them, unless it is the context root.
    const top = path.relative(root, full) || '.';
    const entries: string[] = top === '.' ? [] : [await sumOf(top)];
    const walk = async (dir: string): Promise<void> => {
      for (const n of (await fs.readdir(path.join(root, dir))).sort()) {
        const r = dir === '.' ? n : `${dir}/${n}`;
        entries.push(await sumOf(r));
        if ((await fs.lstat(path.join(root, r))).isDirectory()) await walk(r);
      }
    };
    await walk(top);
    return `dir:${sha256hex(entries.sort().join(','))}`;
  };
  const hashes: string[] = [];
  for (const r of rels) hashes.push(await one(r));
  return hashes.length === 1 ? hashes[0] : `multi:${sha256hex(hashes.join(','))}`;
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

async function isArchive(file: string): Promise<'tar' | 'gzip' | undefined> {
  const fh = await fs.open(file, 'r');
  try {
    const b = Buffer.alloc(262);
    const { bytesRead } = await fh.read(b, 0, 262, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Directory entries for the ancestors of `abs` (and `abs` itself when `self`), once each: existing
 * directories keep the image's metadata, new ones are 0755 and owned by `owner`.
 */
export async function writeDirEntries(
  tar: LayerTarWriter,
  abs: string,
  self: boolean,
  probe: CopyOptions['probe'],
  emitted: Set<string>,
  owner: { uid: number; gid: number },
): Promise<void> {
  const parts = abs.split('/').filter(Boolean);
  const upto = self ? parts.length : parts.length - 1;
  for (let i = 1; i <= upto; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    if (emitted.has(dir)) continue;
    emitted.add(dir);
    const st = await probe(dir);
    const header = st?.isDirectory()
      ? { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime }
      : { mode: 0o755, ...owner, mtime: new Date() };
    await tar.add({ ...header, name: `${dir.slice(1)}/`, type: 'directory' });
  }
}

/** Writes the layer of one COPY/ADD into `tar`. */
export async function writeCopyLayer(tar: LayerTarWriter, opts: CopyOptions): Promise<void> {
  const emitted = new Set<string>();
  const owner = { uid: opts.chown?.uid ?? 0, gid: opts.chown?.gid ?? 0 };

  const ensureDirs = (abs: string, self: boolean) =>
    writeDirEntries(tar, abs, self, opts.probe, emitted, owner);

  const modeOf = (st: Stats) => opts.chmod ?? st.mode & 0o7777;

  const copyTree = async (srcRel: string, destAbs: string): Promise<void> => {
    const full = path.join(opts.srcRoot, srcRel);
    const st = await fs.lstat(full);
    const name = destAbs.slice(1);
    const base = { mode: modeOf(st), ...owner, mtime: st.mtime };
    if (st.isDirectory()) {
      if (!emitted.has(destAbs)) {
        emitted.add(destAbs);
        await tar.add({ ...base, name: `${name}/`, type: 'directory' });
      }
      for (const n of (await fs.readdir(full)).sort())
        await copyTree(srcRel === '.' ? n : `${srcRel}/${n}`, `${destAbs}/${n}`);
    } else if (st.isSymbolicLink()) {
      await tar.add({ ...base, name, type: 'symlink', linkname: await fs.readlink(full) });
    } else if (st.isFile()) {
      await tar.addStream({ ...base, name, type: 'file', size: st.size }, full);
    }
  };

  const unpack = async (file: string, kind: 'tar' | 'gzip', destAbs: string) => {
    await ensureDirs(destAbs, true);
    const extract = tarStream.extract();
    const input: Readable = createReadStream(file);
    const done = new Promise<void>((resolve, reject) => {
      extract.on('entry', (h, stream, next) => {
        const rel = safeRelative(h.name);
        const name = rel ? path.posix.join(destAbs, rel).slice(1) : undefined;
        const header = { mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime };
        let work: Promise<void>;
        if (!name) work = new Promise((r) => stream.on('end', r).resume());
        else if (h.type === 'file' || h.type === 'contiguous-file')
          work = tar.addStream(
            { ...header, name, type: 'file', size: h.size },
            stream as unknown as Readable,
          );
        else if (h.type === 'directory' || h.type === 'symlink' || h.type === 'link') {
          const linkname =
            h.type === 'link'
              ? path.posix.join(destAbs, safeRelative(h.linkname ?? '') ?? '').slice(1)
              : h.linkname;
          work = tar
            .add({ ...header, name: h.type === 'directory' ? `${name}/` : name, type: h.type, linkname })
            .then(() => new Promise((r) => stream.on('end', r).resume()));
        } else work = new Promise((r) => stream.on('end', r).resume());
        work.then(
          () => next(),
          (err: Error) => extract.destroy(err),
        );
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
    });
    (kind === 'gzip' ? input.pipe(createGunzip()) : input).pipe(extract);
    await done;
  };

  const multi = opts.sources.length > 1;
  const destIsDir = opts.dest.endsWith('/') || multi || (await opts.probe(opts.dest))?.isDirectory() === true;
  const destAbs = opts.dest === '/' ? '' : opts.dest.replace(/\/+$/, '');
  if (multi && !opts.dest.endsWith('/'))
    throw invalid(
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
  for (const src of opts.sources) {
    const st = await fs.lstat(path.join(opts.srcRoot, src));
    if (st.isDirectory()) {
      await ensureDirs(destAbs || '/', true);
      for (const n of (await fs.readdir(path.join(opts.srcRoot, src))).sort())
        await copyTree(src === '.' ? n : `${src}/${n}`, `${destAbs}/${n}`);
      continue;
    }
    if (opts.extractArchives && st.isFile()) {
      const kind = await isArchive(path.join(opts.srcRoot, src));
      if (kind) {
        await unpack(path.join(opts.srcRoot, src), kind, destAbs || '/');
        continue;
      }
    }
    const target = destIsDir ? `${destAbs}/${path.posix.basename(src)}` : destAbs;
    await ensureDirs(target, false);
    await copyTree(src, target);
  }
}
