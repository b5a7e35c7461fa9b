// The real Electron shell, driven by Playwright's Electron support where a binary exists.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { repoRoot } from '../conformance/harness.ts';

function electronBinary(): string | null {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown;
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skip = !bin
  ? 'no Electron binary in this environment'
  : !display
    ? 'no display in this environment'
    : false;

test('Electron: the window opens the dashboard with the contract bridge only', { skip }, async () => {
  const app = await electron.launch({ executablePath: bin ?? undefined, args: [repoRoot], cwd: repoRoot });
  try {
    const win = await app.firstWindow();
    await win.getByRole('navigation', { name: 'Main' }).waitFor();
    const exposed = await win.evaluate<Record<string, string>>(
      '({ berth: typeof window.berth, require: typeof window.require, process: typeof window.process })',
    );
    assert.deepEqual(exposed, { berth: 'object', require: 'undefined', process: 'undefined' });
    await win.screenshot({ path: path.join(repoRoot, 'test/e2e/screenshots/electron.png') });
  } finally {
    await app.close();
  }
});
