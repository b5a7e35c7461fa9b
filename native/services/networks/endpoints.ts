import { EngineError, invalid, notFound } from '../../core/errors.ts';
import { contains, isValidMac, parseCidr, parseIPv4 } from '../../network/ipam.ts';
import type { ContainerRecord, EndpointState } from '../containers/model.ts';
import { hasProcess } from '../containers/state.ts';
import type { NetworkContext } from './context.ts';
import { validatePorts } from './ports.ts';
import { isDefaultBridge } from './predefined.ts';
import type { Sandboxes } from './sandbox.ts';
import type { NetworkRecord } from './store.ts';

/**
 * A container's endpoints: which networks it joins, with which static address, aliases and MAC.
 * Checked and recorded at create (`prepare`) and by `network connect`/`disconnect`; addresses are
 * given at start, by the sandbox.
 */
export class Endpoints {
  constructor(
    private readonly ctx: NetworkContext,
    private readonly sandboxes: Pick<Sandboxes, 'plug' | 'unplug'>,
  ) {}

  /** At create: validates NetworkMode, NetworkingConfig, MAC and ports; records the endpoints. */
  async prepare(rec: ContainerRecord, networkingConfig: unknown): Promise<void> {
    const { networks, store } = this.ctx;
    const hc = rec.HostConfig;
    const mode = hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
    const epConfigs = endpointsConfig(networkingConfig);
    validatePorts(rec);
    const mac =
      typeof (rec.Config as { MacAddress?: unknown }).MacAddress === 'string'
        ? ((rec.Config as { MacAddress?: string }).MacAddress as string)
        : '';
    if (mac && !isValidMac(mac)) throw invalid(`invalid MAC address: ${mac}`);
    if (mode.startsWith('container:')) {
      // dockerd looks for the other container only at start (a 404 then).
      const other = store.find(mode.slice('container:'.length));
      if (other?.Id === rec.Id) throw invalid('cannot join own network');
      if (other) rec.HostConfig.NetworkMode = `container:${other.Id}`;
      rec.Endpoints = {};
      return;
    }
    const primary = networks.find(mode);
    // 400, not 404: a 404 on create makes the docker CLI pull the image.
    if (!primary) throw invalid(`network ${mode} not found`);
    if (primary.Driver === 'host' && Object.keys(hc.PortBindings ?? {}).length) {
      // Docker ignores published ports in the host's namespace (the CLI warns).
      hc.PortBindings = {};
    }
    const endpoints: Record<string, EndpointState> = {};
    const add = (n: NetworkRecord, cfg: Record<string, unknown> | undefined) => {
      if (endpoints[n.Name]) return;
      endpoints[n.Name] = endpointFor(n, cfg, n === primary ? mac : '');
    };
    add(primary, epConfigs[hc.NetworkMode] ?? epConfigs[primary.Name] ?? epConfigs[primary.Id]);
    for (const [ref, cfg] of Object.entries(epConfigs)) {
      const n = networks.find(ref === 'default' ? 'bridge' : ref);
      if (!n) throw invalid(`network ${ref} not found`);
      if (n.Driver !== 'bridge' && n !== primary)
        throw invalid(`container cannot be connected to network endpoints: ${mode}, ${n.Name}`);
      add(n, cfg);
    }
    rec.Endpoints = endpoints;
  }

  /** `network connect`: a running container gets the interface at once, a stopped one at its next start. */
  async connect(ref: string, body: Record<string, unknown>): Promise<void> {
    const { ctx } = this;
    const n = ctx.networks.get(ref);
    const cref = typeof body.Container === 'string' ? body.Container : '';
    const rec = ctx.store.get(cref);
    const mode = rec.HostConfig.NetworkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw new EngineError(
        'forbidden',
        `container sharing network namespace with another container or host cannot be connected to any other network`,
      );
    }
    if (n.Driver === 'null')
      throw new EngineError(
        'forbidden',
        'container cannot be connected to multiple networks with one of the networks in private (none) mode',
      );
    if (n.Driver !== 'bridge')
      throw new EngineError(
        'forbidden',
        `container cannot be disconnected from host network or connected to host network`,
      );
    if (Object.values(rec.Endpoints ?? {}).some((e) => e.NetworkID === n.Id)) {
      throw new EngineError(
        'forbidden',
        `endpoint with name ${rec.Name.slice(1)} already exists in network ${n.Name}`,
      );
    }
    const tmp = {
      ...rec,
      Endpoints: {} as Record<string, EndpointState>,
      HostConfig: { ...rec.HostConfig, NetworkMode: n.Name, PortBindings: {} },
    };
    await this.prepare(tmp as ContainerRecord, { EndpointsConfig: { [n.Name]: body.EndpointConfig ?? {} } });
    const ep = tmp.Endpoints[n.Name];
    rec.Endpoints = { ...(rec.Endpoints ?? {}), [n.Name]: ep };
    const running = hasProcess(rec.State.Status);
    if (running) {
      try {
        await this.sandboxes.plug(rec, n, ep);
      } catch (err) {
        delete rec.Endpoints[n.Name];
        throw err;
      }
    }
    await ctx.store.save(rec);
    // As dockerd: a container that is not running joins at its start, which is when the event comes.
    if (running) ctx.emit(n, 'connect', { container: rec.Id });
  }

  async disconnect(ref: string, body: Record<string, unknown>): Promise<void> {
    const { ctx } = this;
    const n = ctx.networks.get(ref);
    const cref = typeof body.Container === 'string' ? body.Container : '';
    const rec = ctx.store.find(cref);
    if (!rec) {
      if (body.Force === true) return;
      throw notFound(`No such container: ${cref}`);
    }
    const entry = Object.entries(rec.Endpoints ?? {}).find(([, e]) => e.NetworkID === n.Id);
    if (!entry)
      throw new EngineError('forbidden', `container ${rec.Id} is not connected to network ${n.Name}`);
    const [name, ep] = entry;
    if (n.Driver !== 'bridge')
      throw new EngineError(
        'forbidden',
        `container cannot be disconnected from host network or connected to host network`,
      );
    await this.sandboxes.unplug(n, ep);
    if (rec.Endpoints) delete rec.Endpoints[name];
    await ctx.store.save(rec);
    // dockerd reports a live endpoint's leave and then the disconnect itself: two events.
    if (ep.IPAddress) ctx.emit(n, 'disconnect', { container: rec.Id });
    ctx.emit(n, 'disconnect', { container: rec.Id });
  }
}

/** One endpoint as asked for: a static address only on a user subnet, aliases only off the default bridge. */
function endpointFor(n: NetworkRecord, cfg: Record<string, unknown> | undefined, mac: string): EndpointState {
  const ipam = (cfg?.IPAMConfig ?? null) as { IPv4Address?: string } | null;
  if (ipam?.IPv4Address) {
    if (!n.UserSubnet)
      throw invalid(
        'user specified IP address is supported only when connecting to networks with user configured subnets',
      );
    const ip = parseIPv4(ipam.IPv4Address);
    if (ip === undefined) throw invalid(`invalid IPv4 address: ${ipam.IPv4Address}`);
    if (!contains(parseCidr(n.IPAM.Config[0].Subnet), ip))
      throw invalid(`no configured subnet or ip-range contain the IP address ${ipam.IPv4Address}`);
  }
  const aliases = Array.isArray(cfg?.Aliases) ? (cfg.Aliases as string[]) : null;
  if (aliases?.length && isDefaultBridge(n))
    throw invalid('network-scoped alias is supported only for containers in user defined networks');
  const epMac = typeof cfg?.MacAddress === 'string' && cfg.MacAddress ? cfg.MacAddress : mac;
  if (epMac && !isValidMac(epMac)) throw invalid(`invalid MAC address: ${epMac}`);
  return {
    NetworkID: n.Id,
    EndpointID: '',
    IPAMConfig: ipam && Object.keys(ipam).length ? ipam : null,
    Aliases: aliases,
    MacAddress: epMac,
    DriverOpts: (cfg?.DriverOpts as Record<string, string>) ?? null,
    IPAddress: '',
    IPPrefixLen: 0,
    Gateway: '',
  };
}

function endpointsConfig(raw: unknown): Record<string, Record<string, unknown>> {
  if (!raw || typeof raw !== 'object') return {};
  const ec = (raw as { EndpointsConfig?: unknown }).EndpointsConfig;
  if (!ec || typeof ec !== 'object') return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(ec as Record<string, unknown>))
    out[k] = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return out;
}
