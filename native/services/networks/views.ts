import { sha256 } from '../../core/ids.ts';
import type { ContainerRecord } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { NetworkContext } from './context.ts';
import { portMap } from './ports.ts';
import { dnsNames, hasEmbeddedDns } from './resolver.ts';

/** `NetworkSettings` of `docker inspect`, in dockerd's key order (the CLI's templates read it as is). */
export function networkSettings(ctx: NetworkContext, rec: ContainerRecord): object {
  const running = hasProcess(rec.State.Status);
  const networks: Record<string, object> = {};
  const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
  for (const [name, ep] of Object.entries(rec.Endpoints ?? {})) {
    networks[name] = {
      IPAMConfig: ep.IPAMConfig,
      Links: null,
      Aliases: ep.Aliases,
      MacAddress: ep.MacAddress,
      DriverOpts: ep.DriverOpts,
      NetworkID: ep.NetworkID,
      EndpointID: ep.EndpointID,
      Gateway: ep.Gateway,
      IPAddress: ep.IPAddress,
      IPPrefixLen: ep.IPPrefixLen,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: hasEmbeddedDns(ctx.networks.find(ep.NetworkID)) ? dnsNames(rec, ep) : null,
    };
  }
  const def = rec.Endpoints?.bridge && mode === 'bridge' ? rec.Endpoints.bridge : undefined;
  const ns = ctx.netnsPath(rec.Id);
  const hasNs = running && Object.values(rec.Endpoints ?? {}).some((e) => e.HostIf);
  return {
    Bridge: '',
    SandboxID: hasNs ? sha256(ns).slice('sha256:'.length) : '',
    SandboxKey: hasNs
      ? ns
      : mode.startsWith('container:') || !running
        ? ''
        : rec.State.Pid
          ? `/proc/${rec.State.Pid}/ns/net`
          : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: portMap(rec),
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: def?.EndpointID ?? '',
    Gateway: def?.Gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: def?.IPAddress ?? '',
    IPPrefixLen: def?.IPPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: def?.MacAddress ?? '',
    Networks: networks,
  };
}
