// The layout Kubernetes' AtomicWriter gives configMap, secret, downwardAPI and projected volumes, so
// that a running container sees its source change all at once: the files sit in a timestamped folder
// (`..2026_12_03_04_05_06.123456789`), `..data` is a symlink to it, and each top-level name of the
// volume is a symlink through `..data`. An update writes a new timestamped folder, swaps `..data` to
// it with one rename, then fixes the top-level links and removes the old folder. The volume's folder
// itself never changes, so the bind mounts of running containers see every update.
import { randomInt } from 'node:crypto';
// The files are small (an object's data is at most 1 MiB): synchronous calls (core/fsutil.ts says why).
import fs from 'node:fs';
import path from 'node:path';
import { tryOr } from '../../core/fsutil.ts';
import { ContainerConfigError } from './env.ts';

export type Files = Map<string, { data: Buffer; mode?: number }>;

const dataLink = '..data';

/** A volume path: relative, no `..` element, not starting with `..` (those names are the writer's). */
function checkPath(rel: string): string {
  const norm = path.posix.normalize(rel);
  if (!rel || path.isAbsolute(rel) || rel.split('/').includes('..') || norm.startsWith('..'))
    throw new ContainerConfigError(`invalid volume path: ${rel}`);
  return norm.replace(/\/$/, '');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `..2006_01_02_15_04_05.` as kubelet's timestamped folders begin, plus a random suffix. */
function stampName(now: Date): string {
  const d = now;
  const stamp = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
  return `..${stamp}.${randomInt(1e9)}`;
}

/** Whether the folder `..data` points to holds exactly these files with these modes. */
function same(dir: string, files: Files, defaultMode: number): boolean {
  const current = tryOr(() => fs.readlinkSync(path.join(dir, dataLink)), undefined);
  if (!current) return false;
  const base = path.join(dir, current);
  const have: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(base, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else have.push(r);
    }
  };
  try {
    walk('');
  } catch {
    return false;
  }
  if (have.length !== files.size) return false;
  for (const [rel, f] of files) {
    const file = path.join(base, rel);
    const st = tryOr(() => fs.statSync(file), undefined);
    if (!st?.isFile() || (st.mode & 0o7777) !== (f.mode ?? defaultMode)) return false;
    if (!fs.readFileSync(file).equals(f.data)) return false;
  }
  return true;
}

/**
 * Makes `dir` hold `files` (paths relative to it) in the `..data` layout; returns whether anything
 * changed. `dir` is made when missing and otherwise kept (it may be a mount point).
 */
export async function writeAtomic(
  dir: string,
  files: Files,
  defaultMode: number,
  now: Date = new Date(),
): Promise<boolean> {
  const clean: Files = new Map();
  for (const [rel, f] of files) clean.set(checkPath(rel), f);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (same(dir, clean, defaultMode)) return false;
  const old = tryOr(() => fs.readlinkSync(path.join(dir, dataLink)), undefined);
  const stamp = stampName(now);
  const ts = path.join(dir, stamp);
  fs.mkdirSync(ts, { mode: 0o755 });
  fs.chmodSync(ts, 0o755);
  for (const [rel, f] of clean) {
    const file = path.join(ts, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, f.data, { mode: f.mode ?? defaultMode });
    fs.chmodSync(file, f.mode ?? defaultMode);
  }
  const tmp = path.join(dir, `${dataLink}_tmp`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(stamp, tmp);
  fs.renameSync(tmp, path.join(dir, dataLink));
  // Top-level names: a link for each new one, the links of names that went removed.
  const tops = new Set([...clean.keys()].map((rel) => rel.split('/')[0]!));
  for (const top of tops) {
    const link = path.join(dir, top);
    const st = tryOr(() => fs.lstatSync(link), undefined);
    if (st?.isSymbolicLink()) continue;
    if (st) fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.join(dataLink, top), link);
  }
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('..') || tops.has(e.name)) continue;
    fs.rmSync(path.join(dir, e.name), { recursive: true, force: true });
  }
  if (old && old !== stamp) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
  // Leftovers of a write that was cut short (berthd killed in the middle).
  for (const e of fs.readdirSync(dir))
    if (e.startsWith('..') && e !== dataLink && e !== stamp)
      fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  return true;
}
