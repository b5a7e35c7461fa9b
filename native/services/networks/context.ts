import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { Sys } from '../../core/sys.ts';
import type { Firewall } from '../../network/firewall.ts';
import type { ContainerRecord } from '../containers/model.ts';
import type { ContainerStore } from '../containers/store.ts';
import type { EventBus } from '../events.ts';
import { AddressPools } from './addresses.ts';
import type { NetHost } from './host.ts';
import type { NetworkRecord, NetworkStore } from './store.ts';

export interface NetworkOptions {
  /** Linux bridge of the default network; `none` disables the default bridge. */
  bridge?: string;
  /** Gateway/prefix of the default bridge, e.g. 172.17.0.1/16. */
  bip?: string;
  iptables: boolean;
  /** Default DNS servers of containers. */
  dns: string[];
}

/** The iptables side of networks: the daemon's own chains, rules appended and removed in batches. */
export type PacketFilter = Pick<Firewall, 'chains' | 'init' | 'append' | 'remove'>;

/** The address containers reach the embedded DNS server at, as with Docker. */
export const dnsAddress = '127.0.0.11';

/**
 * What the network modules share: the network records, the containers, the host seam, the firewall
 * (dropped when iptables turns out unusable at start), the address pools, and the events they emit.
 */
export class NetworkContext {
  readonly pools = new AddressPools();

  constructor(
    readonly parts: {
      sys: Sys;
      log: Logger;
      clock: Clock;
      events: EventBus;
      store: ContainerStore;
      networks: NetworkStore;
      host: NetHost;
      execRoot: string;
      options: NetworkOptions;
      /** Keeps this daemon's bridges and chains apart from another daemon's on the host. */
      tag: string;
    },
    public firewall: PacketFilter | undefined,
  ) {}

  get log(): Logger {
    return this.parts.log;
  }
  get clock(): Clock {
    return this.parts.clock;
  }
  get store(): ContainerStore {
    return this.parts.store;
  }
  get networks(): NetworkStore {
    return this.parts.networks;
  }
  get host(): NetHost {
    return this.parts.host;
  }
  get options(): NetworkOptions {
    return this.parts.options;
  }

  /** The bind-mounted namespace file of a container (it outlives berthd: live restore). */
  netnsPath(id: string): string {
    return path.join(this.parts.execRoot, 'netns', id);
  }

  /** The containers with an active endpoint on a network (what stops rm and prune). */
  usersOf(n: NetworkRecord): ContainerRecord[] {
    return this.store
      .all()
      .filter((c) => Object.values(c.Endpoints ?? {}).some((e) => e.NetworkID === n.Id && e.IPAddress));
  }

  emit(n: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.parts.events.emit({
      Type: 'network',
      Action: action,
      Actor: { ID: n.Id, Attributes: { name: n.Name, type: n.Driver, ...extra } },
    });
  }
}
