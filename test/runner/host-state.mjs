// The host's state that tests and benchmarks must leave as they found it: the names of the links
// (`ip -o link show`), the iptables rules and chains of the filter and nat tables (`iptables -S`), the
// mount points, the entries of the temporary directory, and the processes an engine or a container
// runs. Recorded before the suites and compared after; any difference is listed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

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

/** Mount points from /proc/self/mountinfo text (the fifth field, octal escapes kept). */
export function mountPoints(text) {
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter(Boolean)
    .sort();
}

/**
 * What the tools the tests run keep in the temporary directory on purpose, across runs: tsx's, jiti's
 * and Node's compile caches, the image fixtures and the VM tests' kernel (built once, reused), and hidden
 * entries (browsers' and X's sockets). Everything else a run makes there it removes.
 */
export const keptInTmp = [
  /^\./,
  /^tsx-\d+$/,
  /^node-compile-cache$/,
  /^jiti$/,
  /^berth-image-fixtures$/,
  /^berth-vm-machine-kernel$/,
];

function tmpEntries() {
  return readdirSync(os.tmpdir())
    .filter((n) => !keptInTmp.some((re) => re.test(n)))
    .sort();
}

/** Programs of an engine, its runtimes and the services tests start, by their process name. */
const enginePrograms =
  /^(berthd|conmon|runc|crun|dockerd|containerd|containerd-shim.*|docker-proxy|qemu-system-.*|etcd|registry|docker-registry|chromium|chrome)$/;

/**
 * Processes of engines and containers, as `pid command line`: the programs above, a Node running berthd, and
 * any process in a mount namespace other than this one's (a container's).
 */
function processes() {
  const self = readlinkSync('/proc/self/ns/mnt');
  const out = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!cmd) continue; // a kernel thread
      const mnt = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (enginePrograms.test(name) || /berthd\.js/.test(cmd) || mnt !== self)
        out.push(`${pid} ${cmd.slice(0, 160)}`);
    } catch {
      // Gone while being read.
    }
  }
  return out.sort();
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
  return {
    links: linkNames(links),
    filter: lines(filter),
    nat: lines(nat),
    mounts: mountPoints(readFileSync('/proc/self/mountinfo', 'utf8')),
    tmp: tmpEntries(),
    processes: processes(),
  };
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
  compare('mount', before.mounts ?? [], after.mounts ?? []);
  compare(os.tmpdir(), before.tmp ?? [], after.tmp ?? []);
  compare('process', before.processes ?? [], after.processes ?? []);
  return out;
}

/**
 * The closing check as one test: `{ pass, fail, skipped }` and the line printed for it.
 * @param {ReturnType<typeof snapshot>} before
 * @param {(line: string) => void} print where the result line goes
 */
export function checkHost(before, after = snapshot(), print = console.log) {
  const name =
    'the host is left as found (links, iptables filter and nat, mounts, temporary files, processes)';
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
