// A container's files through the Docker archive API, which every engine has: `HEAD
// /containers/{id}/archive?path=` stats a path (the X-Docker-Container-Path-Stat header), and `GET`
// answers with a tar of it, whose entries list a folder or carry a file's bytes.
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { ContainerFileListing, FileDownload, VolumeFileEntry } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import { type DialError, dial } from './engine-dial.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers } from './handlers.ts';
import { maxDownloadBytes, normalizeVolumePath } from './volume-files.ts';

/** A folder's listing reads the tar of the whole subtree: stop past these and say it is partial. */
export const maxListingBytes = 512 * 1024 * 1024;
export const maxListingEntries = 10_000;
const maxSymlinkHops = 8;

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
  if (target.startsWith('/')) return normalizeVolumePath(target);
  const parts = path.split('/').filter(Boolean).slice(0, -1);
  for (const p of target.split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function tooLarge(name: string, size?: number): HandlerError {
  const mb = (n: number) => `${Math.ceil(n / 1024 / 1024)} MB`;
  const limit = mb(maxDownloadBytes);
  return new HandlerError(
    'invalid_argument',
    'container.file_too_large',
    `${name} is ${size === undefined ? `over ${limit}` : mb(size)}; files over ${limit} cannot be ` +
      'downloaded here: copy it out with `docker cp CONTAINER:PATH .`',
  );
}

export function containerFileHandlers(
  client: EngineClient,
): Pick<InvokeHandlers, 'containers.files' | 'containers.download'> {
  const route = (id: string) => `/containers/${encodeURIComponent(id)}/archive?`;

  /** A missing path answers 404 with no body (HEAD): name what is missing, the container or the path. */
  const explain404 = async (id: string, path: string, err: unknown): Promise<never> => {
    if ((err as DialError).statusCode !== 404) throw err;
    const info = await client.docker.getContainer(id).inspect(); // not_found when the container is gone
    throw new HandlerError(
      'not_found',
      'container.path_not_found',
      `No such file or folder ${path} in container ${info.Name.replace(/^\//, '')}`,
    );
  };

  /** `shown`: the path as the user wrote it, for the message when it is missing. */
  const stat = async (id: string, path: string, shown = path): Promise<PathStat> => {
    try {
      const res = await dial<Readable & { headers: Record<string, string | undefined> }>(client, {
        method: 'HEAD',
        path: route(id),
        options: { path },
        isStream: true,
      });
      res.resume();
      const header = res.headers['x-docker-container-path-stat'];
      if (!header)
        throw new HandlerError('internal', 'container.no_path_stat', 'the engine sent no path stat');
      return decodePathStat(header);
    } catch (err) {
      return explain404(id, shown, err);
    }
  };

  const archive = async (id: string, path: string): Promise<Readable> => {
    try {
      return await dial<Readable>(client, { path: route(id), options: { path }, isStream: true });
    } catch (err) {
      return explain404(id, path, err);
    }
  };

  return {
    async 'containers.files'({ id, path }): Promise<ContainerFileListing> {
      const dir = normalizeVolumePath(path);
      // A trailing slash makes the engine follow a symbolic link to the folder it names.
      const asFolder = dir === '/' ? '/' : `${dir}/`;
      const st = await stat(id, asFolder, dir);
      if (st.type !== 'dir') {
        throw new HandlerError('invalid_argument', 'container.not_a_folder', `${dir} is not a folder`);
      }
      const body = await archive(id, asFolder);
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
    },

    async 'containers.download'({ id, path }): Promise<FileDownload> {
      let file = normalizeVolumePath(path);
      if (file === '/') throw new HandlerError('invalid_argument', 'container.not_a_file', 'choose a file');
      let st = await stat(id, file);
      for (let hops = 0; st.type === 'symlink' && hops < maxSymlinkHops; hops++) {
        file = resolveLink(file, st.linkTarget);
        st = await stat(id, file);
      }
      if (st.type !== 'file') {
        throw new HandlerError('invalid_argument', 'container.not_a_file', `${file} is not a regular file`);
      }
      const name = file.slice(file.lastIndexOf('/') + 1);
      if (st.size > maxDownloadBytes) throw tooLarge(name, st.size);
      const body = await archive(id, file);
      const extract = tarStream.extract();
      body.on('error', (err) => extract.destroy(err));
      body.pipe(extract);
      for await (const entry of extract) {
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > maxDownloadBytes) {
            body.destroy();
            throw tooLarge(name);
          }
          chunks.push(chunk);
        }
        body.destroy();
        const data = Buffer.concat(chunks);
        return { name, size: data.length, base64: data.toString('base64') };
      }
      throw new HandlerError('internal', 'container.empty_archive', `the engine sent no file for ${file}`);
    },
  };
}
