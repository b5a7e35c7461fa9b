import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { tryOr } from './fsutil.ts';

/**
 * Resolves `unsafe` inside `root` as if `root` were `/`: `..` never climbs above root and symlinks
 * (absolute ones included) are followed relative to root, as a chroot would. The final component is
 * followed only when `followLast` is set. Like Go's securejoin, used for cp and workdirs.
 */
export async function secureJoin(root: string, unsafe: string, followLast = true): Promise<string> {
  const parts = unsafe.split('/').filter((p) => p && p !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    const isLast = parts.length === 0;
    const st = tryOr(() => lstatSync(candidate), undefined);
    if (st?.isSymbolicLink() && (!isLast || followLast)) {
      if (++hops > 255)
        throw Object.assign(new Error(`too many levels of symbolic links: ${unsafe}`), { code: 'ELOOP' });
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...target.split('/').filter((p) => p && p !== '.'));
      continue;
    }
    resolved.push(part);
  }
  return path.join(root, ...resolved);
}
