import { Writable } from 'node:stream';
import { invalid, notFound } from '../../core/errors.ts';
import { parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { imageLayerFiles } from '../../services/images/layer-files.ts';
import type { Lease } from '../../services/images/service.ts';
import type { ImageRecord } from '../../storage/image-store.ts';
import { noSuchImage } from '../../storage/reference.ts';
import type { Router } from '../router.ts';

export function imageRoutes(router: Router, engine: Engine): void {
  const images = engine.images;

  router.add('GET', '/images/json', async (req) => {
    req.send(
      200,
      await images.list({
        all: req.bool('all'),
        filters: parseFilters(req.query.get('filters')),
        digests: req.bool('digests'),
      }),
    );
  });

  router.add('POST', '/images/load', async (req) => {
    const quiet = req.bool('quiet');
    const out = req.stream('application/json');
    try {
      await images.load(req.raw, (msg) => {
        if (!quiet || !('progress' in msg)) out.write(`${JSON.stringify(msg)}\n`);
      });
    } catch (err) {
      out.write(
        `${JSON.stringify({ errorDetail: { message: String((err as Error).message ?? err) }, error: String((err as Error).message ?? err) })}\n`,
      );
    }
    out.end();
  });

  router.add('GET', '/images/get', async (req) => {
    const names = req.query.getAll('names');
    if (names.length === 0) throw invalid('no images specified');
    for (const n of names) if (!(await images.resolve(n))) throw notFound(`No such image: ${n}`);
    const out = req.stream('application/x-tar');
    await images.save(names, writableOf(out));
    out.end();
  });

  router.add('GET', '/images/{name*}/get', async (req) => {
    if (!(await images.resolve(req.params.name))) throw notFound(`No such image: ${req.params.name}`);
    const out = req.stream('application/x-tar');
    await images.save([req.params.name], writableOf(out));
    out.end();
  });

  router.add('POST', '/images/prune', async (req) => {
    req.send(200, await images.prune(parseFilters(req.query.get('filters'))));
  });

  // Berth's own: the files each layer adds, changes and deletes (for the desktop app's layer view).
  router.add('GET', '/images/{name*}/layers', async (req) => {
    req.send(200, await imageLayerFiles(images, req.params.name));
  });

  router.add('GET', '/images/{name*}/json', async (req) => {
    req.send(200, await images.inspect(req.params.name));
  });

  router.add('GET', '/images/{name*}/history', async (req) => {
    req.send(200, await history(engine, req.params.name));
  });

  router.add('POST', '/images/{name*}/tag', async (req) => {
    await images.tag(req.params.name, req.query.get('repo') ?? '', req.query.get('tag') ?? undefined);
    req.send(201, '');
  });

  router.add('DELETE', '/images/{name*}', async (req) => {
    req.send(
      200,
      await images.remove(req.params.name, { force: req.bool('force'), noprune: req.bool('noprune') }),
    );
  });
}

/** GET /images/{name}/history: newest first; layers that add files carry their size. */
async function history(engine: Engine, ref: string) {
  // Its layers stay while they are measured, even if the image is deleted meanwhile.
  const lease = engine.images.lease();
  try {
    return await historyOf(engine, ref, lease);
  } finally {
    lease.release();
  }
}

async function historyOf(engine: Engine, ref: string, lease: Lease) {
  const store = engine.images.store;
  const rec = store.resolve(ref);
  if (!rec || !lease.read(rec.id)) throw noSuchImage(ref);
  const config = await store.config(rec.id);
  const entries = config.history ?? [];
  // As dockerd measures a layer: the bytes its own diff adds (what `docker images` sums up).
  const sizes = await Promise.all(rec.chainIds.map((c) => store.layers.size(c)));
  let layer = 0;
  const out = entries.map((h) => {
    const empty = h.empty_layer === true;
    const size = empty ? 0 : (sizes[layer++] ?? 0);
    return {
      Id: '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: null as string[] | null,
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  if (out.length === 0) {
    out.push({
      Id: '<missing>',
      Created: 0,
      CreatedBy: '',
      Tags: null,
      Size: sizes.reduce((a, b) => a + b, 0),
      Comment: '',
    });
  }
  out.reverse();
  // Like dockerd: from the top, each entry is the next image down the parent chain while it is here.
  let img: ImageRecord | undefined = rec;
  for (const entry of out) {
    if (!img) break;
    const tags = store.tagsOf(img.id);
    entry.Id = img.id;
    entry.Tags = tags.length ? tags : null;
    img = img.parent ? store.get(img.parent) : undefined;
  }
  return out;
}

function writableOf(out: { write(d: Buffer): boolean; end(): void }): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.write(chunk);
      cb();
    },
    final(cb) {
      cb();
    },
  });
}
