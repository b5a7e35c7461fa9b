import { conflict } from '../../core/errors.ts';
import type { ContainerNetwork } from '../containers/hooks.ts';
import type { ContainerRecord } from '../containers/model.ts';
import type { ContainerStore } from '../containers/store.ts';

/** Networks of containers. (Interim: a private namespace with loopback only, host, none, container:.) */
export class NetworkService implements ContainerNetwork {
  constructor(private readonly store: ContainerStore) {}

  async prepare(_rec: ContainerRecord, _networkingConfig: unknown): Promise<void> {}

  async attach(rec: ContainerRecord) {
    const mode = rec.HostConfig.NetworkMode;
    if (mode === 'host') return { mode: 'host' as const };
    if (mode.startsWith('container:')) {
      const other = this.store.get(mode.slice('container:'.length));
      if (other.State.Status !== 'running')
        throw conflict(`cannot join network of a non running container: ${other.Id}`);
      return { mode: 'path' as const, path: `/proc/${other.State.Pid}/ns/net` };
    }
    return { mode: 'none' as const };
  }

  async detach(_rec: ContainerRecord): Promise<void> {}

  async release(_rec: ContainerRecord): Promise<void> {}

  ports(_rec: ContainerRecord): object[] {
    return [];
  }

  view(rec: ContainerRecord): object {
    const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    const networks: Record<string, object> = {};
    if (mode === 'host' || mode === 'none') {
      networks[mode] = {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        MacAddress: '',
        NetworkID: mode,
        EndpointID: '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DriverOpts: null,
        DNSNames: null,
      };
    }
    return {
      Bridge: '',
      SandboxID: '',
      SandboxKey: rec.State.Pid ? `/proc/${rec.State.Pid}/ns/net` : '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: {} as Record<string, unknown>,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: '',
      Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      MacAddress: '',
      Networks: networks,
    };
  }
}
