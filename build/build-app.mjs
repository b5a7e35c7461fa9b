// Builds the desktop app: the renderer with Vite, Electron main/preload and the web-mode server with
// esbuild. Run as its own process by build/start.mjs (and `npm start -- --build`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function buildApp() {
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/main/app.ts')],
      outfile: path.join(root, 'dist/electron/main.cjs'),
      format: 'cjs',
      external: ['electron'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/preload/index.ts')],
      outfile: path.join(root, 'dist/electron/preload.cjs'),
      format: 'cjs',
      external: ['electron'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'electron/web/main.ts')],
      outfile: path.join(root, 'dist/web/main.mjs'),
      format: 'esm',
    }),
  ]);
}

await buildApp();
