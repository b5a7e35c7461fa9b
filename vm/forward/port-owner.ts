// Who holds a host port that a forward could not take, so the message can say "port 8080 on
// 127.0.0.1 is taken by nginx (pid 4242)". ss (Linux) first, then lsof (macOS, Linux without
// iproute2); neither present, or neither can tell (another user's process without privileges): the
// message names the port alone.
import { execFile } from 'node:child_process';
import type { Proto } from './ports.ts';

export interface PortOwner {
  command: string;
  pid: number;
}

/** `users:(("nginx",pid=4242,fd=6),…)` in `ss -p` output. */
export function parseSsOwner(out: string): PortOwner | undefined {
  const m = /users:\(\("([^"]*)",pid=(\d+)/.exec(out);
  return m ? { command: m[1], pid: Number(m[2]) } : undefined;
}

/** `lsof -F pc` output: `p4242` then `cnginx`. */
export function parseLsofOwner(out: string): PortOwner | undefined {
  const pid = /^p(\d+)$/m.exec(out);
  const cmd = /^c(.*)$/m.exec(out);
  return pid ? { command: cmd?.[1] ?? '?', pid: Number(pid[1]) } : undefined;
}

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile(cmd, args, { timeout: 3_000 }, (err, stdout) => resolve(err && !stdout ? undefined : stdout)),
  );
}

export async function findPortOwner(proto: Proto, port: number): Promise<PortOwner | undefined> {
  const ss = await run('ss', ['-H', proto === 'tcp' ? '-ltnp' : '-lunp', `sport = :${port}`]);
  const bySs = ss === undefined ? undefined : parseSsOwner(ss);
  if (bySs) return bySs;
  const spec = proto === 'tcp' ? [`-iTCP:${port}`, '-sTCP:LISTEN'] : [`-iUDP:${port}`];
  const lsof = await run('lsof', ['-nP', ...spec, '-Fpc']);
  return lsof === undefined ? undefined : parseLsofOwner(lsof);
}

export function describeOwner(owner: PortOwner | undefined): string {
  return owner ? `${owner.command} (pid ${owner.pid})` : 'another process';
}
