// Networks: list (with subnet, gateway and attached containers from each network's inspect, since
// Docker's list leaves Containers empty), create, remove, prune.
import type Docker from 'dockerode';
import type { CreateNetworkRequest, NetworkSummary } from '../../contract/index.ts';
import type { EngineClient } from '../engine/engine-client.ts';
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers } from '../ipc/handlers.ts';

type NetworkChannels = 'networks.list' | 'networks.create' | 'networks.remove' | 'networks.prune';

const builtin = new Set(['bridge', 'host', 'none']);
const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isCidr4(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  return rest.length === 0 && isIPv4(ip) && /^\d{1,2}$/.test(bits ?? '') && Number(bits) <= 32;
}

/** Checks a create request before it reaches the engine, so the UI gets a precise message. */
export function validateNetworkCreate(req: CreateNetworkRequest): void {
  const bad = (code: string, message: string) => new HandlerError('invalid_argument', code, message);
  if (!req.name?.trim()) throw bad('network.name_required', 'a network name is required');
  if (!namePattern.test(req.name)) {
    throw bad('network.bad_name', `invalid network name "${req.name}": use letters, digits, _ . -`);
  }
  if (req.subnet && !isCidr4(req.subnet)) {
    throw bad('network.bad_subnet', `invalid subnet "${req.subnet}": use IPv4 CIDR, e.g. 172.30.0.0/24`);
  }
  if (req.gateway && !req.subnet) throw bad('network.gateway_needs_subnet', 'a gateway needs a subnet');
  if (req.gateway && !isIPv4(req.gateway)) {
    throw bad('network.bad_gateway', `invalid gateway "${req.gateway}": use an IPv4 address`);
  }
}

export function toNetworkSummary(n: Docker.NetworkInspectInfo): NetworkSummary {
  const v4 = (n.IPAM?.Config ?? []).find((c) => c.Subnet && !c.Subnet.includes(':'));
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    scope: n.Scope,
    ...(v4?.Subnet ? { subnet: v4.Subnet } : {}),
    ...(v4?.Gateway ? { gateway: v4.Gateway } : {}),
    internal: n.Internal === true,
    builtin: builtin.has(n.Name),
    ...(n.Created ? { created: n.Created } : {}),
    containers: Object.entries(n.Containers ?? {})
      .map(([id, c]) => ({
        containerId: id,
        containerName: c.Name,
        ...(c.IPv4Address ? { ipv4: c.IPv4Address.replace(/\/\d+$/, '') } : {}),
      }))
      .sort((a, b) => a.containerName.localeCompare(b.containerName)),
  };
}

export function networkHandlers(client: EngineClient): Pick<InvokeHandlers, NetworkChannels> {
  return {
    async 'networks.list'(): Promise<NetworkSummary[]> {
      const list = await client.docker.listNetworks();
      const inspected = await Promise.all(
        list.map(
          (n) =>
            client.docker
              .getNetwork(n.Id)
              .inspect()
              // Removed between list and inspect: keep what the list said.
              .catch(() => n) as Promise<Docker.NetworkInspectInfo>,
        ),
      );
      return inspected.map(toNetworkSummary).sort((a, b) => a.name.localeCompare(b.name));
    },
    async 'networks.create'(req) {
      validateNetworkCreate(req);
      const created = await client.docker.createNetwork({
        Name: req.name,
        Driver: 'bridge',
        Internal: req.internal ?? false,
        ...(req.subnet
          ? {
              IPAM: {
                Driver: 'default',
                Config: [{ Subnet: req.subnet, Gateway: req.gateway || undefined }],
              },
            }
          : {}),
      });
      return { id: created.id };
    },
    async 'networks.remove'({ id }) {
      await client.docker.getNetwork(id).remove();
    },
    async 'networks.prune'() {
      const res = await client.docker.pruneNetworks();
      return { deleted: res.NetworksDeleted ?? [] };
    },
  };
}
