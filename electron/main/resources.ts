// Volumes and networks: read-only lists for now.
import type { NetworkSummary, VolumeSummary } from '../contract/index.ts';
import type { EngineClient } from './engine-client.ts';
import type { InvokeHandlers } from './handlers.ts';

export function resourceHandlers(
  client: EngineClient,
): Pick<InvokeHandlers, 'volumes.list' | 'networks.list'> {
  return {
    async 'volumes.list'(): Promise<VolumeSummary[]> {
      const res = await client.docker.listVolumes();
      return (res.Volumes ?? []).map((v) => ({ name: v.Name, driver: v.Driver, mountpoint: v.Mountpoint }));
    },
    async 'networks.list'(): Promise<NetworkSummary[]> {
      const nets = await client.docker.listNetworks();
      return nets.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, scope: n.Scope }));
    },
  };
}
