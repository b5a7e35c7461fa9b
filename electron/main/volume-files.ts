// The volume file browser, over berthd's own routes `GET /volumes/{name}/files?path=` (a directory's
// entries) and `GET /volumes/{name}/file?path=` (a file's bytes). Other Docker engines have no such
// routes: their 404 becomes an `unsupported` error that says browsing needs Berth's engine.
import type { Readable } from 'node:stream';
import type { FileDownload, VolumeFileEntry } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import { type DialError, dial, isBerthEngine } from './engine-dial.ts';
import { HandlerError } from './errors.ts';
import type { InvokeHandlers } from './handlers.ts';

/** Files are carried base64 in one message; larger ones are refused with a way out. */
export const maxDownloadBytes = 32 * 1024 * 1024;

/** Absolute, `/`-separated, no empty or `.` parts; `..` is left to the engine, which confines it. */
export function normalizeVolumePath(p: string): string {
  const parts = p.split('/').filter((s) => s && s !== '.');
  return `/${parts.join('/')}`;
}

/**
 * A 404 from a files route means: the volume is gone, the path is missing (berthd), or the engine
 * has no such route (any other engine; dockerd even reads `v/files` as a volume name).
 */
async function explain404(client: EngineClient, name: string, err: unknown): Promise<never> {
  if ((err as DialError).statusCode !== 404) throw err;
  await client.docker.getVolume(name).inspect(); // throws not_found when the volume is gone
  if (!(await isBerthEngine(client))) {
    throw new HandlerError(
      'unsupported',
      'volume.browse_unsupported',
      "Browsing the files of a volume needs Berth's engine (berthd); this engine has no file API.",
    );
  }
  throw err;
}

async function readLimited(stream: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      stream.destroy();
      throw tooLarge(what);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `size` when the engine declared it; without it the stream just ran past the limit. */
function tooLarge(what: string, size?: number): HandlerError {
  const mb = (n: number) => `${Math.ceil(n / 1024 / 1024)} MB`;
  const limit = mb(maxDownloadBytes);
  return new HandlerError(
    'invalid_argument',
    'volume.file_too_large',
    `${what} is ${size === undefined ? `over ${limit}` : mb(size)}; files over ${limit} cannot be ` +
      'downloaded here: copy it out with a container (docker run -v VOLUME:/data … cat /data/FILE)',
  );
}

export function volumeFileHandlers(
  client: EngineClient,
): Pick<InvokeHandlers, 'volumes.files' | 'volumes.download'> {
  const route = (name: string, what: 'files' | 'file') => `/volumes/${encodeURIComponent(name)}/${what}?`;
  return {
    async 'volumes.files'({ name, path }): Promise<VolumeFileEntry[]> {
      try {
        return await dial<VolumeFileEntry[]>(client, {
          path: route(name, 'files'),
          options: { path: normalizeVolumePath(path) },
        });
      } catch (err) {
        return explain404(client, name, err);
      }
    },
    async 'volumes.download'({ name, path }): Promise<FileDownload> {
      const file = normalizeVolumePath(path);
      if (file === '/') throw new HandlerError('invalid_argument', 'volume.not_a_file', 'choose a file');
      let stream: Readable & { headers?: Record<string, string> };
      try {
        stream = await dial(client, { path: route(name, 'file'), options: { path: file }, isStream: true });
      } catch (err) {
        return explain404(client, name, err);
      }
      const base = file.slice(file.lastIndexOf('/') + 1);
      const declared = Number(stream.headers?.['content-length'] ?? Number.NaN);
      if (declared > maxDownloadBytes) {
        stream.destroy();
        throw tooLarge(base, declared);
      }
      const data = await readLimited(stream, maxDownloadBytes, base);
      return { name: base, size: data.length, base64: data.toString('base64') };
    },
  };
}
