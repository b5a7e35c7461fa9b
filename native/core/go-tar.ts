// Tar headers written the way Go's archive/tar writes them for dockerd (`FormatPAX`: USTAR when the
// entry fits, a PAX extended header before it when not), so that `docker cp` and `docker export`
// give tars that read the same as dockerd's, byte for byte in their headers: octal fields padded
// with zeros and ended by NUL, the file type bits in the mode field, user and group names, and two
// zero blocks at the end without padding to a record.

export type TarType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarEntry {
  /** The entry's name; a directory's ends with `/`. */
  name: string;
  type: TarType;
  /** Permission bits with setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Bytes of a regular file; 0 for everything else. */
  size: number;
  /** Whole seconds since the epoch (Go truncates). */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const typeFlag: Record<TarType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

// Go's fillGo18FileTypeBits: c_ISDIR and friends in the mode field, as tar(5) allows.
const typeBits: Record<TarType, number> = {
  file: 0o100000,
  link: 0o100000,
  symlink: 0o120000,
  char: 0o20000,
  block: 0o60000,
  directory: 0o40000,
  fifo: 0o10000,
};

const isAscii = (s: string) => /^[\x01-\x7f]*$/.test(s);

/** Go's formatOctal: zero-padded to width-1 digits and a NUL; false when it does not fit. */
function octal(b: Buffer, off: number, width: number, n: number): boolean {
  const s = n.toString(8);
  if (n < 0 || s.length > width - 1) return false;
  b.write(s.padStart(width - 1, '0'), off, 'ascii');
  b[off + width - 1] = 0;
  return true;
}

/** Go's splitUSTARPath: a long name into prefix (≤155) and name (≤100) at a slash, when it can. */
function splitName(name: string): [string, string] | undefined {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  let i = Math.min(name.length - 1, 155);
  while (i > 0 && name[i] !== '/') i--;
  if (i <= 0) return undefined;
  const prefix = name.slice(0, i);
  const rest = name.slice(i + 1);
  if (!rest || Buffer.byteLength(rest) > 100 || Buffer.byteLength(prefix) > 155) return undefined;
  return [prefix, rest];
}

/** One PAX record: `<len> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len)
    len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function block(
  name: string,
  prefix: string,
  e: Omit<TarEntry, 'name'>,
  flag: string,
  mode: number,
  size: number,
): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  octal(b, 100, 8, mode);
  octal(b, 108, 8, e.uid);
  octal(b, 116, 8, e.gid);
  octal(b, 124, 12, size);
  octal(b, 136, 12, e.mtime);
  b.write(flag, 156, 1, 'ascii');
  b.write(e.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\x0000', 257, 8, 'binary');
  b.write(e.uname ?? '', 265, 32, 'utf8');
  b.write(e.gname ?? '', 297, 32, 'utf8');
  octal(b, 329, 8, e.devmajor ?? 0);
  octal(b, 337, 8, e.devminor ?? 0);
  b.write(prefix, 345, 155, 'utf8');
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

/** The header block(s) of one entry: a PAX header first when USTAR cannot hold a field. */
export function tarHeader(e: TarEntry): Buffer {
  const pax: [string, string][] = [];
  let split = isAscii(e.name) ? splitName(e.name) : undefined;
  if (!split) {
    pax.push(['path', e.name]);
    split = ['', truncate(e.name, 100)];
  }
  let linkname = e.linkname ?? '';
  if (Buffer.byteLength(linkname) > 100 || !isAscii(linkname)) {
    pax.push(['linkpath', linkname]);
    linkname = truncate(linkname, 100);
  }
  const limit = 0o7777777;
  let uid = e.uid;
  let gid = e.gid;
  if (uid > limit) {
    pax.push(['uid', String(uid)]);
    uid = 0;
  }
  if (gid > limit) {
    pax.push(['gid', String(gid)]);
    gid = 0;
  }
  let size = e.size;
  if (size > 0o77777777777) {
    pax.push(['size', String(size)]);
    size = 0;
  }
  let uname = e.uname ?? '';
  let gname = e.gname ?? '';
  if (Buffer.byteLength(uname) > 32 || !isAscii(uname)) {
    pax.push(['uname', uname]);
    uname = '';
  }
  if (Buffer.byteLength(gname) > 32 || !isAscii(gname)) {
    pax.push(['gname', gname]);
    gname = '';
  }
  const fields = { ...e, uid, gid, uname, gname, linkname };
  const main = block(
    split[1],
    split[0],
    fields,
    typeFlag[e.type],
    (e.mode & 0o7777) | typeBits[e.type],
    size,
  );
  if (!pax.length) return main;
  // Go sorts the records by key and names the extended header `<dir>/PaxHeaders.0/<base>`.
  const data = Buffer.from(
    pax
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => paxRecord(k, v))
      .join(''),
  );
  const trimmed = e.name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const paxName = truncate(
    slash >= 0
      ? `${trimmed.slice(0, slash)}/PaxHeaders.0/${trimmed.slice(slash + 1)}`
      : `PaxHeaders.0/${trimmed}`,
    100,
  );
  const head = block(
    paxName,
    '',
    { ...fields, uname: '', gname: '', linkname: '', uid: 0, gid: 0, mtime: 0 },
    'x',
    0,
    data.length,
  );
  return Buffer.concat([head, data, padding(data.length), main]);
}

function truncate(s: string, bytes: number): string {
  let out = s;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}

/** Zeros that fill the last block of `size` bytes of data. */
export function padding(size: number): Buffer {
  const rest = size % 512;
  return Buffer.alloc(rest ? 512 - rest : 0);
}

/** The end of a tar as Go's Writer.Close writes it: two zero blocks. */
export const tarTrailer = Buffer.alloc(1024);
