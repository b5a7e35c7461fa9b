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
  external: ['node-unix-socket', 'better-sqlite3'],
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
};

// The orchestrator is a file of its own that berthd imports only with --kubernetes, so that its code
// (certificates, schemas, YAML) costs the engine's idle memory nothing. The name ends in .mjs so that it
// loads as an ES module beside dist/berthd.js and beside the packaged berthd.mjs alike.
const kubernetesChunk = 'berthd-kubernetes.mjs';
const orchestratorApart = {
  name: 'orchestrator-apart',
  setup(b) {
    b.onResolve({ filter: /orchestrator\/apiserver\/main\.ts$/ }, (args) =>
      args.importer.endsWith('daemon.ts') ? { path: `./${kubernetesChunk}`, external: true } : undefined,
    );
  },
};

await build({
  ...common,
  entryPoints: ['native/daemon.ts'],
  outfile: 'dist/berthd.js',
  plugins: [orchestratorApart],
});
await build({
  ...common,
  entryPoints: ['native/orchestrator/apiserver/main.ts'],
  outfile: `dist/${kubernetesChunk}`,
});
// The `berth` command (vm/cli): ssh2 stays in node_modules (its optional native parts load there).
await build({
  ...common,
  external: [...common.external, 'ssh2'],
  entryPoints: ['vm/cli/bundle-entry.ts'],
  outfile: 'dist/berth.mjs',
});
