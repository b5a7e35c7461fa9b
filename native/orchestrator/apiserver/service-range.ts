// The cluster's service range, chosen once per data root clear of the host's routes (a VPN's or a
// Docker network's 10.96.0.0/12 would otherwise swallow ClusterIPs) and kept in
// <data-root>/kubernetes/service-cidr, since stored Services carry addresses from it.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../core/fsutil.ts';
import { lockHost } from '../../core/host-lock.ts';
import { parseCidr } from './service-alloc.ts';

/** Kubernetes' default first, then k3s's, then private ranges rarely routed. */
export const serviceCidrCandidates = [
  '10.96.0.0/12',
  '10.43.0.0/16',
  '172.29.0.0/16',
  '10.152.0.0/16',
  '10.245.0.0/16',
  '172.26.0.0/16',
  '192.168.240.0/20',
];

/** The destinations of /proc/net/route (hex, little-endian) as CIDRs; the default route is left out. */
export function parseRouteTable(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = Number.parseInt(f[1], 16);
    const mask = Number.parseInt(f[7], 16);
    if (!mask) continue;
    const ip = [0, 8, 16, 24].map((s) => (dest >>> s) & 0xff).join('.');
    const bits = [0, 8, 16, 24].reduce((n, s) => n + popcount((mask >>> s) & 0xff), 0);
    out.push(`${ip}/${bits}`);
  }
  return out;
}

const popcount = (b: number) => b.toString(2).replace(/0/g, '').length;

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

/** The first candidate no route overlaps (the first one if all are taken: it still works in pods). */
export function chooseServiceCidr(routes: string[], candidates = serviceCidrCandidates): string {
  return candidates.find((c) => !routes.some((r) => overlaps(c, r))) ?? candidates[0];
}

/** Every IPv4 address of the host's links as a /32 (another cluster's ClusterIPs among them). */
export function localAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => `${a!.address}/32`);
}

/** Where the host-wide lock lives while a cluster chooses its range and puts its addresses up. */
export const serviceRangeLock = '/run/berth-service-ranges.lock';

/** Takes the host-wide lock under which a cluster chooses its range; answers its release. */
export function lockServiceRanges(file = serviceRangeLock, timeoutMs = 60_000): Promise<() => Promise<void>> {
  return lockHost(file, {
    timeoutMs,
    busy: (holder) =>
      `another cluster on this host (pid ${holder}) holds ${file} while it chooses its service range`,
  });
}

/**
 * Where the clusters of this host note the range each data root keeps (`<cidr> <dir>` lines), under
 * the lock: a cluster turned off takes its addresses down, and a cluster choosing meanwhile would
 * otherwise take its range, which the first one then finds in use when it is turned on again.
 */
export const serviceRangesFile = '/run/berth-service-ranges';

async function readNoted(file: string): Promise<{ cidr: string; dir: string }[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => /^(\S+) (.+)$/.exec(l.trim()))
    .flatMap((m) => (m ? [{ cidr: m[1], dir: m[2] }] : []));
}

/**
 * The range this data root uses: the one kept, or a new choice, kept. The choice stays clear of the
 * host's routes, of every address the host has, and of the ranges other data roots that still exist
 * have noted in `noted` — so a second cluster on the machine (another data root) picks a range of its
 * own, whether the first one runs or not. Without `noted`, nothing is noted or read.
 */
export async function serviceCidrFor(
  dir: string,
  routeTable = '/proc/net/route',
  addresses = localAddresses(),
  noted?: string,
): Promise<string> {
  const file = path.join(dir, 'service-cidr');
  const kept = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  const others = noted
    ? (await readNoted(noted)).filter((n) => n.dir !== dir && existsSync(path.join(n.dir, 'service-cidr')))
    : [];
  let chosen = kept;
  if (!chosen) {
    const routes = [
      ...parseRouteTable(await fs.readFile(routeTable, 'utf8').catch(() => '')),
      ...addresses,
      ...others.map((n) => n.cidr),
    ];
    chosen = chooseServiceCidr(routes);
    await writeFileAtomic(file, `${chosen}\n`, 0o644);
  }
  if (noted) {
    const lines = [...others, { cidr: chosen, dir }].map((n) => `${n.cidr} ${n.dir}\n`).join('');
    await writeFileAtomic(noted, lines, 0o644, false);
  }
  return chosen;
}
