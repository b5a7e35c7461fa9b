// Bundles berthd (and, as they land, the other entry points) with esbuild.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native addons stay outside the bundle and load from node_modules.
  external: ['node-unix-socket'],
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
};

await build({ ...common, entryPoints: ['native/daemon.ts'], outfile: 'dist/berthd.js' });
