import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { daemonTag } from '../../native/services/networks/service.ts';

/**
 * What the test daemons may change on the host's network, and how each test puts it back: a test
 * removes only the links, chains and rules it made (the host may run its own Docker, whose docker0
 * and DOCKER chains are the user's), and a setting it changed goes back to the value it found.
 */

function sh(script: string): { code: number; out: string } {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  return { code: r.status ?? 1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

export function linkExists(name: string): boolean {
  return existsSync(path.join('/sys/class/net', name));
}

/** The IPv4 prefixes the host routes to (not the default route), which a test bridge must avoid. */
function routedPrefixes(): Array<{ base: number; bits: number }> {
  const text = existsSync('/proc/net/route') ? readFileSync('/proc/net/route', 'utf8') : '';
  const le = (hex: string) => {
    const n = Number.parseInt(hex, 16);
    return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
  };
  const out: Array<{ base: number; bits: number }> = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const mask = le(f[7]);
    if (mask === 0) continue;
    out.push({ base: le(f[1]), bits: 32 - Math.round(Math.log2(2 ** 32 - mask)) });
  }
  return out;
}

function overlaps(a: { base: number; bits: number }, b: { base: number; bits: number }): boolean {
  const bits = Math.min(a.bits, b.bits);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
}

/**
 * Creates a bridge for a reference dockerd (`dockerd --bridge <name>`): dockerd then neither creates
 * nor deletes docker0. Its /24 lies in 10.200.0.0/13 and overlaps no route of the host.
 */
export function createTestBridge(name: string): { name: string; cidr: string } {
  const used = routedPrefixes();
  for (let attempt = 0; attempt < 64; attempt++) {
    const b = 200 + Math.floor(Math.random() * 8);
    const c = Math.floor(Math.random() * 256);
    const base = ((10 << 24) | (b << 16) | (c << 8)) >>> 0;
    if (used.some((u) => overlaps(u, { base, bits: 24 }))) continue;
    const cidr = `10.${b}.${c}.1/24`;
    const r = sh(
      `ip link add name ${name} type bridge && ip addr add ${cidr} dev ${name} && ip link set ${name} up`,
    );
    if (r.code !== 0) {
      removeLink(name);
      throw new Error(`cannot create test bridge ${name}: ${r.out.trim()}`);
    }
    return { name, cidr };
  }
  throw new Error('no free /24 in 10.200.0.0/13 for a test bridge');
}

export function removeLink(name: string): void {
  if (linkExists(name)) spawnSync('ip', ['link', 'del', name]);
}

/** The bridges in a berthd's network records (its default bridge and those of user-defined networks). */
function berthdBridges(dataRoot: string): string[] {
  const dir = path.join(dataRoot, 'network');
  if (!existsSync(dir)) return [];
  const names: string[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const rec = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { BridgeName?: string };
      if (rec.BridgeName) names.push(rec.BridgeName);
    } catch {
      // A record half written by a killed daemon names nothing.
    }
  }
  return names;
}

/**
 * Removes what a test berthd's networking leaves on the host once it stopped (berthd, like dockerd,
 * keeps its bridges and iptables chains across restarts): the bridges of its network records (default
 * and user-defined), the chains whose names carry its tag and the jumps to them, its netns mounts.
 * `dataRoot` defaults to `data` beside the exec root, the harness's layout.
 */
export function cleanupNetwork(execRoot: string, dataRoot = path.join(path.dirname(execRoot), 'data')): void {
  const tag = daemonTag(execRoot);
  // Without a tag the chains are the ones of the berthd of /run/berth, the user's own: never touched.
  if (!tag) return;
  const script = `
for t in nat filter; do
  iptables -w -t $t -S | grep -E -- "^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j BERTH[A-Z0-9-]*${tag}$" | sed 's/^-A/-D/' | while read -r r; do iptables -w -t $t $r; done
  for c in $(iptables -w -t $t -S | awk '/^-N BERTH/ {print $2}' | grep -E -- "${tag}$"); do iptables -w -t $t -F $c; done
  for c in $(iptables -w -t $t -S | awk '/^-N BERTH/ {print $2}' | grep -E -- "${tag}$"); do iptables -w -t $t -X $c; done
done
`;
  spawnSync('sh', ['-c', script]);
  for (const name of new Set([`bt0${tag}`, `bks${tag}`, ...berthdBridges(dataRoot)])) removeLink(name);
  const netns = path.join(execRoot, 'netns');
  if (existsSync(netns)) spawnSync('sh', ['-c', `for f in ${netns}/*; do umount -l "$f" 2>/dev/null; done`]);
}

function readSysctl(key: string): string | undefined {
  const p = path.join('/proc/sys', key);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
}

function rulesOf(table: 'filter' | 'nat'): string[] {
  return sh(`iptables -w -t ${table} -S`).out.split('\n').filter(Boolean);
}

/** What a reference dockerd with iptables may change, noted before it starts so it can be undone. */
export interface DockerdFirewallScope {
  /** Whether the reference dockerd may run with --iptables=true (else it must run with false). */
  iptables: boolean;
  /** Why not, for the benchmark's output. */
  why?: string;
  /** Removes the DOCKER chains and rules this dockerd added; settings it changed go back. */
  restore(bridge: string): void;
}

/**
 * dockerd has no chain suffix: with --iptables=true it deletes and rewrites the DOCKER chains at
 * start, so on a host whose own Docker holds them it would break that Docker. It may run with iptables
 * only when no DOCKER chain exists; then every DOCKER chain and rule that exists afterwards is its own.
 */
export function scopeDockerdFirewall(): DockerdFirewallScope {
  const tables = ['filter', 'nat'] as const;
  const before = Object.fromEntries(tables.map((t) => [t, new Set(rulesOf(t))])) as Record<
    (typeof tables)[number],
    Set<string>
  >;
  const held = [...before.filter, ...before.nat].filter((r) => /^-N DOCKER/.test(r));
  const sysctls = [
    'net/ipv4/ip_forward',
    'net/bridge/bridge-nf-call-iptables',
    'net/bridge/bridge-nf-call-ip6tables',
  ];
  const settings = new Map(sysctls.map((k) => [k, readSysctl(k)]));
  if (held.length) {
    return {
      iptables: false,
      why: `the host's own Docker holds ${held.map((r) => r.slice(3)).join(', ')}`,
      restore() {},
    };
  }
  return {
    iptables: true,
    restore(bridge) {
      const mine = (rule: string) =>
        rule.includes('DOCKER') || rule.includes(` ${bridge} `) || rule.endsWith(` ${bridge}`);
      for (const t of tables) {
        const now = rulesOf(t);
        // Rules first (jumps into the chains), then the chains, emptied, then deleted.
        for (const r of now.filter((r) => r.startsWith('-A ') && !before[t].has(r) && mine(r)))
          sh(`iptables -w -t ${t} ${r.replace(/^-A/, '-D')}`);
        for (const r of now.filter((r) => r.startsWith('-P ') && !before[t].has(r))) {
          const chain = r.split(' ')[1];
          const was = [...before[t]].find((b) => b.startsWith(`-P ${chain} `));
          if (was) sh(`iptables -w -t ${t} ${was}`);
        }
        const chains = now
          .filter((r) => r.startsWith('-N DOCKER') && !before[t].has(r))
          .map((r) => r.slice(3));
        for (const c of chains) sh(`iptables -w -t ${t} -F ${c}`);
        for (const c of chains) sh(`iptables -w -t ${t} -X ${c}`);
      }
      for (const [k, was] of settings) {
        if (was !== undefined && readSysctl(k) !== was) sh(`echo ${was} > /proc/sys/${k}`);
      }
    },
  };
}
