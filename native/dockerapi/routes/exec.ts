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
    if (body.Detach) {
      await engine.exec.startDetached(req.params.id);
      req.send(200, '');
      return;
    }
    await req.attachStdio((input) =>
      engine.exec.startAttached(req.params.id, { input, consoleSize: body.ConsoleSize }),
    );
  });

  router.add('POST', '/exec/{id}/resize', async (req) => {
    await engine.exec.resize(req.params.id, req.int('h') ?? 0, req.int('w') ?? 0);
    req.send(200, '');
  });

  router.add('GET', '/exec/{id}/json', async (req) => {
    req.send(200, engine.exec.inspect(req.params.id));
  });
}
