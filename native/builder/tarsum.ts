import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';

/** The tar header fields tarsum v1 hashes (dockerd's content hash of a build source). */
export interface SumHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs?: Record<string, string>;
}

/** A sha256 that has taken the header as tarsum v1 writes it; the file's bytes follow. */
export function tarsumHash(h: SumHeader): Hash {
  const hash = createHash('sha256');
  const fields: Array<[string, string | number]> = [
    ['name', h.name],
    ['mode', h.mode],
    ['uid', h.uid],
    ['gid', h.gid],
    ['size', h.size],
    ['typeflag', h.typeflag],
    ['linkname', h.linkname],
    // Blank for compatibility with the hashes of builds before Go 1.10.
    ['uname', ''],
    ['gname', ''],
    ['devmajor', h.devmajor],
    ['devminor', h.devminor],
  ];
  for (const [k, v] of fields) hash.update(`${k}${v}`);
  for (const k of Object.keys(h.xattrs ?? {}).sort()) hash.update(`xattr${k}${h.xattrs?.[k]}`);
  return hash;
}

const typeflags: Record<string, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
  'contiguous-file': '7',
};

/** tarsum's name for an entry: `./sub/` is `sub`, the root is `.`. */
export function sumKey(name: string): string {
  const clean = path.posix.normalize(`/${name}`).replace(/\/+$/, '');
  return clean === '' ? '.' : clean.slice(1);
}

/**
 * The tarsum of every entry of a build context tar, by cleaned path (the first entry of a name
 * wins, as dockerd looks them up): what COPY and ADD name in their history and cache on.
 */
export async function contextSums(tarFile: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  const extract = tarStream.extract();
  extract.on('entry', (h, stream, next) => {
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(h.pax ?? {}))
      if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice('SCHILY.xattr.'.length)] = v;
    const hash = tarsumHash({
      name: h.name,
      mode: h.mode ?? 0,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: h.size ?? 0,
      typeflag: typeflags[h.type ?? 'file'] ?? '0',
      linkname: h.linkname ?? '',
      devmajor: h.devmajor ?? 0,
      devminor: h.devminor ?? 0,
      xattrs,
    });
    stream.on('data', (d) => void hash.update(d as Buffer));
    stream.on('end', () => {
      const key = sumKey(h.name);
      if (!sums.has(key)) sums.set(key, hash.digest('hex'));
      next();
    });
  });
  await pipeline(createReadStream(tarFile), extract);
  return sums;
}

/** The tarsum of a file on disk, with the header Go's tar.FileInfoHeader makes of its lstat. */
export async function fileSum(full: string, rel: string, st: Stats): Promise<string> {
  const type = st.isDirectory()
    ? '5'
    : st.isSymbolicLink()
      ? '2'
      : st.isCharacterDevice()
        ? '3'
        : st.isBlockDevice()
          ? '4'
          : st.isFIFO()
            ? '6'
            : '0';
  const device = type === '3' || type === '4';
  const hash = tarsumHash({
    name: st.isDirectory() ? `${rel}/` : rel,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.isFile() ? st.size : 0,
    typeflag: type,
    linkname: st.isSymbolicLink() ? await fs.readlink(full) : '',
    devmajor: device ? Math.floor(st.rdev / 256) & 0xfff : 0,
    devminor: device ? (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) : 0,
  });
  if (st.isFile() && st.size > 0)
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
