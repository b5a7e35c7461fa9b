import { CommandFailedError, errorMessage, invalid } from '../../core/errors.ts';
import type { Engine } from '../../services/engine.ts';
import type { ImageBuilder } from '../../services/images/build.ts';
import type { ClientStream } from '../http.ts';
import { jsonParam } from '../params.ts';
import type { Router } from '../router.ts';

/** POST /build (the classic builder) and POST /commit. */
export function buildRoutes(router: Router, engine: Engine, builder: ImageBuilder): void {
  router.add('POST', '/commit', async (req) => {
    const q = req.query;
    const id = await engine.containerOps.commit(q.get('container') ?? '', {
      repo: q.get('repo') ?? undefined,
      tag: q.get('tag') ?? undefined,
      comment: q.get('comment') ?? undefined,
      author: q.get('author') ?? undefined,
      pause: req.bool('pause', true),
      changes: q.getAll('changes').filter((c) => c.trim() !== ''),
    });
    req.send(201, { Id: id });
  });

  router.add('POST', '/build', async (req) => {
    const q = req.query;
    const remote = q.get('remote');
    if (remote)
      throw invalid(
        `remote build contexts (${remote}) are not supported: berthd builds have no network access`,
      );
    const cancelled = new AbortController();
    req.res?.on('close', () => {
      if (!req.res?.writableFinished) cancelled.abort();
    });
    const quiet = req.bool('q');
    // The response starts with the first message: errors before it (a parse error, a missing
    // Dockerfile) are plain API errors, as dockerd answers them.
    let out: ClientStream | undefined;
    const write = (msg: object) => {
      out ??= req.stream('application/json');
      out.write(`${JSON.stringify(msg)}\n`);
    };
    // With -q, dockerd holds the output back, and sends it before the error if the build fails.
    const held: object[] = [];
    const progress = (msg: object) => (quiet ? held.push(msg) : write(msg));
    const opts = {
      dockerfile: q.get('dockerfile') || 'Dockerfile',
      tags: q.getAll('t'),
      buildArgs: jsonParam<Record<string, string | null>>(q, 'buildargs', {}),
      target: q.get('target') || undefined,
      labels: jsonParam<Record<string, string>>(q, 'labels', {}),
      noCache: req.bool('nocache'),
      quiet,
      rm: req.bool('rm', true),
      signal: cancelled.signal,
      alwaysPull: req.bool('pull'),
    };
    try {
      await builder.build(req.raw, opts, {
        stream: (text) => progress({ stream: text }),
        result: (text) => write({ stream: text }),
        aux: (value) => write({ aux: value }),
      });
    } catch (err) {
      for (const msg of held) write(msg);
      if (!out) throw err;
      const message = errorMessage(err);
      const code = err instanceof CommandFailedError ? { code: err.exitCode } : {};
      write({ errorDetail: { ...code, message }, error: message });
    }
    out?.end();
  });
}
