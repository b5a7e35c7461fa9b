// A container's files through the Docker archive API, which every engine has, running container or
// not: `HEAD /containers/{id}/archive?path=` stats a path (the X-Docker-Container-Path-Stat header),
// `GET` answers with a tar of it, whose entries list a folder or carry a file's bytes, and `PUT`
// extracts a tar into a folder. The volume browser uses the same on a helper container on engines
// other than Berth's (see volume-helper.ts).
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { ContainerFileListing, VolumeFileEntry } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { type DialError, dial } from '../engine/engine-dial.ts';
import { HandlerError } from '../ipc/errors.ts';

/** A folder's listing reads the tar of the whole subtree: stop past these and say it is partial. */
export const maxListingBytes = 512 * 1024 * 1024;
export const maxListingEntries = 10_000;
const maxSymlinkHops = 8;

/** `sub//dir/./x/` → `/sub/dir/x`: absolute, without empty or `.` parts (`..` is left as is). */
export function normalizePath(p: string): string {
  const parts = p.split('/').filter((s) => s && s !== '.');
  return `/${parts.join('/')}`;
}

export interface PathStat {
  name: string;
  type: VolumeFileEntry['type'];
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const bit = (mode: number, n: number) => Math.floor(mode / 2 ** n) % 2 === 1;

/** Decodes the path-stat header: base64 JSON whose `mode` is a Go os.FileMode. */
export function decodePathStat(header: string): PathStat {
  const raw = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
    name?: string;
    size?: number;
    mode?: number;
    mtime?: string;
    linkTarget?: string;
  };
  const m = raw.mode ?? 0;
  // Go's type bits: dir 31, symlink 27, device 26, pipe 25, socket 24, irregular 19.
  const type = bit(m, 31)
    ? 'dir'
    : bit(m, 27)
      ? 'symlink'
      : [26, 25, 24, 19].some((n) => bit(m, n))
        ? 'other'
        : 'file';
  const perm =
    (m % 0o1000) + (bit(m, 23) ? 0o4000 : 0) + (bit(m, 22) ? 0o2000 : 0) + (bit(m, 20) ? 0o1000 : 0);
  return {
    name: raw.name ?? '',
    type,
    size: raw.size ?? 0,
    mode: perm,
    mtime: raw.mtime ?? '',
    linkTarget: raw.linkTarget ?? '',
  };
}

function entryType(t: tarStream.Header['type'] | undefined): VolumeFileEntry['type'] {
  if (t === 'directory') return 'dir';
  if (t === 'symlink') return 'symlink';
  if (t === 'file' || t === 'contiguous-file' || t === 'link') return 'file';
  return 'other';
}

const clean = (name: string) => name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');

/**
 * The direct children of the folder a tar holds. Engines name its entries under the folder's own
 * name (`etc/`, `etc/hostname`) or bare (`./`, `./bin/`): the first entry, the folder, says which.
 */
export class TarFolderLister {
  private prefix: string | null = null;
  private readonly children: VolumeFileEntry[] = [];

  /** Returns false once the listing is full. */
  add(h: Pick<tarStream.Header, 'name'> & Partial<tarStream.Header>): boolean {
    const name = clean(h.name);
    if (this.prefix === null) {
      this.prefix = name;
      return true;
    }
    let rel = name;
    if (this.prefix) {
      if (!name.startsWith(`${this.prefix}/`)) return true;
      rel = name.slice(this.prefix.length + 1);
    }
    if (!rel || rel.includes('/')) return true;
    const type = entryType(h.type);
    this.children.push({
      name: rel,
      type,
      size: type === 'file' ? (h.size ?? 0) : 0,
      mode: (h.mode ?? 0) & 0o7777,
      mtime: (h.mtime ?? new Date(0)).toISOString(),
      ...(type === 'symlink' ? { linkTarget: h.linkname ?? '' } : {}),
    });
    return this.children.length < maxListingEntries;
  }

  entries(): VolumeFileEntry[] {
    return this.children;
  }
}

/** Where a symbolic link at `path` points, as an absolute path in the container. */
export function resolveLink(path: string, target: string): string {
  if (target.startsWith('/')) return normalizePath(target);
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  for (const p of target.split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** A container whose files are worked on, and how its paths and name are shown in messages. */
export interface FilesTarget {
  client: EngineClient;
  id: string;
  /** The path as the user knows it (a helper container shows paths inside its volume). */
  shown(path: string): string;
  /** `container web`, `volume data`: where a missing path is missing. */
  place(): Promise<string>;
}

export function containerTarget(client: EngineClient, id: string): FilesTarget {
  return {
    client,
    id,
    shown: (p) => p,
    // The container's own name: inspect throws not_found when the container is gone.
    place: async () =>
      `container ${(await client.docker.getContainer(id).inspect()).Name.replace(/^\//, '')}`,
  };
}

const route = (t: FilesTarget) => `/containers/${encodeURIComponent(t.id)}/archive?`;

/** A 404 (no body for HEAD): say what is missing, the container or the path. */
async function explain404(t: FilesTarget, path: string, err: unknown): Promise<never> {
  if ((err as DialError).statusCode !== 404) throw err;
  const place = await t.place();
  throw new HandlerError(
    'not_found',
    'files.path_not_found',
    `No such file or folder ${t.shown(path)} in ${place}`,
  );
}

export async function statPath(t: FilesTarget, path: string, shown = path): Promise<PathStat> {
  try {
    const res = await dial<Readable & { headers: Record<string, string | undefined> }>(t.client, {
      method: 'HEAD',
      path: route(t),
      options: { path },
      isStream: true,
    });
    res.resume();
    const header = res.headers['x-docker-container-path-stat'];
    if (!header) throw new HandlerError('internal', 'files.no_path_stat', 'the engine sent no path stat');
    return decodePathStat(header);
  } catch (err) {
    return explain404(t, shown, err);
  }
}

/** Whether a path exists (a 404 is no). */
export async function pathExists(t: FilesTarget, path: string): Promise<boolean> {
  try {
    await statPath(t, path);
    return true;
  } catch (err) {
    if (err instanceof HandlerError && err.kind === 'not_found') return false;
    throw err;
  }
}

/** The engine's tar of a path. */
export async function archiveOf(t: FilesTarget, path: string): Promise<Readable> {
  try {
    return await dial<Readable>(t.client, { path: route(t), options: { path }, isStream: true });
  } catch (err) {
    return explain404(t, path, err);
  }
}

/** A folder's entries; a symbolic link to a folder is followed. */
export async function listFolder(t: FilesTarget, path: string): Promise<ContainerFileListing> {
  const dir = normalizePath(path);
  // A trailing slash makes the engine follow a symbolic link to the folder it names.
  const asFolder = dir === '/' ? '/' : `${dir}/`;
  const st = await statPath(t, asFolder, dir);
  if (st.type !== 'dir') {
    throw new HandlerError('invalid_argument', 'files.not_a_folder', `${t.shown(dir)} is not a folder`);
  }
  const body = await archiveOf(t, asFolder);
  const lister = new TarFolderLister();
  const extract = tarStream.extract();
  let bytes = 0;
  let truncated = false;
  const stop = () => {
    truncated = true;
    body.destroy();
    extract.destroy();
  };
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxListingBytes && !truncated) stop();
  });
  body.on('error', (err) => extract.destroy(err));
  body.pipe(extract);
  try {
    for await (const entry of extract) {
      entry.resume();
      if (!lister.add(entry.header)) {
        stop();
        break;
      }
    }
  } catch (err) {
    if (!truncated) throw err;
  }
  return { path: dir, entries: lister.entries(), truncated };
}

/** A regular file's bytes as a stream, through symbolic links. */
export async function openFile(
  t: FilesTarget,
  path: string,
): Promise<{ name: string; size: number; stream: Readable }> {
  let file = normalizePath(path);
  if (file === '/') throw new HandlerError('invalid_argument', 'files.not_a_file', 'choose a file');
  let st = await statPath(t, file);
  for (let hops = 0; st.type === 'symlink' && hops < maxSymlinkHops; hops++) {
    file = resolveLink(file, st.linkTarget);
    st = await statPath(t, file);
  }
  if (st.type !== 'file') {
    throw new HandlerError('invalid_argument', 'files.not_a_file', `${t.shown(file)} is not a regular file`);
  }
  const body = await archiveOf(t, file);
  const extract = tarStream.extract();
  body.on('error', (err) => extract.destroy(err));
  body.pipe(extract);
  const first = await extract[Symbol.asyncIterator]().next();
  if (first.done) {
    body.destroy();
    throw new HandlerError('internal', 'files.empty_archive', `the engine sent no file for ${t.shown(file)}`);
  }
  const stream = Readable.from(first.value as AsyncIterable<Buffer>);
  stream.on('close', () => body.destroy());
  return { name: file.slice(file.lastIndexOf('/') + 1), size: st.size, stream };
}

/** Extracts a tar into a folder; a file never replaces a folder nor a folder a file. */
export async function putTar(t: FilesTarget, dir: string, tar: Readable | Buffer): Promise<void> {
  try {
    await t.client.docker
      .getContainer(t.id)
      .putArchive(tar as unknown as string, { path: dir, noOverwriteDirNonDir: true });
  } catch (err) {
    await explain404(t, dir, err);
  }
}

/** A tar of one empty folder named `name`. */
export async function folderTar(name: string): Promise<Buffer> {
  const pack = tarStream.pack();
  pack.entry({ name: `${name}/`, type: 'directory', mode: 0o755, mtime: new Date() });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Makes one folder (its parent must exist); a name already taken is a conflict. */
export async function makeFolder(t: FilesTarget, path: string): Promise<void> {
  const dir = normalizePath(path);
  const cut = dir.lastIndexOf('/');
  const name = dir.slice(cut + 1);
  if (!name || name === '..') {
    throw new HandlerError('invalid_argument', 'files.bad_name', 'a new folder needs a name');
  }
  const parent = dir.slice(0, cut) || '/';
  const up = await statPath(t, parent === '/' ? '/' : `${parent}/`, parent);
  if (up.type !== 'dir') {
    throw new HandlerError('invalid_argument', 'files.not_a_folder', `${t.shown(parent)} is not a folder`);
  }
  if (await pathExists(t, dir)) {
    throw new HandlerError('conflict', 'files.exists', `${t.shown(dir)} already exists`);
  }
  await putTar(t, parent, await folderTar(name));
}
