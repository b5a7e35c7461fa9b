import type { PortMapping, VolumeFileEntry } from '../../../electron/contract/index.ts';

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

export interface PortLink {
  /** `8080→80/tcp`, or `80/tcp` when not published. */
  label: string;
  privatePort: number;
  type: string;
  /** Where a browser reaches a published TCP port. */
  url?: string;
}

const anyAddress = new Set(['', '0.0.0.0', '::', '127.0.0.1', '::1']);

/** Each port once (Docker lists the IPv4 and IPv6 bindings of one port apart), published ones first. */
export function portLinks(ports: PortMapping[]): PortLink[] {
  const out: PortLink[] = [];
  const seen = new Set<string>();
  for (const p of ports) {
    const label = p.publicPort ? `${p.publicPort}→${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`;
    if (seen.has(label)) continue;
    seen.add(label);
    const host = anyAddress.has(p.ip ?? '') ? 'localhost' : p.ip?.includes(':') ? `[${p.ip}]` : p.ip;
    const url = p.publicPort && p.type === 'tcp' ? `http://${host}:${p.publicPort}` : undefined;
    out.push({ label, privatePort: p.privatePort, type: p.type, ...(url ? { url } : {}) });
  }
  return out.sort((a, b) => Number(!a.url) - Number(!b.url));
}

/** `drwxr-xr-x`, as `ls -l` writes it (with s, S, t and T for setuid, setgid and sticky). */
export function formatMode(type: VolumeFileEntry['type'], mode: number): string {
  const kind = { dir: 'd', symlink: 'l', file: '-', other: '?' }[type];
  const triple = (shift: number, special: boolean, letter: string) => {
    const bits = (mode >> shift) & 7;
    const x = bits & 1;
    const exec = special ? (x ? letter : letter.toUpperCase()) : x ? 'x' : '-';
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${exec}`;
  };
  return (
    kind +
    triple(6, (mode & 0o4000) !== 0, 's') +
    triple(3, (mode & 0o2000) !== 0, 's') +
    triple(0, (mode & 0o1000) !== 0, 't')
  );
}

let dateTime: Intl.DateTimeFormat | undefined;

/**
 * The locale's date and time, as `toLocaleString()` writes them, made once: the first one loads the
 * locale's data (some 35 ms), which a screen's first render should not pay.
 */
function dateTimeFormat(): Intl.DateTimeFormat {
  dateTime ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return dateTime;
}

/** Loads the locale's date data now (the app calls it once idle after its start). */
export function warmFormats(): void {
  dateTimeFormat();
}

export function formatTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const d = new Date(typeof iso === 'number' ? iso * 1000 : iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTimeFormat().format(d);
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Bytes as the docker CLI writes them (go-units' HumanSize: four significant digits, `4.26MB`). */
export function dockerSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < decimalUnits.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${decimalUnits[i]}`;
}

/** How long, in the words of `docker ps` ("Up 3 minutes"): go-units' HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** "5 minutes ago", as `docker ps` says how long ago (go-units' HumanDuration), from epoch seconds. */
export function formatAgo(epochSeconds: number, nowMs = Date.now()): string {
  return `${humanDuration(Math.max(0, nowMs - epochSeconds * 1000))} ago`;
}

/** formatAgo of an RFC 3339 time (volumes and networks give their creation so). */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  return formatAgo(t / 1000, now);
}

/** `2026-03-10 14:05`, local time: short enough for a column of dates. */
export function formatShortTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
