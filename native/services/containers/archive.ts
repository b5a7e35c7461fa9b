import { spawn } from 'node:child_process';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { invalid, notFound } from '../../core/errors.ts';
import { secureJoin } from '../../core/securejoin.ts';
import type { ApiRequest } from '../../dockerapi/http.ts';
import type { ContainerContext } from '../context.ts';
import type { ContainerRecord } from './model.ts';
import { withRootfs } from './ops.ts';

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
  if (!p.startsWith('/')) throw invalid(`path must be absolute: ${p}`);
}

async function statIn(rootfs: string, p: string, containerId: string) {
  const followLast = p.endsWith('/') || p.endsWith('/.');
  const full = await secureJoin(rootfs, p, followLast);
  // The root itself may be /proc/<pid>/root, a link to follow; everything below it is taken as is.
  const st = await (full === rootfs ? fs.stat(full) : fs.lstat(full)).catch(() => undefined);
  if (!st) throw notFound(`Could not find the file ${p} in container ${containerId}`);
  const linkTarget = st.isSymbolicLink() ? await fs.readlink(full) : '';
  const header = Buffer.from(
    JSON.stringify({
      name: path.basename(p) || '/',
      size: st.size,
      mode: goFileMode(st),
      mtime: st.mtime.toISOString(),
      linkTarget,
    }),
  ).toString('base64');
  return { full, st, header };
}

/** docker cp sees what the container sees: its volumes, binds and /etc files too. */
function liveRootfs<T>(
  ctx: ContainerContext,
  rec: ContainerRecord,
  p: string,
  fn: (rootfs: string) => Promise<T>,
): Promise<T> {
  // /proc, /sys and /dev of the live view are the kernel's, not files of the container.
  const kernel = /^\/+(proc|sys|dev)(\/|$)/.test(path.posix.normalize(p));
  return withRootfs(ctx, rec, fn, kernel ? 'rootfs' : 'live');
}

export async function archiveStat(ctx: ContainerContext, ref: string, p: string): Promise<string> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  return liveRootfs(ctx, rec, p, async (rootfs) => (await statIn(rootfs, p, ref)).header);
}

/** GET /containers/{id}/archive: a tar whose single top entry is the path's base name. */
export async function archiveGet(
  ctx: ContainerContext,
  ref: string,
  p: string,
  req: ApiRequest,
): Promise<void> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  await liveRootfs(ctx, rec, p, async (rootfs) => {
    const { full, header } = await statIn(rootfs, p, ref);
    const out = req.stream('application/x-tar', 200, { 'X-Docker-Container-Path-Stat': header });
    await new Promise<void>((resolve, reject) => {
      const tar = spawn(
        'tar',
        full === rootfs
          ? // The live root has the kernel's file systems mounted: their contents are not the container's.
            [
              '--numeric-owner',
              '--exclude=./proc/*',
              '--exclude=./sys/*',
              '--exclude=./dev/*',
              '-C',
              full,
              '-cf',
              '-',
              '.',
            ]
          : ['--numeric-owner', '-C', path.dirname(full), '-cf', '-', path.basename(full)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      tar.stdout.on('data', (d: Buffer) => out.write(d));
      tar.on('error', reject);
      tar.on('close', () => resolve());
      out.onClose(() => tar.kill());
    });
    out.end();
  });
}

/** PUT /containers/{id}/archive: extracts a tar into a directory, never writing outside the rootfs. */
export async function archivePut(
  ctx: ContainerContext,
  ref: string,
  p: string,
  noOverwriteDirNonDir: boolean,
  body: NodeJS.ReadableStream,
): Promise<void> {
  checkPath(p);
  const rec = ctx.store.get(ref);
  await liveRootfs(ctx, rec, p, async (rootfs) => {
    const dest = await secureJoin(rootfs, p, true);
    const st = await fs.stat(dest).catch(() => undefined);
    if (!st) throw notFound(`Could not find the file ${p} in container ${ref}`);
    if (!st.isDirectory()) throw invalid(`extraction point is not a directory`);
    if (rec.HostConfig.ReadonlyRootfs) throw invalid('container rootfs is marked read-only');
    const rel = path.relative(rootfs, dest);
    const extract = tarStream.extract();
    extract.on('entry', (h, stream, next) => {
      const done = (err?: unknown) => (err ? extract.destroy(err as Error) : next());
      writeEntry(rootfs, rel, h, stream as unknown as NodeJS.ReadableStream, noOverwriteDirNonDir).then(
        () => done(),
        done,
      );
    });
    await pipeline(body as NodeJS.ReadableStream & AsyncIterable<Buffer>, extract);
  });
}

async function writeEntry(
  rootfs: string,
  destRel: string,
  h: tarStream.Header,
  stream: NodeJS.ReadableStream | import('node:stream').Readable,
  noOverwriteDirNonDir: boolean,
): Promise<void> {
  const drain = () =>
    new Promise<void>((r) => {
      stream.on('end', r);
      stream.resume();
    });
  const name = path.posix.join('/', destRel, h.name);
  const target = await secureJoin(rootfs, name, false);
  if (target === rootfs) return drain();
  const existing = await fs.lstat(target).catch(() => undefined);
  if (noOverwriteDirNonDir && existing) {
    if (existing.isDirectory() && h.type !== 'directory')
      throw invalid(`cannot overwrite directory "${name}" with non-directory`);
    if (!existing.isDirectory() && h.type === 'directory')
      throw invalid(`cannot overwrite non-directory "${name}" with directory`);
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const mode = (h.mode ?? 0o644) & 0o7777;
  switch (h.type) {
    case 'directory':
      if (!existing?.isDirectory()) {
        if (existing) await fs.rm(target, { recursive: true, force: true });
        await fs.mkdir(target, { mode });
      }
      await fs.chmod(target, mode);
      break;
    case 'symlink':
      if (existing) await fs.rm(target, { recursive: true, force: true });
      await fs.symlink(h.linkname ?? '', target);
      break;
    case 'link': {
      const src = await secureJoin(rootfs, path.posix.join('/', destRel, h.linkname ?? ''), false);
      if (existing) await fs.rm(target, { recursive: true, force: true });
      await fs.link(src, target);
      break;
    }
    case 'file':
    case 'contiguous-file': {
      if (existing) await fs.rm(target, { recursive: true, force: true });
      const fh = await fs.open(target, 'wx', mode);
      await pipeline(
        stream as NodeJS.ReadableStream & AsyncIterable<Buffer>,
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            fh.write(chunk).then(() => cb(), cb);
          },
        }),
      );
      await fh.close();
      await fs.chmod(target, mode);
      break;
    }
    default:
      return drain(); // devices and fifos are not created by cp
  }
  await fs.lchown(target, h.uid ?? 0, h.gid ?? 0).catch(() => undefined);
  if (h.mtime && h.type !== 'symlink') await fs.utimes(target, h.mtime, h.mtime).catch(() => undefined);
  if (h.type !== 'file' && h.type !== 'contiguous-file') await drain();
}
