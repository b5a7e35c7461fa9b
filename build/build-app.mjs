// Builds the desktop app: the renderer with Vite, Electron main/preload and the web-mode server with
// esbuild. Run as its own process by build/start.mjs (and `npm start -- --build`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * CommonJS has no import.meta, which esbuild leaves empty there: Electron's main bundle takes `url`
 * from its own file instead (vm/cli/launch.ts finds the project's root, the machine's image and berthd
 * from it; empty, `fileURLToPath` threw at the app's first machine status).
 */
export const cjsImportMetaUrl = {
  define: { 'import.meta.url': '__berthImportMetaUrl' },
  banner: { js: "const __berthImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

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
      ...cjsImportMetaUrl,
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildApp();
