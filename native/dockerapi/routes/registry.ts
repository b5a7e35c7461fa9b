import { errorMessage, invalid } from '../../core/errors.ts';
import type { Engine } from '../../services/engine.ts';
import { applyChanges } from '../../services/images/changes.ts';
import type { ProgressMessage, ProgressSink } from '../../services/images/registry.ts';
import type { ApiRequest, ClientStream } from '../http.ts';
import type { Router } from '../router.ts';

/**
 * A JSON progress stream whose response starts with its first message: an error before that is
 * still a plain HTTP error (404 makes `docker run` say what is missing), one after it goes in-band.
 */
function lazyStream(req: ApiRequest): { sink: ProgressSink; fail(err: unknown): void; end(): void } {
  let out: ClientStream | undefined;
  const write = (msg: ProgressMessage) => {
    out ??= req.stream('application/json');
    out.write(`${JSON.stringify(msg)}\n`);
  };
  return {
    sink: write,
    fail(err) {
      if (!out) throw err;
      const message = errorMessage(err);
      write({ errorDetail: { message }, error: message });
    },
    end() {
      out?.end();
    },
  };
}

function pullReference(image: string, tag: string | null): string {
  if (!tag) return image;
  // The CLI sends a digest pull as fromImage=name&tag=sha256:….
  return /^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag) ? `${image}@${tag}` : `${image}:${tag}`;
}

/** POST /images/create (pull, or import with fromSrc), push, auth and search. */
export function registryRoutes(router: Router, engine: Engine): void {
  const images = engine.images;
  const registry = engine.registry;
  const auth = (req: ApiRequest) => registry.credentials(req.header('x-registry-auth'));

  router.add('POST', '/images/create', async (req) => {
    const fromSrc = req.query.get('fromSrc');
    if (fromSrc === null) {
      const image = req.query.get('fromImage') ?? '';
      if (!image) throw invalid('image name is required (fromImage)');
      const ref = pullReference(image, req.query.get('tag'));
      const creds = auth(req);
      const stream = lazyStream(req);
      try {
        await registry.pull({
          ref,
          platform: req.query.get('platform') ?? undefined,
          creds,
          progress: stream.sink,
        });
      } catch (err) {
        stream.fail(err);
      }
      stream.end();
      return;
    }
    if (fromSrc !== '-')
      throw invalid('importing from a URL is not supported yet; use `docker import -` with a tar on stdin');
    // Like dockerd, bad --change lines are refused before the tar is read, as a plain API error.
    const changes = req.query.getAll('changes');
    applyChanges({}, changes);
    const out = req.stream('application/json');
    try {
      const id = await images.import(req.raw, {
        repo: req.query.get('repo') ?? undefined,
        tag: req.query.get('tag') ?? undefined,
        changes,
        message: req.query.get('message') ?? undefined,
      });
      out.write(`${JSON.stringify({ status: id })}\n`);
    } catch (err) {
      const msg = String((err as Error).message ?? err);
      out.write(`${JSON.stringify({ errorDetail: { message: msg }, error: msg })}\n`);
    }
    out.end();
  });

  router.add('POST', '/images/{name*}/push', async (req) => {
    const creds = auth(req);
    const stream = lazyStream(req);
    try {
      await registry.push({
        name: req.params.name,
        tag: req.query.get('tag') ?? undefined,
        creds,
        progress: stream.sink,
      });
    } catch (err) {
      stream.fail(err);
    }
    stream.end();
  });

  router.add('POST', '/auth', async (req) => {
    const body = (await req.json<Record<string, unknown>>()) ?? {};
    req.send(200, await registry.login(registry.credentialsOf(body)));
  });

  router.add('GET', '/images/search', async (req) => {
    const term = req.query.get('term') ?? '';
    if (!term) throw invalid('search term is required');
    req.send(200, await registry.search(term, req.int('limit')));
  });
}
