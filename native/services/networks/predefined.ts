import { newId } from '../../core/ids.ts';
import { formatIPv4, formatPrefix, parseCidr, pickSubnet } from '../../network/ipam.ts';
import { usedPrefixes } from './addresses.ts';
import type { NetworkContext, NetworkOptions } from './context.ts';
import type { NetworkRecord } from './store.ts';

/**
 * The networks every engine has: `none`, `host` and the default `bridge` (unless `--bridge=none`).
 * Docker's default bridge differs from user-defined bridges: no embedded DNS, no aliases.
 */

export function isDefaultBridge(n: NetworkRecord): boolean {
  return n.Name === 'bridge' && n.Options['com.docker.network.bridge.default_bridge'] === 'true';
}

/** The Linux bridge of the default network: `--bridge`, else berth0 (bt0-<tag> for a daemon of its own). */
export function defaultBridgeName(options: Pick<NetworkOptions, 'bridge'>, tag: string): string {
  return options.bridge ?? (tag ? `bt0${tag}` : 'berth0');
}

/** A record with Docker's defaults, as `docker network inspect` shows a network. */
export function baseRecord(name: string, driver: NetworkRecord['Driver'], created: string): NetworkRecord {
  return {
    Name: name,
    Id: newId(),
    Created: created,
    Scope: 'local',
    Driver: driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Options: {},
    Labels: {},
  };
}

/**
 * Makes the predefined networks that are missing, and brings the default bridge's record in line with
 * the flags: `--bip` wins, else the subnet it had keeps its addresses, else a free pool is picked.
 */
export async function ensurePredefined(ctx: NetworkContext): Promise<void> {
  const { networks, options } = ctx;
  const now = new Date(ctx.clock.now()).toISOString();
  if (!networks.find('none')) await networks.save(baseRecord('none', 'null', now));
  if (!networks.find('host')) await networks.save(baseRecord('host', 'host', now));
  const existing = networks.all().find((n) => n.Name === 'bridge');
  if (options.bridge === 'none') {
    if (existing) await networks.delete(existing);
    return;
  }
  const bridge = defaultBridgeName(options, ctx.parts.tag);
  let subnet: string;
  let gateway: string;
  if (options.bip) {
    const c = parseCidr(options.bip);
    subnet = formatPrefix(c);
    gateway = formatIPv4(c.addr);
  } else if (existing?.IPAM.Config[0]) {
    ({ Subnet: subnet, Gateway: gateway } = existing.IPAM.Config[0]);
  } else {
    const p = pickSubnet(usedPrefixes(networks.all(), await ctx.host.routes()));
    subnet = formatPrefix(p);
    gateway = formatIPv4(p.base + 1);
  }
  const rec: NetworkRecord = existing ?? baseRecord('bridge', 'bridge', now);
  rec.IPAM = { Driver: 'default', Options: null, Config: [{ Subnet: subnet, Gateway: gateway }] };
  rec.BridgeName = bridge;
  rec.Options = {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': bridge,
    'com.docker.network.driver.mtu': '1500',
  };
  await networks.save(rec);
}
