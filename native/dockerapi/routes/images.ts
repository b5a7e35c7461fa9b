import { Writable } from 'node:stream';
import { invalid, notFound } from '../../core/errors.ts';
import { parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { imageLayerFiles } from '../../services/images/layer-files.ts';
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
    req.send(200, await images.history(req.params.name));
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
