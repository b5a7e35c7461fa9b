import { promises as fs } from 'node:fs';
import { invalid } from '../core/errors.ts';
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

async function readInRootfs(rootfs: string, file: string): Promise<string> {
  const p = await secureJoin(rootfs, file);
  return fs.readFile(p, 'utf8').catch(() => '');
}

function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7 && f[0] && !f[0].startsWith('#'))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }));
}

function parseGroup(text: string): GroupEntry[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && f[0] && !f[0].startsWith('#'))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const isNum = (s: string) => /^\d+$/.test(s);

/**
 * Docker's -u semantics: `name`, `uid`, `name:group`, `uid:gid`, mixed; looked up in the image's
 * /etc/passwd and /etc/group, which are read without following symlinks out of the rootfs.
 */
export async function resolveUser(rootfs: string, user: string): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = user.split(':', 2);
  const passwd = parsePasswd(await readInRootfs(rootfs, '/etc/passwd'));
  const groups = parseGroup(await readInRootfs(rootfs, '/etc/group'));
  let entry: PasswdEntry | undefined;
  let uid = 0;
  if (userPart === '') {
    entry = passwd.find((p) => p.uid === 0);
  } else if (isNum(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw invalid(`unable to find user ${userPart}: no matching entries in passwd file`);
  }
  if (entry) uid = entry.uid;
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined && groupPart !== '') {
    if (isNum(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalid(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additionalGids =
    entry && groupPart === undefined
      ? [...new Set(groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid))]
      : [];
  return { uid, gid, additionalGids, home: entry?.home || '/' };
}
