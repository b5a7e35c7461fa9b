import { invalid } from '../core/errors.ts';

/** An IPv4 prefix: the network address as an unsigned 32-bit number and the prefix length. */
export interface Prefix {
  base: number;
  bits: number;
}

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses `a.b.c.d/n`. With `strict`, host bits must be zero (as Docker requires of a subnet). */
export function parseCidr(s: string): Prefix & { addr: number } {
  const [ip, len, extra] = s.split('/');
  const addr = parseIPv4(ip ?? '');
  const bits = Number(len);
  if (addr === undefined || extra !== undefined || !/^\d{1,2}$/.test(len ?? '') || bits > 32) {
    throw invalid(`invalid CIDR address: ${s}`);
  }
  return { base: (addr & mask(bits)) >>> 0, bits, addr };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv4(p.base)}/${p.bits}`;
}

export function size(p: Prefix): number {
  return 2 ** (32 - p.bits);
}

export function contains(p: Prefix, ip: number): boolean {
  return (ip & mask(p.bits)) >>> 0 === p.base;
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & mask(bits)) >>> 0 === (b.base & mask(bits)) >>> 0;
}

/** Docker's default address pools: 172.17–31.0.0/16, then 192.168.0.0/16 cut into /20s. */
export function defaultPools(): Prefix[] {
  const out: Prefix[] = [];
  for (let b = 17; b <= 31; b++) out.push({ base: parseIPv4(`172.${b}.0.0`) as number, bits: 16 });
  for (let c = 0; c < 256; c += 16) out.push({ base: parseIPv4(`192.168.${c}.0`) as number, bits: 20 });
  return out;
}

/** The first pool that overlaps none of `used` (existing networks and the host's routes). */
export function pickSubnet(used: Prefix[], pools = defaultPools()): Prefix {
  for (const p of pools) if (!used.some((u) => overlaps(u, p))) return p;
  throw invalid(
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
}

/** The IPAM configuration of one network, as Docker's IPAM.Config entry describes it. */
export interface Pool {
  subnet: Prefix;
  gateway: number;
  /** Addresses handed out dynamically come from this range (default: the whole subnet). */
  range: Prefix;
}

export function makePool(subnet: string, gateway?: string, ipRange?: string): Pool {
  const sn = parseCidr(subnet);
  // A subnet with host bits set is accepted; the network address is kept, as Docker does.
  if (sn.bits > 30) throw invalid(`invalid subnet ${subnet}: it must be /30 or larger`);
  const subnetPrefix: Prefix = { base: sn.base, bits: sn.bits };
  let gw = sn.base + 1;
  if (gateway) {
    const g = parseIPv4(gateway);
    if (g === undefined) throw invalid(`invalid gateway address ${gateway}`);
    if (!contains(subnetPrefix, g)) throw invalid(`no matching subnet for gateway ${gateway}`);
    if (g === sn.base || g === sn.base + size(subnetPrefix) - 1)
      throw invalid(`failed to allocate gateway (${gateway}): Address already in use`);
    gw = g;
  }
  let range = subnetPrefix;
  if (ipRange) {
    const r = parseCidr(ipRange);
    range = { base: r.base, bits: r.bits };
    if (!contains(subnetPrefix, range.base) || range.bits < subnetPrefix.bits) {
      throw invalid(`no matching subnet for range ${ipRange}`);
    }
  }
  return { subnet: subnetPrefix, gateway: gw >>> 0, range };
}

/**
 * Hands out addresses of one pool. The allocator keeps no state of its own on disk: the engine
 * rebuilds it from the containers it knows (their endpoints hold their addresses).
 */
export class AddressAllocator {
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly pool: Pool) {
    this.next = pool.range.base;
  }

  private reserved(ip: number): boolean {
    const p = this.pool.subnet;
    return ip === p.base || ip === p.base + size(p) - 1 || ip === this.pool.gateway;
  }

  /** Marks an address as taken (at start-up, from records). */
  claim(ip: number): void {
    this.used.add(ip);
  }

  /** A specific address: it must be in the subnet and free. */
  request(ip: number): number {
    if (!contains(this.pool.subnet, ip))
      throw invalid(
        `no available IPv4 addresses on this network's address pools: ${formatIPv4(ip)} is not in ${formatPrefix(this.pool.subnet)}`,
      );
    if (this.reserved(ip) || this.used.has(ip)) throw invalid(`Address already in use`);
    this.used.add(ip);
    return ip;
  }

  /** The next free address of the range, in order and wrapping, as Docker's bitmap allocator does. */
  allocate(): number {
    const r = this.pool.range;
    const n = size(r);
    for (let i = 0; i < n; i++) {
      const ip = r.base + ((this.next - r.base + i) % n);
      if (this.reserved(ip) || this.used.has(ip)) continue;
      this.used.add(ip);
      this.next = ip + 1;
      return ip >>> 0;
    }
    throw invalid("no available IPv4 addresses on this network's address pools");
  }

  release(ip: number): void {
    this.used.delete(ip);
  }

  get inUse(): number {
    return this.used.size;
  }
}

/** A MAC address derived from the IPv4 address, as Docker does: 02:42:a.b.c.d. */
export function macFor(ip: number): string {
  const b = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function isValidMac(s: string): boolean {
  return /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(s);
}
