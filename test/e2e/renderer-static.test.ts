// The renderer has its own tsconfigs (DOM lib, JSX; tests add Node); the root typecheck does not see them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../conformance/harness.ts';

for (const config of ['renderer/tsconfig.json', 'renderer/tsconfig.test.json']) {
  test(`renderer typechecks (tsc -p ${config}, strict)`, () => {
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(repoRoot, config), '--noEmit'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
