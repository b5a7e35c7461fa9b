// docker cp: the stat, the tar of a path and the extraction of a tar into a container, as dockerd's
// containerStatPath, containerArchivePath and containerExtractToDir answer them. The container is seen
// as dockerd's cp sees it: its root filesystem with its volumes, binds and /etc network files in
// place (not its tmpfs mounts, /dev/shm or the kernel's /proc and /sys), through ContainerFs, which
// keeps every path inside the container even while the container changes its files.
import { existsSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, invalid, notFound } from '../../core/errors.ts';
import { secureJoin } from '../../core/securejoin.ts';
import { runOk } from '../../core/sys.ts';
import type { ContainerContext } from '../context.ts';
import { extractTar } from './archive-extract.ts';
import { idNames, readContainerFile, tarOf } from './archive-tar.ts';
import { ContainerFs, errCode, type FsMount, goBase, type Place, preservedPath } from './container-fs.ts';
import { emitContainerEvent } from './create.ts';
import type { ContainerRecord } from './model.ts';
import { withRootfs } from './ops.ts';
import { hasProcess } from './state.ts';

/** Go's os.FileMode bits, which the docker CLI decodes from the path-stat header. */
function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += 2 ** 23;
  if (st.mode & 0o2000) m += 2 ** 22;
  if (st.mode & 0o1000) m += 2 ** 20;
  if (st.isDirectory()) m += 2 ** 31;
  else if (st.isSymbolicLink()) m += 2 ** 27;
  else if (st.isFIFO()) m += 2 ** 25;
  else if (st.isSocket()) m += 2 ** 24;
  else if (st.isCharacterDevice()) m += 2 ** 26 + 2 ** 21;
  else if (st.isBlockDevice()) m += 2 ** 26;
  return m;
}

function checkPath(p: string): void {
  if (!p) throw invalid('path cannot be empty');
}

const running = (rec: ContainerRecord) => hasProcess(rec.State.Status);

/** The mounts cp sees through: volumes and binds, and the /etc files once the container has run. */
async function cpMounts(rec: ContainerRecord): Promise<FsMount[]> {
  const out: FsMount[] = [];
  const started = running(rec) || (rec.State.StartedAt !== '' && !rec.State.StartedAt.startsWith('0001-'));
  if (started) {
    const files: [string, string][] = [
      ['/etc/resolv.conf', rec.ResolvConfPath],
      ['/etc/hostname', rec.HostnamePath],
      ['/etc/hosts', rec.HostsPath],
    ];
    for (const [destination, source] of files)
      if (source && existsSync(source)) out.push({ destination, source });
  }
  for (const m of rec.MountPoints ?? []) {
    if (m.Type === 'tmpfs' || !m.Source) continue;
    const source = m.Subpath ? await secureJoin(m.Source, m.Subpath) : m.Source;
    out.push({ destination: path.posix.normalize(m.Destination), source });
  }
  return out;
}

/**
 * Makes the mount points of a stopped container's volumes and binds in its root filesystem, as
 * dockerd does when it mounts them for a copy (they show in `docker diff` after).
 */
async function makeMountPoints(view: ContainerFs, rec: ContainerRecord): Promise<void> {
  const dests = new Set((rec.MountPoints ?? []).filter((m) => m.Type !== 'tmpfs').map((m) => m.Destination));
  for (const m of view.mountPoints()) {
    if (!dests.has(m.destination) || m.destination === '/') continue;
    const parent = await view.locate(path.posix.dirname(m.destination), true, true).catch(() => undefined);
    if (!parent || parent.name) {
      if (parent) await view.release(parent);
      continue;
    }
    try {
      const at = `${view.hostPath(parent)}/${path.posix.basename(m.destination)}`;
      if (await fs.lstat(at).catch(() => undefined)) continue;
      if ((await fs.stat(m.source)).isDirectory()) await fs.mkdir(at, { mode: 0o755 });
      else await (await fs.open(at, 'wx', 0o755)).close();
    } catch {
      // A mount point that cannot be made leaves the copy to fail on its own words.
    } finally {
      await view.release(parent);
    }
  }
}

/** Runs fn over the container's files as cp sees them. */
async function withView<T>(
  ctx: ContainerContext,
  rec: ContainerRecord,
  fn: (view: ContainerFs) => Promise<T>,
) {
  const mounts = await cpMounts(rec);
  return withRootfs(ctx, rec, async (rootfs) => {
    const view = await ContainerFs.open(rootfs, mounts);
    try {
      if (!running(rec)) await makeMountPoints(view, rec);
      return await fn(view);
    } finally {
      await view.close();
    }
  });
}

function notADirectory(abs: string): EngineError {
  return new EngineError('internal', `lstat ${abs}: not a directory`);
}

/** dockerd's ResolvePath + StatPath: the folder part followed, the last name not (unless `/` or `/.`). */
async function statPath(view: ContainerFs, p: string, ref: string) {
  const abs = preservedPath(p);
  const wantDir = abs.endsWith('/') || abs.endsWith('/.');
  const missing = () => notFound(`Could not find the file ${p} in container ${ref}`);
  let place: Place;
  try {
    place = await view.locate(abs, wantDir);
  } catch (err) {
    if (errCode(err) === 'ENOENT') throw missing();
    if (errCode(err) === 'ENOTDIR') throw notADirectory(abs);
    throw err;
  }
  const st = await view.lstat(place).catch(async (err) => {
    await view.release(place);
    throw err;
  });
  if (!st || (wantDir && !st.isDirectory())) {
    await view.release(place);
    throw st ? notADirectory(abs) : missing();
  }
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    // The link fully resolved inside the container, as dockerd's GetResourcePath gives it.
    linkTarget = await view
      .locate(abs, true)
      .then(async (to) => {
        await view.release(to);
        return to.path;
      })
      .catch(async () =>
        path.posix.resolve(path.posix.dirname(abs), await fs.readlink(view.hostPath(place))),
      );
  }
  const header = Buffer.from(
    JSON.stringify({
      name: goBase(abs),
      size: st.size,
      mode: goFileMode(st),
      mtime: st.mtime.toISOString(),
      linkTarget,
    }),
  ).toString('base64');
  return { place, abs, header };
}

/** HEAD /containers/{id}/archive: the X-Docker-Container-Path-Stat header of a path. */
export async function archiveStat(ctx: ContainerContext, ref: string, p: string): Promise<string> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  return withView(ctx, rec, async (view) => {
    const { place, header } = await statPath(view, p, ref);
    await view.release(place);
    return header;
  });
}

/**
 * GET /containers/{id}/archive: `send` gets the path-stat header and the tar, whose entries are named
 * from the path as given (`d/…` for /d and /d/, `./…` for /d/., `/…` for /), whatever links it went
 * through.
 */
export async function archiveGet(
  ctx: ContainerContext,
  ref: string,
  p: string,
  send: (stat: string, tar: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  await withView(ctx, rec, async (view) => {
    const { place, abs, header } = await statPath(view, p, ref);
    try {
      const ids = await idNames(view);
      emitContainerEvent(ctx, rec, 'archive-path');
      await send(header, tarOf(view, place, { name: goBase(abs), ids }));
    } finally {
      await view.release(place);
    }
  });
}

export interface PutOptions {
  noOverwriteDirNonDir: boolean;
  /** `docker cp -a`: everything owned by the container's user. */
  copyUIDGID: boolean;
}

/** Whether `p` is at or under `dest` (Docker's HasResource). */
function under(dest: string, p: string): boolean {
  const rel = path.posix.relative(dest, p);
  return rel !== '..' && !rel.startsWith('../');
}

/** The container's user for `cp -a`, looked up by name or uid in the container's own /etc/passwd. */
async function containerUser(view: ContainerFs, user: string): Promise<{ uid: number; gid: number }> {
  for (const line of (await readContainerFile(view, '/etc/passwd')).split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (
      name !== undefined &&
      (name === user || uid === user) &&
      /^\d+$/.test(uid ?? '') &&
      /^\d+$/.test(gid ?? '')
    )
      return { uid: Number(uid), gid: Number(gid) };
  }
  throw invalid(`getent unable to find entry ${JSON.stringify(user)} in passwd database`);
}

/** PUT /containers/{id}/archive: extracts a tar into a folder of the container. */
export async function archivePut(
  ctx: ContainerContext,
  ref: string,
  p: string,
  opts: PutOptions,
  body: Readable,
): Promise<void> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  await withView(ctx, rec, async (view) => {
    const abs = preservedPath(p);
    const place = await view.locate(abs, true).catch((err) => {
      if (errCode(err) === 'ENOENT') throw notFound(`Could not find the file ${p} in container ${ref}`);
      if (errCode(err) === 'ENOTDIR') throw notADirectory(abs);
      throw err;
    });
    try {
      const st = await view.lstat(place);
      if (!st) throw notFound(`Could not find the file ${p} in container ${ref}`);
      if (!st.isDirectory()) throw invalid('extraction point is not a directory');
      let toVolume = false;
      for (const m of rec.MountPoints ?? []) {
        if (!under(m.Destination, place.path)) continue;
        toVolume = true;
        if (m.RW) break;
        throw invalid('mounted volume is marked read-only');
      }
      if (!toVolume && rec.HostConfig.ReadonlyRootfs) throw invalid('container rootfs is marked read-only');
      const chown =
        opts.copyUIDGID && rec.Config.User ? await containerUser(view, rec.Config.User) : undefined;
      const dest = await view.openDir(place);
      try {
        await extractTar(view, dest, body, {
          noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
          chown,
          mknod: async (at, type, major, minor, mode) => {
            const m = (mode & 0o7777).toString(8);
            await runOk(
              ctx.sys,
              'mknod',
              type === 'p' ? ['-m', m, at, 'p'] : ['-m', m, at, type, String(major), String(minor)],
            );
          },
        });
      } finally {
        await dest.fh.close();
      }
    } finally {
      await view.release(place);
    }
  });
  emitContainerEvent(ctx, rec, 'extract-to-dir');
}

/** GET /containers/{id}/export: the container's root filesystem (no mounts) as dockerd's tar of it. */
export async function exportContainer(
  ctx: ContainerContext,
  ref: string,
  send: (tar: AsyncIterable<Buffer>) => Promise<void>,
): Promise<void> {
  const rec = ctx.store.get(ref);
  await withRootfs(ctx, rec, async (rootfs) => {
    const view = await ContainerFs.open(rootfs);
    try {
      const ids = await idNames(view);
      await send(tarOf(view, { dir: view.root, name: '', path: '/' }, { name: '', ids }));
    } finally {
      await view.close();
    }
  });
  emitContainerEvent(ctx, rec, 'export');
}
