import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../core/spawner.ts';
import { runOk, type Sys } from '../core/sys.ts';

/**
 * Links and namespaces through iproute2, one process per step (a batch where it can). A network
 * namespace is a file bind-mounted by `unshare --net=FILE`, so it outlives the daemon (live restore).
 */

export async function deleteNetns(sys: Sys, file: string): Promise<void> {
  const r = await sys.run('umount', ['--lazy', file]);
  if (r.code !== 0 && !/not mounted|no mount point|No such file/i.test(r.stderr)) {
    throw new Error(`umount ${file}: ${r.stderr.trim()}`);
  }
  rmSync(file, { force: true });
}

/**
 * The empty file a namespace is bind-mounted on (by `unshare --net=FILE`, `--ipc=FILE`), in a folder
 * of its own: berthd's own files, made with synchronous calls (core/fsutil.ts says why).
 */
export function makeMountPoint(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, '', { mode: 0o600 });
}

export async function linkExists(name: string): Promise<boolean> {
  return existsSync(`/sys/class/net/${name}`);
}

async function sysctl(key: string, value: string): Promise<void> {
  await fs.writeFile(`/proc/sys/${key.replaceAll('.', '/')}`, value).catch(() => undefined);
}

/** A random locally administered unicast MAC address. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** `addr_assign_type` of a link whose address was set by the user (NET_ADDR_SET). */
const addrSet = '3';

/**
 * A Linux bridge with the gateway address, up. Existing bridges are reused (daemon restart).
 *
 * The bridge's MAC address is fixed, as Docker's: a bridge whose address the kernel chose takes the
 * lowest address among its ports, so a container joining with a lower one would change the gateway's
 * address under every other container, whose ARP caches then send to the old one for many seconds
 * (their DNS queries to the gateway time out meanwhile).
 */
/** A name the kernel takes for a link (IFNAMSIZ, no whitespace or '/'), and safe in an `ip -batch` line. */
export function validLinkName(name: string): boolean {
  return /^[^\s/]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

export async function ensureBridge(sys: Sys, name: string, gatewayCidr: string, mtu = 1500): Promise<void> {
  if (!validLinkName(name)) throw new Error(`invalid bridge name "${name}"`);
  // One `ip -batch` for all the steps: a boot under emulation pays a tenth of a second per process.
  const steps: string[] = [];
  if (!(await linkExists(name))) {
    steps.push(`link add name ${name} mtu ${mtu} address ${randomMac()} type bridge`);
  } else {
    // A bridge made before its address was fixed: pin the one it has now.
    const dir = `/sys/class/net/${name}`;
    const assigned = (await fs.readFile(`${dir}/addr_assign_type`, 'utf8').catch(() => addrSet)).trim();
    if (assigned !== addrSet) {
      const mac = (await fs.readFile(`${dir}/address`, 'utf8')).trim();
      steps.push(`link set dev ${name} address ${mac}`);
    }
  }
  steps.push(`addr replace ${gatewayCidr} dev ${name}`, `link set ${name} up`);
  await runOk(sys, 'ip', ['-batch', '-'], { input: `${steps.join('\n')}\n` });
  // Loopback traffic to published ports is DNATed into the bridge; the kernel only routes it with this.
  await sysctl(`net/ipv4/conf/${name}/route_localnet`, '1');
}

export async function deleteLink(sys: Sys, name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  const r = await sys.run('ip', ['link', 'del', name]);
  if (r.code !== 0 && (await linkExists(name))) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

export async function enableForwarding(): Promise<void> {
  await sysctl('net/ipv4/ip_forward', '1');
}

export interface EndpointLink {
  /** The namespace file of the container. */
  netns: string;
  /** Host side of the veth pair, enslaved to the bridge. */
  hostIf: string;
  /** Name inside the container: eth0, eth1… */
  ifName: string;
  bridge: string;
  ip: string;
  prefixLen: number;
  mac: string;
  /** Sets the default route through this gateway (the container's first network). */
  defaultGateway?: string;
  mtu?: number;
  /** Sends 127.0.0.11:53 (Docker's embedded DNS address) to the daemon's DNS server. */
  dns?: { address: string; port: number };
}

/**
 * Sets up a container's network in one shell run when rules go inside (each process costs several ms):
 * optionally the namespace itself, then per endpoint a veth pair with one end in the namespace, the
 * addresses and routes inside, the DNS redirect, and finally the host's rules for published ports.
 */
export async function configureSandbox(
  sys: Sys,
  opts: {
    netns: string;
    create: boolean;
    loopback?: boolean;
    endpoints: EndpointLink[];
    hostRules?: string;
    /** Other namespaces to pin with a new one, as unshare flags (`--ipc=FILE`): their files are made. */
    pins?: string[];
  },
): Promise<void> {
  const ns = opts.netns;
  let script = 'set -e\n';
  const pins = opts.pins ?? [];
  if (opts.create) {
    for (const file of [ns, ...pins.map((pin) => pin.slice(pin.indexOf('=') + 1))]) makeMountPoint(file);
    // Only the namespace: no shell needed.
    if (!opts.endpoints.length && !opts.loopback && !opts.hostRules) {
      await runOk(sys, 'unshare', [`--net=${ns}`, ...pins, 'true']);
      return;
    }
    script += `unshare --net=${ns} ${pins.map(shellQuote).join(' ')} true\n`;
  }
  const host: string[] = [];
  const inside: string[] = (opts.loopback ?? opts.create) ? ['link set lo up'] : [];
  let insideRules = '';
  for (const ep of opts.endpoints) {
    const mtu = String(ep.mtu ?? 1500);
    host.push(
      `link add ${ep.hostIf} mtu ${mtu} type veth peer name ${ep.ifName} mtu ${mtu} address ${ep.mac} netns ${ns}`,
      `link set ${ep.hostIf} master ${ep.bridge} up`,
    );
    inside.push(`addr add ${ep.ip}/${ep.prefixLen} dev ${ep.ifName}`, `link set ${ep.ifName} up`);
    if (ep.defaultGateway) inside.push(`route add default via ${ep.defaultGateway} dev ${ep.ifName}`);
    if (ep.dns) {
      insideRules += `echo 1 > /proc/sys/net/ipv4/conf/${ep.ifName}/route_localnet\n`;
      insideRules += `iptables-restore --noflush <<'BERTH_DNS'\n${dnsRedirectRules(ep.dns, ep.ip).join('\n')}\nBERTH_DNS\n`;
    }
  }
  if (opts.create && !insideRules) {
    // A new namespace with nothing to redirect inside: made and set up by one `ip` under unshare, each
    // interface made inside with its peer sent to this namespace (berthd's), then put on its bridge.
    const here = `/proc/${process.pid}/ns/net`;
    const within = (opts.loopback ?? true) ? ['link set lo up'] : [];
    const hostSide: string[] = [];
    for (const ep of opts.endpoints) {
      const mtu = String(ep.mtu ?? 1500);
      within.push(
        `link add ${ep.ifName} mtu ${mtu} address ${ep.mac} type veth peer name ${ep.hostIf} mtu ${mtu} netns ${here}`,
        `addr add ${ep.ip}/${ep.prefixLen} dev ${ep.ifName}`,
        `link set ${ep.ifName} up`,
      );
      if (ep.defaultGateway) within.push(`route add default via ${ep.defaultGateway} dev ${ep.ifName}`);
      hostSide.push(`link set ${ep.hostIf} master ${ep.bridge} up`);
    }
    return runSteps(sys, opts, [
      ['unshare', [`--net=${ns}`, ...pins, 'ip', '-batch', '-'], within],
      hostSide.length ? ['ip', ['-batch', '-'], hostSide] : undefined,
    ]);
  }
  if (!opts.create && !insideRules) {
    // No redirect to set up inside: two or three processes of their own, not a shell that starts them
    // and a second shell in the namespace (a pod's sandbox, a container on the default bridge).
    return runSteps(sys, opts, [
      host.length ? ['ip', ['-batch', '-'], host] : undefined,
      inside.length ? ['nsenter', [`--net=${ns}`, 'ip', '-batch', '-'], inside] : undefined,
    ]);
  }
  if (host.length) script += `ip -batch - <<'BERTH_HOST'\n${host.join('\n')}\nBERTH_HOST\n`;
  if (inside.length || insideRules) {
    script += `nsenter --net=${ns} sh -e <<'BERTH_NS'\n`;
    if (inside.length) script += `ip -batch - <<'BERTH_IP'\n${inside.join('\n')}\nBERTH_IP\n`;
    script += `${insideRules}BERTH_NS\n`;
  }
  if (opts.hostRules) script += `iptables-restore --noflush <<'BERTH_FW'\n${opts.hostRules}BERTH_FW\n`;
  try {
    await runOk(sys, 'sh', ['-s'], { input: script });
  } catch (err) {
    for (const ep of opts.endpoints) await deleteLink(sys, ep.hostIf).catch(() => undefined);
    throw err;
  }
}

/**
 * Runs `ip -batch` steps in order (each given its lines), then the host's rules; a failure removes the
 * endpoints' host links before it is thrown.
 */
async function runSteps(
  sys: Sys,
  opts: { endpoints: EndpointLink[]; hostRules?: string },
  steps: Array<[cmd: string, args: string[], lines: string[]] | undefined>,
): Promise<void> {
  try {
    for (const step of steps) {
      if (!step) continue;
      const [cmd, args, lines] = step;
      await runOk(sys, cmd, args, { input: `${lines.join('\n')}\n` });
    }
    if (opts.hostRules) await runOk(sys, 'iptables-restore', ['--noflush'], { input: opts.hostRules });
  } catch (err) {
    for (const ep of opts.endpoints) await deleteLink(sys, ep.hostIf).catch(() => undefined);
    throw err;
  }
}

/** The nat rules inside a container's namespace that make 127.0.0.11:53 reach the daemon. */
export function dnsRedirectRules(dns: { address: string; port: number }, ownIp: string): string[] {
  const to = `${dns.address}:${dns.port}`;
  return [
    '*nat',
    `-A OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination ${to}`,
    `-A OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination ${to}`,
    `-A POSTROUTING -s 127.0.0.0/8 -d ${dns.address}/32 -j SNAT --to-source ${ownIp}`,
    'COMMIT',
  ];
}
