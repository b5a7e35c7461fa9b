// The host's network state that tests and benchmarks must leave as they found it: the names of the
// links (`ip -o link show`) and the iptables rules and chains of the filter and nat tables
// (`iptables -S`). Recorded before the suites and compared after; any difference is listed.
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** Link names from `ip -o link show` output (`7: vethab12@if6: <…>` → `vethab12`). */
export function linkNames(text) {
  return text
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter(Boolean)
    .sort();
}

/**
 * The host's state now, or `{ unavailable: why }` where it cannot be read (no `ip` or `iptables`, not
 * root): then the check is skipped, not passed.
 */
export function snapshot() {
  const links = run('ip', ['-o', 'link', 'show']);
  const filter = run('iptables', ['-w', '-S']);
  const nat = run('iptables', ['-w', '-t', 'nat', '-S']);
  if (links === undefined || filter === undefined || nat === undefined)
    return { unavailable: 'ip -o link show and iptables -S need the ip and iptables commands and root' };
  const lines = (t) => t.split('\n').filter(Boolean);
  return { links: linkNames(links), filter: lines(filter), nat: lines(nat) };
}

/** What differs between two snapshots, one line each (`+` appeared, `-` disappeared). */
export function differences(before, after) {
  const out = [];
  const compare = (what, a, b) => {
    const was = new Set(a);
    const now = new Set(b);
    for (const x of a) if (!now.has(x)) out.push(`- ${what}: ${x}`);
    for (const x of b) if (!was.has(x)) out.push(`+ ${what}: ${x}`);
  };
  compare('link', before.links, after.links);
  compare('iptables', before.filter, after.filter);
  compare('iptables -t nat', before.nat, after.nat);
  return out;
}

/**
 * The closing check as one test: `{ pass, fail, skipped }` and the line printed for it.
 * @param {ReturnType<typeof snapshot>} before
 * @param {(line: string) => void} print where the result line goes
 */
export function checkHost(before, after = snapshot(), print = console.log) {
  const name = 'the host is left as found (ip link, iptables filter and nat)';
  if (before.unavailable || after.unavailable) {
    print(`﹣ ${name} # SKIP ${before.unavailable ?? after.unavailable}`);
    return { pass: 0, fail: 0, skipped: 1 };
  }
  const diff = differences(before, after);
  if (diff.length === 0) {
    print(`✔ ${name}`);
    return { pass: 1, fail: 0, skipped: 0 };
  }
  print(`✖ ${name}: ${diff.length} difference(s)\n  ${diff.join('\n  ')}`);
  return { pass: 0, fail: 1, skipped: 0 };
}
