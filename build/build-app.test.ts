import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
// @ts-expect-error: a script of the build, without types
import { cjsImportMetaUrl } from './build-app.mjs';

const root = path.resolve(import.meta.dirname, '..');

test("Electron's CommonJS main finds the project from its own file, as the ESM code does from import.meta", async () => {
  // Beside the real bundle's place (dist/electron/main.cjs), so that the walk up finds package.json.
  const dir = mkdtempSync(path.join(root, 'dist', '.build-app-test-'));
  try {
    const outfile = path.join(dir, 'main.cjs');
    const r = await esbuild.build({
      entryPoints: [path.join(root, 'vm/cli/launch.ts')],
      bundle: true,
      platform: 'node',
      packages: 'external',
      format: 'cjs',
      outfile,
      logLevel: 'silent',
      ...cjsImportMetaUrl,
    });
    assert.deepEqual(
      r.warnings.map((w) => w.text),
      [],
    );
    const launch = createRequire(outfile)(outfile) as { projectRoot(): string };
    assert.equal(launch.projectRoot(), root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
