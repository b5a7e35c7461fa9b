import { readFileSync } from 'node:fs';

/**
 * Failed connections in Go's words. dockerd and the kubelet are Go programs, so these are the
 * messages docker and kubectl users know and search for (`dial tcp 127.0.0.1:5000: connect:
 * connection refused`), where Node would say `connect ECONNREFUSED 127.0.0.1:5000`.
 */

const connectWords: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ETIMEDOUT: 'i/o timeout',
};

type NetError = NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };

/** `host:port` as Go joins them: an IPv6 address goes in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The first nameserver of resolv.conf, as Go's resolver names the server it asked; 127.0.0.1:53 without one. */
export function firstNameserver(resolvConf: string): string {
  const m = /^\s*nameserver\s+(\S+)/m.exec(resolvConf);
  return joinHostPort(m?.[1] ?? '127.0.0.1', 53);
}

let nameserver: string | undefined;
function systemNameserver(): string {
  if (nameserver === undefined) {
    try {
      nameserver = firstNameserver(readFileSync('/etc/resolv.conf', 'utf8'));
    } catch {
      nameserver = firstNameserver('');
    }
  }
  return nameserver;
}

/**
 * A dial's failure as Go words it, or undefined when the error is not one of a dial. `network` is
 * Go's network name (`tcp`, `tcp4`); `to` is the address dialled, for errors that do not carry it.
 */
export function goDialError(
  err: unknown,
  opts: { network?: string; to?: { host: string; port: number }; nameserver?: string } = {},
): string | undefined {
  const e = err as NetError;
  const network = opts.network ?? 'tcp';
  if (!e || typeof e.code !== 'string') return undefined;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    const host = e.hostname ?? opts.to?.host ?? '';
    const server = opts.nameserver ?? systemNameserver();
    const what = e.code === 'ENOTFOUND' ? 'no such host' : 'server misbehaving';
    return `dial ${network}: lookup ${host} on ${server}: ${what}`;
  }
  const words = connectWords[e.code];
  if (!words || (e.syscall !== undefined && e.syscall !== 'connect')) return undefined;
  const host = e.address ?? opts.to?.host;
  const port = e.port ?? opts.to?.port;
  if (host === undefined || port === undefined) return undefined;
  return `dial ${network} ${joinHostPort(host, port)}: ${words}`;
}
