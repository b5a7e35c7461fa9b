import { pipeline } from 'node:stream/promises';
import { invalid } from '../../core/errors.ts';
import { parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { extractInto } from '../../services/volumes/extract.ts';
import { archivePath, makeFolder, removePath } from '../../services/volumes/file-ops.ts';
import { listVolumeFiles, openVolumeFile } from '../../services/volumes/files.ts';
import type { CreateVolumeRequest } from '../../services/volumes/service.ts';
import type { ApiRequest } from '../http.ts';
import type { Router } from '../router.ts';

/** The API version a request was made with (`/v1.41/...`), or undefined without the prefix. */
function requestVersion(req: ApiRequest): [number, number] | undefined {
  const m = /^\/v(\d+)\.(\d+)\//.exec(req.url.pathname);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function stringMap(v: unknown, field: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw invalid(
      `json: cannot unmarshal ${typeof v} into Go struct field CreateOptions.${field} of type map[string]string`,
    );
  return v as Record<string, string>;
}

export function volumeRoutes(router: Router, engine: Engine): void {
  const volumes = engine.volumes;

  router.add('GET', '/volumes', async (req) => {
    req.send(200, volumes.list(parseFilters(req.query.get('filters'))));
  });

  router.add('POST', '/volumes/create', async (req) => {
    const body = ((await req.json()) ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw invalid('invalid volume create request');
    const name = body.Name ?? '';
    const driver = body.Driver ?? '';
    if (typeof name !== 'string' || typeof driver !== 'string')
      throw invalid('invalid volume create request');
    const create: CreateVolumeRequest = {
      Name: name,
      Driver: driver,
      DriverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
      Labels: stringMap(body.Labels, 'Labels'),
    };
    req.send(201, await volumes.create(create));
  });

  router.add('POST', '/volumes/prune', async (req) => {
    const filters = parseFilters(req.query.get('filters'));
    // Before API 1.42 prune removed named volumes too, and had no `all` filter to ask for it.
    const v = requestVersion(req);
    if (v && (v[0] < 1 || (v[0] === 1 && v[1] < 42))) {
      if (filters.all) throw invalid(`Invalid filter 'all'`);
      filters.all = ['true'];
    }
    req.send(200, await volumes.prune(filters));
  });

  // Berth's own, for the desktop app: the entries of a directory and the bytes of a file in a volume.
  router.add('GET', '/volumes/{name}/files', async (req) => {
    const p = req.query.get('path') ?? '/';
    req.send(200, await volumes.withData(req.params.name, (dir) => listVolumeFiles(dir, p)));
  });

  router.add('GET', '/volumes/{name}/file', async (req) => {
    const p = req.query.get('path');
    if (!p) throw invalid('missing path');
    await volumes.withData(req.params.name, async (dir) => {
      const { handle, size } = await openVolumeFile(dir, p);
      try {
        req.stream('application/octet-stream', 200, { 'Content-Length': String(size) });
        if (req.res) await pipeline(handle.createReadStream({ autoClose: false }), req.res);
        else req.socket?.end();
      } finally {
        await handle.close();
      }
    });
  });

  // Berth's own changes: a tar of a path (the whole volume with path=/), a tar extracted into a folder
  // (`empty=1`: only into an empty one), a deletion, a new folder, a copy as a new volume.
  router.add('GET', '/volumes/{name}/archive', async (req) => {
    const p = req.query.get('path') ?? '/';
    await volumes.withData(req.params.name, async (dir) => {
      const { stream, done } = await archivePath(dir, p);
      const res = req.res;
      if (!res) {
        stream.destroy();
        throw invalid('an archive is not sent over an upgraded connection');
      }
      req.stream('application/x-tar', 200);
      try {
        await pipeline(stream, res, { end: false });
        await done;
        res.end();
      } catch {
        // Headers are out: a cut-off response is how the client learns that the tar is not whole.
        stream.destroy();
        res.destroy();
        await done.catch(() => undefined);
      }
    });
  });

  router.add('PUT', '/volumes/{name}/archive', async (req) => {
    const p = req.query.get('path');
    if (!p) throw invalid('missing path');
    await volumes.withData(req.params.name, (dir) =>
      extractInto(dir, p, req.raw, { requireEmpty: req.bool('empty') }),
    );
    req.send(200, '');
  });

  router.add('DELETE', '/volumes/{name}/files', async (req) => {
    const p = req.query.get('path');
    if (!p) throw invalid('missing path');
    await volumes.withData(req.params.name, (dir) => removePath(dir, p));
    req.send(204);
  });

  router.add('POST', '/volumes/{name}/mkdir', async (req) => {
    const p = req.query.get('path');
    if (!p) throw invalid('missing path');
    await volumes.withData(req.params.name, (dir) => makeFolder(dir, p));
    req.send(201, '');
  });

  router.add('POST', '/volumes/{name}/clone', async (req) => {
    const body = ((await req.json()) ?? {}) as { Name?: unknown };
    if (typeof body.Name !== 'string' || !body.Name) throw invalid('the new volume needs a Name');
    req.send(201, await volumes.clone(req.params.name, body.Name));
  });

  router.add('GET', '/volumes/{name}', async (req) => {
    req.send(200, volumes.inspect(req.params.name));
  });

  router.add('DELETE', '/volumes/{name}', async (req) => {
    await volumes.remove(req.params.name, req.bool('force'));
    req.send(204);
  });
}
