import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ClassicBuilder } from '../builder/service.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Engine } from '../services/engine.ts';
import { ApiRequest } from './http.ts';
import { Router } from './router.ts';
import { buildRoutes } from './routes/build.ts';
import { containerRoutes } from './routes/containers.ts';
import { execRoutes } from './routes/exec.ts';
import { imageRoutes } from './routes/images.ts';
import { networkRoutes } from './routes/networks.ts';
import { registryRoutes } from './routes/registry.ts';
import { systemRoutes } from './routes/system.ts';
import { volumeRoutes } from './routes/volumes.ts';

/** The classic builder over the engine's container and image interfaces, pulling FROM images anonymously. */
function classicBuilder(engine: Engine): ClassicBuilder {
  return new ClassicBuilder({
    backend: { containers: engine.containerOps, images: engine.imageOps },
    tagKeys: (tags) => engine.images.tagKeys(tags),
    pull: async (ref, status) => {
      await engine.registry.pull({
        ref,
        creds: {},
        quiet: true,
        progress: (m) => {
          if (typeof m.status === 'string' && !m.progressDetail)
            status(`${m.id ? `${m.id}: ` : ''}${m.status}`);
        },
      });
    },
  });
}

export function buildRouter(engine: Engine): Router {
  const router = new Router();
  systemRoutes(router, engine);
  containerRoutes(router, engine);
  execRoutes(router, engine);
  imageRoutes(router, engine);
  registryRoutes(router, engine);
  buildRoutes(router, engine, classicBuilder(engine));
  networkRoutes(router, engine);
  volumeRoutes(router, engine);
  return router;
}

/**
 * Answers one request: matches a route, runs it, and turns what it throws into Docker's error body
 * (`{"message": …}` with the status of its kind). Server and `inject` both go through here.
 */
export function dispatcher(router: Router, log: Logger): (req: ApiRequest) => Promise<void> {
  return async (req: ApiRequest) => {
    const m = router.match(req.method, req.url.pathname);
    if (m === undefined) return req.send(404, { message: `page not found` });
    if (m === 'method') return req.send(405, { message: `method not allowed` });
    req.params = m.params;
    try {
      await m.handler(req);
      if (!req.isResponded) req.send(204);
    } catch (err) {
      log.debug('request failed', { method: req.method, path: req.url.pathname, error: errorMessage(err) });
      if (!req.isResponded) req.error(err);
      else req.res?.destroy();
    }
  };
}

/** Builds the Docker Engine API server; listening is separate (see listenUnix). */
export function createDockerApiServer(engine: Engine, log: Logger): http.Server {
  const dispatch = dispatcher(buildRouter(engine), log);
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (raw, res) => {
    void dispatch(new ApiRequest(raw, res, undefined, undefined));
  });
  server.on('upgrade', (raw: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void dispatch(new ApiRequest(raw, undefined, socket, head));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{"message":"malformed request"}\n',
      );
  });
  return server;
}

/** Listens on a unix socket with mode 0600, replacing a stale socket file. */
/** Listens on a TCP address (a loopback one: the flags refuse others). */
export async function listenTcp(server: http.Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function listenUnix(server: http.Server, socketPath: string): Promise<void> {
  await fs.rm(socketPath, { force: true });
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  await fs.chmod(socketPath, 0o600);
}
