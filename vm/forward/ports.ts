// Which host ports to forward: the engine's published ports, read from its own API, turned into the
// addresses the host listens on and the guest addresses they reach.

export type Proto = 'tcp' | 'udp';

/**
 * One port the host should listen on: the seam every source of ports goes through (containers now,
 * the cluster's LoadBalancer and NodePort Services later). `guestHost`/`guestPort` say where it goes in
 * the guest (default: the guest's 127.0.0.1 and the same port).
 */
export interface WantedPort {
  proto: Proto;
  hostIp: string;
  port: number;
  guestHost?: string;
  guestPort?: number;
}

export const portKey = (p: Pick<WantedPort, 'proto' | 'hostIp' | 'port'>): string =>
  `${p.proto}/${p.hostIp}:${p.port}`;

/**
 * The host address for an address the engine bound in the guest: a loopback address stays itself
 * (each LoadBalancer and `-p 127.0.0.2:…` keeps its own), anything else — 0.0.0.0, ::, '' or an
 * address of the guest's own network — is the host's 127.0.0.1, since the VM's ports belong to the
 * user alone, never to the host's network.
 */
export function hostAddressFor(engineIp: string): string {
  return /^127\.\d+\.\d+\.\d+$/.test(engineIp) ? engineIp : '127.0.0.1';
}

/** Where in the guest a binding is reached: the wildcard ones at its loopback, the others where bound. */
export function guestAddressFor(engineIp: string): string {
  if (engineIp === '' || engineIp === '0.0.0.0' || engineIp === '::') return '127.0.0.1';
  return engineIp.includes(':') ? '127.0.0.1' : engineIp;
}

function wanted(proto: string, engineIp: string, hostPort: number): WantedPort | undefined {
  if (proto !== 'tcp' && proto !== 'udp') return undefined; // SCTP does not cross SSH.
  if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) return undefined;
  return { proto, hostIp: hostAddressFor(engineIp), port: hostPort, guestHost: guestAddressFor(engineIp) };
}

/** Deduplicates by host address (a port bound on both 0.0.0.0 and :: is one host listener). */
function unique(list: WantedPort[]): WantedPort[] {
  const m = new Map<string, WantedPort>();
  for (const p of list) if (!m.has(portKey(p))) m.set(portKey(p), p);
  return [...m.values()];
}

/** `Ports` of one entry of `GET /containers/json`. */
export interface SummaryPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export function portsOfSummary(ports: SummaryPort[] | null | undefined): WantedPort[] {
  const out: WantedPort[] = [];
  for (const p of ports ?? []) {
    if (!p.PublicPort) continue;
    const w = wanted(p.Type, p.IP ?? '', p.PublicPort);
    if (w) out.push(w);
  }
  return unique(out);
}

/** The parts of `GET /containers/{id}/json` that say what it publishes now. */
export interface InspectPorts {
  State?: { Running?: boolean; Paused?: boolean; Restarting?: boolean };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null };
}

export function portsOfInspect(c: InspectPorts): WantedPort[] {
  if (!c.State?.Running) return [];
  const out: WantedPort[] = [];
  for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const proto = key.split('/')[1] ?? 'tcp';
    for (const b of bindings ?? []) {
      const w = wanted(proto, b.HostIp ?? '', Number(b.HostPort));
      if (w) out.push(w);
    }
  }
  return unique(out);
}

export interface PortDiff {
  add: WantedPort[];
  remove: WantedPort[];
}

/** What changes from one set of wanted ports to the next (by host address, protocol and port). */
export function diffPorts(before: Iterable<WantedPort>, after: Iterable<WantedPort>): PortDiff {
  const a = new Map([...before].map((p) => [portKey(p), p]));
  const b = new Map([...after].map((p) => [portKey(p), p]));
  const changed = (x: WantedPort, y: WantedPort) =>
    (x.guestHost ?? '127.0.0.1') !== (y.guestHost ?? '127.0.0.1') ||
    (x.guestPort ?? x.port) !== (y.guestPort ?? y.port);
  const add: WantedPort[] = [];
  const remove: WantedPort[] = [];
  for (const [k, p] of a) {
    const q = b.get(k);
    if (!q || changed(p, q)) remove.push(p);
  }
  for (const [k, p] of b) {
    const q = a.get(k);
    if (!q || changed(q, p)) add.push(p);
  }
  return { add, remove };
}
