import { invalid } from '../../core/errors.ts';
import type { Engine } from '../../services/engine.ts';
import type { Router } from '../router.ts';

/** POST /images/create (pull, or import with fromSrc), and later push, auth and search. */
export function registryRoutes(router: Router, engine: Engine): void {
  const images = engine.images;

  router.add('POST', '/images/create', async (req) => {
    const fromSrc = req.query.get('fromSrc');
    if (fromSrc === null) {
      const image = req.query.get('fromImage') ?? '';
      const tag = req.query.get('tag');
      const ref = tag && !image.includes('@') ? `${image}:${tag}` : image;
      // No registry client yet: answer as dockerd does when the registry cannot be reached.
      throw invalid(
        `pull access denied for ${ref.replace(/:latest$/, '')}, repository does not exist or may require 'docker login': no registry client in this version of berthd`,
      );
    }
    if (fromSrc !== '-')
      throw invalid('importing from a URL is not supported yet; use `docker import -` with a tar on stdin');
    const out = req.stream('application/json');
    try {
      const id = await images.import(req.raw, {
        repo: req.query.get('repo') ?? undefined,
        tag: req.query.get('tag') ?? undefined,
        changes: req.query.getAll('changes'),
        message: req.query.get('message') ?? undefined,
      });
      out.write(`${JSON.stringify({ status: id })}\n`);
    } catch (err) {
      const msg = String((err as Error).message ?? err);
      out.write(`${JSON.stringify({ errorDetail: { message: msg }, error: msg })}\n`);
    }
    out.end();
  });
}
