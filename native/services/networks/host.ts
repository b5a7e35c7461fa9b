import { existsSync, promises as fs } from 'node:fs';
import { lockHost } from '../../core/host-lock.ts';
import type { Sys } from '../../core/sys.ts';
import type { Prefix } from '../../network/ipam.ts';
import {
  configureSandbox,
  deleteLink,
  deleteNetns,
  type EndpointLink,
  enableForwarding,
  ensureBridge,
  linkExists,
} from '../../network/link.ts';
import { type PortProxy, type ProxyTarget, startProxy } from '../../network/proxy.ts';
import { hostResolvConf, type ResolvConf } from '../../network/resolv-conf.ts';

export type SandboxPlan = {
  netns: string;
  create: boolean;
  loopback?: boolean;
  endpoints: EndpointLink[];
  /** Other namespaces pinned with a new network namespace, as unshare flags (`--ipc=FILE`). */
  pins?: string[];
};

/**
 * What the network modules ask of the host: links and namespaces (iproute2), sysctls, the host's
 * routes and resolv.conf, and sockets for published ports. One seam, so that the modules' unit tests
 * hand them a fake that records what would have been done; `hostNet` is the real thing.
 */
export interface NetHost {
  /** A bridge with its gateway address, up (an existing one is reused). */
  ensureBridge(name: string, gatewayCidr: string, mtu: number): Promise<void>;
  /** Deletes a link; a missing one is no error. */
  deleteLink(name: string): Promise<void>;
  linkExists(name: string): Promise<boolean>;
  netnsExists(file: string): Promise<boolean>;
  deleteNetns(file: string): Promise<void>;
  /** The namespace and/or veths of a container, and host rules for its published ports, in one go. */
  configureSandbox(plan: SandboxPlan & { hostRules?: string }): Promise<void>;
  enableForwarding(): Promise<void>;
  /** Whether the host has IPv6 (published ports then bind `::` too). */
  ipv6(): Promise<boolean>;
  /** The prefixes of the host's IPv4 routes (except the default route), which new subnets avoid. */
  routes(): Promise<Prefix[]>;
  /**
   * Holds the host-wide lock under which an engine picks a subnet and puts its bridge up, so that two
   * engines started at once never take the same one (each would read the host's routes before either
   * bridge is there). Answers its release.
   */
  lockSubnets(): Promise<() => Promise<void>>;
  resolvConf(): Promise<ResolvConf>;
  /** Binds a host port and relays it to the container (the userland proxy). */
  startProxy(t: ProxyTarget): Promise<PortProxy>;
}

/** Where the host-wide subnet lock lives. */
export const subnetLock = '/run/berth-subnets.lock';

export function hostNet(sys: Sys): NetHost {
  return {
    ensureBridge: (name, cidr, mtu) => ensureBridge(sys, name, cidr, mtu),
    deleteLink: (name) => deleteLink(sys, name),
    linkExists,
    netnsExists: async (file) => existsSync(file),
    deleteNetns: (file) => deleteNetns(sys, file),
    configureSandbox: (plan) => configureSandbox(sys, plan),
    enableForwarding,
    ipv6: () =>
      fs.readFile('/proc/net/if_inet6', 'utf8').then(
        (t) => t.trim().length > 0,
        () => false,
      ),
    routes: async () => parseRoutes(await fs.readFile('/proc/net/route', 'utf8').catch(() => '')),
    lockSubnets: () =>
      lockHost(subnetLock, {
        busy: (holder, file) =>
          `another engine on this host (pid ${holder}) holds ${file} while it sets up its networks`,
      }),
    resolvConf: hostResolvConf,
    startProxy,
  };
}

/** The prefixes of /proc/net/route's lines (little-endian hex), leaving out default routes. */
export function parseRoutes(text: string): Prefix[] {
  const out: Prefix[] = [];
  const le = (hex: string) => {
    const n = Number.parseInt(hex, 16);
    return (
      (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | ((n >>> 24) & 255)) >>> 0
    );
  };
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const m = le(f[7]);
    if (m === 0) continue;
    const bits = 32 - Math.log2(2 ** 32 - m);
    out.push({ base: le(f[1]), bits: Math.round(bits) });
  }
  return out;
}
