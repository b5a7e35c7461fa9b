import { invalid } from '../../core/errors.ts';
import type { Engine } from '../../services/engine.ts';
import type { ExecConfig } from '../../services/exec/service.ts';
import type { Router } from '../router.ts';

export function execRoutes(router: Router, engine: Engine): void {
  router.add('POST', '/containers/{id}/exec', async (req) => {
    const body = await req.json<Partial<ExecConfig>>();
    if (!body || typeof body !== 'object') throw invalid('exec config cannot be empty');
    req.send(201, { Id: engine.exec.create(req.params.id, body) });
  });

  router.add('POST', '/exec/{id}/start', async (req) => {
    const body =
      (await req.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] }>()) ?? {};
    const session = engine.exec.get(req.params.id);
    if (body.ConsoleSize && session.config.Tty) session.config.ConsoleSize = body.ConsoleSize;
    if (body.Detach) {
      await engine.exec.start(req.params.id, true);
      req.send(200, '');
      return;
    }
    const client = req.hijack(
      session.config.Tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
    );
    await engine.exec.start(req.params.id, false, client);
  });

  router.add('POST', '/exec/{id}/resize', async (req) => {
    await engine.exec.resize(req.params.id, req.int('h') ?? 0, req.int('w') ?? 0);
    req.send(200, '');
  });

  router.add('GET', '/exec/{id}/json', async (req) => {
    req.send(200, engine.exec.inspect(req.params.id));
  });
}
