import { readFileSync } from 'node:fs';
import { invalid } from '../core/errors.ts';

/** Every Linux capability, in kernel order: bit n of a capability mask is allCapabilities[n]. */
export const allCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities Docker gives a container by default. */
export const defaultCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const known = new Set(allCapabilities);

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` → `CAP_NET_ADMIN`; `all` → `ALL`; unknown → Docker's error. */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!known.has(full)) throw invalid(`unknown capability: "${full}"`);
  return full;
}

/**
 * Docker's --cap-add/--cap-drop over a base set: `--cap-add ALL` gives every capability but the dropped
 * ones, `--cap-drop ALL` keeps only the added ones, otherwise drop from the base, then add. The result
 * is in kernel bit order.
 */
export function applyCapChanges(
  base: readonly string[],
  add: readonly string[],
  drop: readonly string[],
): string[] {
  const adds = add.map(normalizeCapability);
  const drops = drop.map(normalizeCapability);
  let caps: Set<string>;
  if (adds.includes('ALL')) caps = new Set(allCapabilities.filter((c) => !drops.includes(c)));
  else if (drops.includes('ALL')) caps = new Set(adds);
  else caps = new Set([...base.filter((c) => !drops.includes(c)), ...adds]);
  return allCapabilities.filter((c) => caps.has(c));
}

/** The capability mask as /proc/<pid>/status prints it (`CapBnd:\t00000000a80425fb`). */
export function capMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = allCapabilities.indexOf(c);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

/** Capabilities in this process's bounding set, from /proc/self/status. */
export function ownBoundingSet(status = readFileSync('/proc/self/status', 'utf8')): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return [...allCapabilities];
  const mask = BigInt(`0x${m[1]}`);
  return allCapabilities.filter((_c, bit) => (mask >> BigInt(bit)) & 1n);
}
