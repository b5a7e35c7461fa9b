import { type BigIntStats, promises as fs } from 'node:fs';
import path from 'node:path';
import type { LayerChange } from './layer-walk.ts';

const isWhiteout = (st: BigIntStats) => st.isCharacterDevice() && st.rdev === 0n;

const lstat = (p: string) => fs.lstat(p, { bigint: true }).catch(() => undefined);

/** Go's sameFsTimeSpec: equal, or equal seconds where one side has no nanoseconds. */
function sameTime(a: BigIntStats, b: BigIntStats): boolean {
  const sec = (s: BigIntStats) => s.mtimeNs / 1_000_000_000n;
  const nsec = (s: BigIntStats) => s.mtimeNs % 1_000_000_000n;
  return sec(a) === sec(b) && (nsec(a) === nsec(b) || nsec(a) === 0n || nsec(b) === 0n);
}

/** dockerd's statDifferent: mode, owner, device; and for non-folders their time or size. */
function statDifferent(before: BigIntStats, now: BigIntStats): boolean {
  if (
    before.mode !== now.mode ||
    before.uid !== now.uid ||
    before.gid !== now.gid ||
    before.rdev !== now.rdev
  )
    return true;
  return !now.isDirectory() && (!sameTime(before, now) || before.size !== now.size);
}

const byName = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * What a container changed, as dockerd's `docker diff` reports it (archive.ChangesDirs of the
 * container's layer against the layers below it): its upper dir `upper` read against `lowers`
 * (top-most first, the init layer among them). An entry is added when nothing below has it, deleted
 * for a whiteout of something below, changed when its mode, owner or device differ, or for a
 * non-folder its time or size; a folder that is not itself changed is listed as changed before the
 * first change inside it. Parents come before their children; names in byte order.
 */
export async function rwLayerChanges(upper: string, lowers: string[]): Promise<LayerChange[]> {
  const out: LayerChange[] = [];
  const below = async (rel: string) => {
    for (const l of lowers) {
      const st = await lstat(path.join(l, rel));
      if (st) return isWhiteout(st) ? undefined : st;
    }
    return undefined;
  };
  const names = async (rel: string) => (await fs.readdir(path.join(upper, rel)).catch(() => [])).sort(byName);
  const allAdded = async (rel: string) => {
    for (const name of await names(rel)) {
      const r = `${rel}/${name}`;
      const st = await lstat(path.join(upper, r));
      if (!st) continue;
      out.push({ path: `/${r}`, kind: 'added', dir: st.isDirectory() });
      if (st.isDirectory()) await allAdded(r);
    }
  };
  const walk = async (rel: string) => {
    for (const name of await names(rel)) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(path.join(upper, r));
      if (!st) continue;
      const before = await below(r);
      if (isWhiteout(st)) {
        if (before) out.push({ path: `/${r}`, kind: 'deleted', dir: before.isDirectory() });
        continue;
      }
      if (!before) {
        out.push({ path: `/${r}`, kind: 'added', dir: st.isDirectory() });
        if (st.isDirectory()) await allAdded(r);
        continue;
      }
      const at = out.length;
      const changed = statDifferent(before, st);
      if (changed) out.push({ path: `/${r}`, kind: 'changed', dir: st.isDirectory() });
      if (!st.isDirectory()) continue;
      if (!before.isDirectory()) {
        await allAdded(r);
        continue;
      }
      await walk(r);
      if (!changed && out.length > at) out.splice(at, 0, { path: `/${r}`, kind: 'changed', dir: true });
    }
  };
  await walk('');
  return out;
}
