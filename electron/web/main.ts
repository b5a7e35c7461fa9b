// `npm start -- --web` (or no Electron/display): serves the UI on 127.0.0.1 and prints its URL.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailableLoginItems } from '../main/app/login-items.ts';
import {
  createAppServices,
  createHandlers,
  startMachineOnLaunch,
  startManagedEngine,
} from '../main/index.ts';
import { createWebApp } from './server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Bundled as dist/web/main.mjs (renderer and berthd in ..) or run from source (../../dist). */
const built = (name: string) =>
  [path.resolve(here, '..', name), path.resolve(here, '../../dist', name)].find((p) => existsSync(p)) ??
  path.resolve(here, '..', name);
const staticDir = process.env.BERTH_RENDERER_DIR ?? path.dirname(built('renderer/index.html'));
const services = await createAppServices({
  loginItems: unavailableLoginItems(
    'Web mode: here Berth is a server that `npm start` runs, not an app of your desktop session. ' +
      'Start at login comes with the desktop app (Electron).',
  ),
  berthd: { command: process.execPath, script: built('berthd.js') },
  // The `berth` command (vm/cli/berth.mjs: the bundle dist/berth.mjs when built, else the sources).
  agent: { command: process.execPath, entry: path.resolve(here, '../../vm/cli/berth.mjs') },
});
const handlers = createHandlers(services.engine, undefined, services);
const app = createWebApp({ handlers, staticDir });
const url = await app.listen(Number(process.env.BERTH_WEB_PORT ?? 0));
console.log(`Berth UI: ${url}`);
startManagedEngine(services, (m) => console.error(`berth: ${m}`));
startMachineOnLaunch(services, (m) => console.error(`berth: ${m}`));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // Terminal sessions end and pending removals happen first (berthd needs to be up for that), then
    // the server and the engine the app started.
    void Promise.resolve(handlers.dispose?.())
      .catch((err: Error) => console.error(`berth: closing terminals: ${err.message}`))
      .then(() => app.close())
      .then(() => services.managed?.stop())
      // The machine belongs to its agent and lives on (as after `berth start`); only the app's connection ends.
      .then(() => services.machine?.close())
      .finally(() => process.exit(0));
  });
}
