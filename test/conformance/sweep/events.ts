// `docker events` over what a piece of work did: from just before it to just after it, so that
// events of the scenario before (the same names, the same second) are not among them.
import type { RunResult } from '../harness.ts';
import type { Ctx } from './sweep.ts';

const now = () => (Date.now() / 1000).toFixed(3);

export function eventsDuring(c: Ctx, work: () => void, filters: string[], format: string): RunResult {
  const since = now();
  work();
  const until = (Date.now() / 1000 + 1).toFixed(3);
  return c.docker([
    'events',
    '--since',
    since,
    '--until',
    until,
    ...filters.flatMap((f) => ['--filter', f]),
    '--format',
    format,
  ]);
}
