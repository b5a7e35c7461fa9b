// Networks: the list, create, remove and prune.
import type { ChannelList } from './channel-list.ts';
import type { IdRequest } from './containers.ts';

export interface NetworkEndpoint {
  containerId: string;
  containerName: string;
  /** Without the prefix length, e.g. `172.30.0.2`. */
  ipv4?: string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: string;
  /** The first IPv4 subnet and gateway of its IPAM configuration. */
  subnet?: string;
  gateway?: string;
  internal: boolean;
  /** bridge, host and none: the engine's own, which cannot be removed. */
  builtin: boolean;
  created?: string;
  containers: NetworkEndpoint[];
}

export interface CreateNetworkRequest {
  name: string;
  /** IPv4 CIDR, e.g. `172.30.0.0/24`; the engine picks one when absent. */
  subnet?: string;
  gateway?: string;
  internal?: boolean;
}

export interface NetworksInvoke {
  'networks.list': { req: undefined; res: NetworkSummary[] };
  'networks.create': { req: CreateNetworkRequest; res: { id: string } };
  'networks.remove': { req: IdRequest; res: undefined };
  'networks.prune': { req: undefined; res: { deleted: string[] } };
}

export const networksChannels: ChannelList<NetworksInvoke> = {
  'networks.list': true,
  'networks.create': true,
  'networks.remove': true,
  'networks.prune': true,
};
