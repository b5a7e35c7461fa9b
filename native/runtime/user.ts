import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { invalid } from '../core/errors.ts';
import { isNoEnt } from '../core/fsutil.ts';
import { secureJoin } from '../core/securejoin.ts';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const maxId = 2 ** 31 - 1;
const isNum = (s: string) => /^\d+$/.test(s);

/** Reads a file of the image as if chrooted into it: symlinks, absolute or not, stay inside rootfs. */
async function readInRootfs(rootfs: string, file: string): Promise<string> {
  try {
    // The image's own file, which may be anything: opened without waiting (a FIFO would otherwise
    // hold berthd's thread) and read only when it is a regular file.
    const fd = openSync(await secureJoin(rootfs, file), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return fstatSync(fd).isFile() ? readFileSync(fd, 'utf8') : '';
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (isNoEnt(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return '';
    throw err;
  }
}

function records(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function parsePasswd(text: string): PasswdEntry[] {
  return records(text)
    .filter((f) => f[0] && isNum(f[2] ?? '') && isNum(f[3] ?? ''))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' }));
}

export function parseGroup(text: string): GroupEntry[] {
  return records(text)
    .filter((f) => f[0] && isNum(f[2] ?? ''))
    .map((f) => ({
      name: f[0],
      gid: Number(f[2]),
      members: (f[3] ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    }));
}

function checkRange(id: number): number {
  if (id > maxId) throw invalid(`uids and gids must be in range 0-${maxId}`);
  return id;
}

/**
 * Docker's `-u` semantics: `name`, `uid`, `name:group`, `uid:gid` and the mixed forms, looked up in the
 * image's /etc/passwd and /etc/group. A numeric uid or gid needs no entry. Supplementary groups come from
 * /etc/group membership, and only when no group was given.
 */
export async function resolveUser(rootfs: string, user: string): Promise<ResolvedUser> {
  const sep = user.indexOf(':');
  const userArg = sep < 0 ? user : user.slice(0, sep);
  const groupArg = sep < 0 ? '' : user.slice(sep + 1);

  const passwd = parsePasswd(await readInRootfs(rootfs, '/etc/passwd'));
  let entry: PasswdEntry | undefined;
  if (userArg === '') entry = passwd.find((p) => p.uid === 0);
  else if (isNum(userArg)) entry = passwd.find((p) => p.uid === Number(userArg));
  else {
    entry = passwd.find((p) => p.name === userArg);
    if (!entry) throw invalid(`unable to find user ${userArg}: no matching entries in passwd file`);
  }
  const uid = checkRange(entry ? entry.uid : isNum(userArg) ? Number(userArg) : 0);
  let gid = entry?.gid ?? 0;
  let additionalGids: number[] = [];

  if (groupArg !== '' || entry) {
    const groups = parseGroup(await readInRootfs(rootfs, '/etc/group'));
    if (groupArg !== '') {
      const g = groups.find((x) => x.name === groupArg || String(x.gid) === groupArg);
      if (g) gid = g.gid;
      else if (isNum(groupArg)) gid = checkRange(Number(groupArg));
      else throw invalid(`unable to find group ${groupArg}: no matching entries in group file`);
    } else if (entry) {
      const name = entry.name;
      additionalGids = groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
    }
  }
  return { uid, gid, additionalGids: [...new Set(additionalGids)], home: entry?.home || '/' };
}

/**
 * The identity dockerd gives a container's (or an exec's) process: the user of `-u` resolved as above,
 * with the primary group first among the supplementary groups (dockerd has done so since 20.10.18, so
 * `id` prints `groups=1000(app)`), then the user's groups from /etc/group, then `--group-add`.
 */
export async function processUser(
  rootfs: string,
  user: string,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  const u = await resolveUser(rootfs, user);
  const added = groupAdd.length
    ? additionalGroups(parseGroup(await readInRootfs(rootfs, '/etc/group')), groupAdd)
    : [];
  return { ...u, additionalGids: [u.gid, ...u.additionalGids, ...added] };
}

/** `--group-add`: names or gids looked up in /etc/group; a number needs no entry (libcontainer's rule). */
function additionalGroups(groups: GroupEntry[], wanted: readonly string[]): number[] {
  const gids = new Set<number>();
  for (const w of wanted) {
    const g = groups.find((x) => x.name === w || String(x.gid) === w);
    if (g) gids.add(g.gid);
    else if (isNum(w)) gids.add(checkRange(Number(w)));
    else throw invalid(`Unable to find group ${w}: no matching entries in group file`);
  }
  return [...gids];
}
