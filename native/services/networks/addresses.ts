import { AddressAllocator, makePool, type Prefix, parseCidr, parseIPv4 } from '../../network/ipam.ts';
import type { NetworkRecord } from './store.ts';

/**
 * The address pool of each network, made on first use from its IPAM config. Nothing of it is on
 * disk: at start the engine claims again the addresses its running containers hold.
 */
export class AddressPools {
  private readonly allocators = new Map<string, AddressAllocator>();

  of(n: NetworkRecord): AddressAllocator {
    let a = this.allocators.get(n.Id);
    if (!a) {
      const c = n.IPAM.Config[0];
      a = new AddressAllocator(makePool(c.Subnet, c.Gateway, c.IPRange));
      this.allocators.set(n.Id, a);
    }
    return a;
  }

  /** Gives an address back (a no-op for a network whose pool was never used, or an empty address). */
  release(networkId: string, address: string): void {
    const ip = parseIPv4(address);
    if (ip !== undefined) this.allocators.get(networkId)?.release(ip);
  }

  /** The network is gone. */
  forget(networkId: string): void {
    this.allocators.delete(networkId);
  }
}

/** The prefixes a new network's subnet must avoid: those of our networks and of the host's routes. */
export function usedPrefixes(networks: NetworkRecord[], hostRoutes: Prefix[]): Prefix[] {
  const ours = networks
    .flatMap((n) => n.IPAM.Config.map((c) => parseCidr(c.Subnet)))
    .map((c) => ({ base: c.base, bits: c.bits }));
  return [...ours, ...hostRoutes];
}
