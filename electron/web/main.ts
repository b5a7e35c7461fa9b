// `npm start -- --web` (or no Electron/display): serves the UI on 127.0.0.1 and prints its URL.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngineClient, createHandlers } from '../main/index.ts';
import { createWebApp } from './server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// Bundled as dist/web/main.mjs (renderer in ../renderer) or run from source (../../dist/renderer).
const staticDir =
  process.env.BERTH_RENDERER_DIR ??
  [path.resolve(here, '../renderer'), path.resolve(here, '../../dist/renderer')].find((d) =>
    existsSync(path.join(d, 'index.html')),
  ) ??
  path.resolve(here, '../renderer');
const app = createWebApp({ handlers: createHandlers(createEngineClient()), staticDir });
const url = await app.listen(Number(process.env.BERTH_WEB_PORT ?? 0));
console.log(`Berth UI: ${url}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => void app.close().then(() => process.exit(0)));
}
