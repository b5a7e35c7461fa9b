// What the image and build scenarios share: build contexts on disk, and output whose line order the
// docker CLI itself leaves to chance.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import type { RunResult } from '../harness.ts';
import type { Ctx } from './sweep.ts';

let root: string | undefined;

/**
 * A build context in a temp dir that lives as long as the test file: file name → content (a name
 * ending in `/` is an empty directory).
 */
export function context(files: Record<string, string>): string {
  if (!root) {
    root = mkdtempSync('/tmp/sweep-ctx-');
    const made = root;
    after(() => rmSync(made, { recursive: true, force: true }));
  }
  const dir = mkdtempSync(path.join(root, 'c-'));
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    if (name.endsWith('/')) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/** A path for a file a command writes (--iidfile, save -o), removed with the contexts. */
export function outFile(name: string): string {
  return path.join(context({}), name);
}

/** The CLI's notice before every classic build (it has no buildx here, like the CLI scripts run). */
export const legacyNotice =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n' +
  '            Install the buildx component to build images with BuildKit:\n' +
  '            https://docs.docker.com/go/buildx/\n\n';

/**
 * Runs docker and sorts stdout's lines: the CLI prints the tags of one image in Go map order, and
 * images created in the same second in any order, on dockerd as anywhere.
 */
export function sorted(c: Ctx, args: string[], input?: string): RunResult {
  const r = c.docker(args, input);
  const lines = r.stdout.split('\n').filter(Boolean).sort();
  return { ...r, stdout: lines.map((l) => `${l}\n`).join('') };
}

/** Runs a shell script against the engine (for pipes such as `tar -c … | docker build -`). */
export function sh(c: Ctx, script: string): RunResult {
  const r = spawnSync('sh', ['-c', script], {
    env: {
      ...process.env,
      DOCKER_HOST: c.d.host,
      DOCKER_CONFIG: path.join(c.d.root, 'docker-config'),
      DOCKER_CLI_HINTS: 'false',
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}
