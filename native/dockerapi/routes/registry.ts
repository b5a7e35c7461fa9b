import { errorMessage, invalid } from '../../core/errors.ts';
import { decodeRegistryAuth } from '../../registry/auth.ts';
import { registryConfigFromEnv } from '../../registry/endpoint.ts';
import { login } from '../../registry/login.ts';
import { type ProgressMessage, type ProgressSink, progress } from '../../registry/progress.ts';
import { searchImages } from '../../registry/search.ts';
import type { Engine } from '../../services/engine.ts';
import { applyChanges } from '../../services/images/changes.ts';
import { pullImage } from '../../services/images/pull.ts';
import { pushImage } from '../../services/images/push.ts';
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
      write(progress.error(errorMessage(err)));
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
  const config = registryConfigFromEnv();
  const auth = (req: ApiRequest) => {
    const h = req.raw.headers['x-registry-auth'];
    return decodeRegistryAuth(Array.isArray(h) ? h[0] : h);
  };

  router.add('POST', '/images/create', async (req) => {
    const fromSrc = req.query.get('fromSrc');
    if (fromSrc === null) {
      const image = req.query.get('fromImage') ?? '';
      if (!image) throw invalid('image name is required (fromImage)');
      const ref = pullReference(image, req.query.get('tag'));
      const creds = auth(req);
      const stream = lazyStream(req);
      try {
        const res = await pullImage(images.store, {
          ref,
          platform: req.query.get('platform') ?? undefined,
          creds,
          config,
          progress: stream.sink,
        });
        engine.events.emit({
          Type: 'image',
          Action: 'pull',
          Actor: { ID: res.reference, Attributes: { name: res.reference } },
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
      const pushed = await pushImage(images.store, {
        name: req.params.name,
        tag: req.query.get('tag') ?? undefined,
        creds,
        config,
        progress: stream.sink,
      });
      for (const p of pushed) {
        const name = `${req.params.name.replace(/:[^:/]*$/, '')}:${p.tag}`;
        engine.events.emit({ Type: 'image', Action: 'push', Actor: { ID: name, Attributes: { name } } });
      }
    } catch (err) {
      stream.fail(err);
    }
    stream.end();
  });

  router.add('POST', '/auth', async (req) => {
    const body = (await req.json<Record<string, unknown>>()) ?? {};
    const creds = decodeRegistryAuth(Buffer.from(JSON.stringify(body)).toString('base64'));
    req.send(200, await login(creds, config));
  });

  router.add('GET', '/images/search', async (req) => {
    const term = req.query.get('term') ?? '';
    if (!term) throw invalid('search term is required');
    req.send(200, await searchImages(term, req.int('limit'), config));
  });
}
