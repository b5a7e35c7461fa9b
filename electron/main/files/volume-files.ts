// A volume's files: list, preview, download, upload, new folder, delete; export, import and clone.
// Berth's engine has routes for them (GET /volumes/{name}/files, /file, /archive; PUT /archive; POST
// /mkdir, /clone; DELETE /files), which keep every path inside the volume. Any other engine gets the
// same through a short-lived helper container (see volume-helper.ts), or an `unsupported` answer that
// says why when it has no image to make one from.
import { PassThrough, type Readable } from 'node:stream';
import type { FilePreview, TransferTicket, VolumeFileEntry } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { dial, isBerthEngine } from '../engine/engine-dial.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';
import {
  archiveOf,
  type FilesTarget,
  listFolder,
  makeFolder,
  openFile,
  putTar,
  statPath,
} from './container-files.ts';
import { previewBytesFor, previewOf, readHead } from './file-preview.ts';
import type { Transfers } from './transfers.ts';
import { createHelper, fromHelper, type Helper, helperMount, inHelper, runHelper } from './volume-helper.ts';

export type VolumeFileChannels =
  | 'volumes.files'
  | 'volumes.preview'
  | 'volumes.download'
  | 'volumes.upload'
  | 'volumes.mkdir'
  | 'volumes.deletePath'
  | 'volumes.export'
  | 'volumes.import'
  | 'volumes.clone';

/** Absolute, `/`-separated, no empty or `.` parts; `..` is left to the engine, which confines it. */
export function normalizeVolumePath(p: string): string {
  const parts = p.split('/').filter((s) => s && s !== '.');
  return `/${parts.join('/')}`;
}

/** What each engine does for the handlers. */
interface VolumeFs {
  list(path: string): Promise<VolumeFileEntry[]>;
  /** A regular file's bytes (never through a symbolic link). */
  open(path: string): Promise<{ name: string; size?: number; stream: Readable }>;
  /** The whole volume as a tar of `./…` entries. */
  archive(): Promise<Readable>;
  extract(dir: string, tar: Readable, requireEmpty: boolean): Promise<void>;
  mkdir(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

function berthFs(client: EngineClient, name: string): VolumeFs {
  const route = (what: string, query = true) =>
    `/volumes/${encodeURIComponent(name)}/${what}${query ? '?' : ''}`;
  return {
    list: (path) => dial(client, { path: route('files'), options: { path: normalizeVolumePath(path) } }),
    async open(path) {
      const file = normalizeVolumePath(path);
      const stream = await dial<Readable & { headers?: Record<string, string> }>(client, {
        path: route('file'),
        options: { path: file },
        isStream: true,
      });
      const size = Number(stream.headers?.['content-length'] ?? Number.NaN);
      return { name: file.slice(file.lastIndexOf('/') + 1), stream, ...(size >= 0 ? { size } : {}) };
    },
    archive: () => dial(client, { path: route('archive'), options: { path: '/' }, isStream: true }),
    async extract(dir, tar, requireEmpty) {
      await dial(client, {
        method: 'PUT',
        path: route('archive'),
        options: { path: normalizeVolumePath(dir), ...(requireEmpty ? { empty: '1' } : {}) },
        file: tar,
      });
    },
    async mkdir(path) {
      await dial(client, {
        method: 'POST',
        path: route('mkdir'),
        options: { path: normalizeVolumePath(path) },
      });
    },
    async remove(path) {
      await dial(client, {
        method: 'DELETE',
        path: route('files'),
        options: { path: normalizeVolumePath(path) },
      });
    },
  };
}

/** A helper container's archive API, with paths and messages of the volume. */
function helperTarget(client: EngineClient, name: string, helper: Helper): FilesTarget {
  return { client, id: helper.id, shown: (p) => fromHelper(p), place: async () => `volume ${name}` };
}

/** Removes the helper once the stream it serves has ended. */
function releasing(stream: Readable, helper: Helper): Readable {
  stream.once('close', () => void helper.remove());
  return stream;
}

function helperFs(client: EngineClient, name: string): VolumeFs {
  const bind = `${name}:${helperMount}`;
  /** Runs `fn` with a helper that goes after it, unless `fn` hands it over (keep: true). */
  const withHelper = async <T>(fn: (t: FilesTarget, h: Helper) => Promise<T>): Promise<T> => {
    const helper = await createHelper(client, [bind]);
    try {
      return await fn(helperTarget(client, name, helper), helper);
    } catch (err) {
      await helper.remove();
      throw err;
    }
  };
  const thenRemove = async <T>(h: Helper, p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } finally {
      await h.remove();
    }
  };
  return {
    list: (path) =>
      withHelper((t, h) =>
        thenRemove(
          h,
          listFolder(t, inHelper(path)).then((l) => l.entries),
        ),
      ),
    open: (path) =>
      withHelper(async (t, h) => {
        const st = await statPath(t, inHelper(path));
        if (st.type !== 'file') {
          throw new HandlerError('invalid_argument', 'volume.not_a_file', `not a regular file: ${path}`);
        }
        const file = await openFile(t, inHelper(path));
        return { ...file, stream: releasing(file.stream, h) };
      }),
    archive: () => withHelper(async (t, h) => releasing(await archiveOf(t, `${helperMount}/.`), h)),
    extract: (dir, tar, requireEmpty) =>
      withHelper(async (t, h) => {
        if (requireEmpty && (await listFolder(t, helperMount)).entries.length > 0) {
          throw new HandlerError('conflict', 'volume.not_empty', notEmpty(name));
        }
        await thenRemove(h, putTar(t, inHelper(dir), tar));
      }),
    mkdir: (path) => withHelper((t, h) => thenRemove(h, makeFolder(t, inHelper(path)))),
    async remove(path) {
      const target = inHelper(path);
      if (target === helperMount) throw new HandlerError('invalid_argument', 'volume.root', rootMessage);
      await withHelper((t, h) => thenRemove(h, statPath(t, target)));
      const r = await runHelper(client, [bind], ['rm', '-rf', '--', target]);
      if (r.code !== 0) {
        throw new HandlerError(
          r.code === 127 ? 'unsupported' : 'internal',
          'volume.rm_failed',
          `cannot delete ${path} (with rm in a helper container made from ${r.image}): ${r.output}`,
        );
      }
    },
  };
}

const rootMessage = 'the root folder of a volume cannot be deleted: remove the volume instead';
const notEmpty = (name: string) => `the volume ${name} is not empty: import into a new or an empty volume`;

async function volumeFs(client: EngineClient, name: string): Promise<VolumeFs> {
  if (await isBerthEngine(client)) return berthFs(client, name);
  await client.docker.getVolume(name).inspect(); // not_found for a missing volume, before any helper
  return helperFs(client, name);
}

/** Another engine copies through a helper that mounts both volumes. */
async function cloneWithHelper(client: EngineClient, name: string, target: string): Promise<void> {
  const helper = await createHelper(client, [`${name}:/berth-from:ro`, `${target}:/berth-to`]);
  try {
    const t: FilesTarget = { client, id: helper.id, shown: (p) => p, place: async () => `volume ${name}` };
    await putTar(t, '/berth-to', await archiveOf(t, '/berth-from/.'));
  } finally {
    await helper.remove();
  }
}

export function volumeFileHandlers(
  client: EngineClient,
  transfers: Transfers,
): Pick<InvokeHandlers, VolumeFileChannels> {
  const fs = (name: string) => volumeFs(client, name);
  return {
    async 'volumes.files'({ name, path }) {
      return (await fs(name)).list(path);
    },
    async 'volumes.preview'({ name, path }): Promise<FilePreview> {
      const file = await (await fs(name)).open(path);
      const head = await readHead(
        file.stream,
        previewBytesFor(file.name, file.size ?? Number.POSITIVE_INFINITY),
      );
      return previewOf(file.name, file.size ?? head.length, head);
    },
    async 'volumes.download'({ name, path }): Promise<TransferTicket> {
      if (normalizeVolumePath(path) === '/') {
        throw new HandlerError('invalid_argument', 'volume.not_a_file', 'choose a file');
      }
      const file = await (await fs(name)).open(path);
      return transfers.download({ name: file.name, size: file.size, body: file.stream });
    },
    async 'volumes.upload'({ name, path }): Promise<TransferTicket> {
      const v = await fs(name);
      const sink = new PassThrough();
      return transfers.upload({ name: path, sink, done: v.extract(path, sink, false) });
    },
    async 'volumes.mkdir'({ name, path }) {
      await (await fs(name)).mkdir(path);
    },
    async 'volumes.deletePath'({ name, path }) {
      if (normalizeVolumePath(path) === '/') {
        throw new HandlerError('invalid_argument', 'volume.root', rootMessage);
      }
      await (await fs(name)).remove(path);
    },
    async 'volumes.export'({ name }): Promise<TransferTicket> {
      const body = await (await fs(name)).archive();
      return transfers.download({ name: `${name}.tar`, contentType: 'application/x-tar', body });
    },
    async 'volumes.import'({ name }): Promise<TransferTicket> {
      const exists = await client.docker
        .getVolume(name)
        .inspect()
        .then(
          () => true,
          (err: { statusCode?: number }) => {
            if (err.statusCode === 404) return false;
            throw err;
          },
        );
      if (!exists) await client.docker.createVolume({ Name: name });
      const v = await fs(name).catch(async (err: unknown) => {
        if (!exists)
          await client.docker
            .getVolume(name)
            .remove()
            .catch(() => undefined);
        throw err;
      });
      if (exists && (await v.list('/')).length > 0) {
        throw new HandlerError('conflict', 'volume.not_empty', notEmpty(name));
      }
      const sink = new PassThrough();
      const done = v.extract('/', sink, true).catch(async (err: unknown) => {
        // Loses nothing: only a volume made for this import goes again.
        if (!exists)
          await client.docker
            .getVolume(name)
            .remove()
            .catch(() => undefined);
        throw err;
      });
      return transfers.upload({ name: `${name}.tar`, sink, done });
    },
    async 'volumes.clone'({ name, target }) {
      if (await isBerthEngine(client)) {
        const made = await dial<{ Name: string }>(client, {
          method: 'POST',
          path: `/volumes/${encodeURIComponent(name)}/clone`,
          options: { _body: { Name: target } },
        });
        return { name: made.Name };
      }
      await client.docker.getVolume(name).inspect();
      const taken = await client.docker
        .getVolume(target)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (taken) {
        throw new HandlerError(
          'conflict',
          'volume.exists',
          `clone ${name}: a volume named ${target} already exists`,
        );
      }
      await client.docker.createVolume({ Name: target });
      try {
        await cloneWithHelper(client, name, target);
      } catch (err) {
        await client.docker
          .getVolume(target)
          .remove()
          .catch(() => undefined);
        throw err;
      }
      return { name: target };
    },
  };
}
