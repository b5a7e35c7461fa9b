// Small pieces the container scenarios share: several commands as one result, and namespace identities.
import { readlinkSync } from 'node:fs';
import type { RunResult } from '../harness.ts';
import type { Ctx } from './sweep.ts';

/** Runs several commands, their outputs one after the other, the first failure's code. */
export function each(c: Ctx, runs: string[][]): RunResult {
  let code = 0;
  let stdout = '';
  let stderr = '';
  for (const args of runs) {
    const r = c.docker(args);
    code ||= r.code;
    stdout += r.stdout;
    stderr += r.stderr;
  }
  return { code, stdout, stderr };
}

/** The host's own namespace of a type, as `readlink /proc/self/ns/<type>` prints it. */
export const hostNs = (type: string): string => `${readlinkSync(`/proc/self/ns/${type}`)}\n`;

/** The namespace of a type that a running container's first process is in. */
export const containerNs = (c: Ctx, name: string, type: string): string =>
  c.must(['exec', name, 'readlink', `/proc/1/ns/${type}`]);

/** `same` or `different`: whether two namespace links name one namespace. */
export const sameNs = (a: string, b: string): string => (a === b ? 'same\n' : 'different\n');
