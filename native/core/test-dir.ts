// Temporary directories for tests: made under the OS's tmpdir with a prefix that says whose they are,
// and removed when the test process exits, however its tests ended — a test run leaves /tmp as it found
// it (the runner's host check lists what is left there).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

function removeAll(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** A new empty directory `<tmpdir>/<prefix>XXXXXX`, removed at the process's exit. */
export function testDir(prefix: string): string {
  if (made.size === 0) process.once('exit', removeAll);
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
