// Pure parsing of the run form's text fields.
import type { RunContainerRequest } from '../../../../electron/contract/index.ts';

/** Parses `8080:80, 53/udp` into port mappings; throws a message on bad input. */
export function parsePorts(s: string): NonNullable<RunContainerRequest['ports']> {
  return s
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((p) => {
      const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(p);
      if (!m) throw new Error(`invalid port mapping "${p}": use HOST:CONTAINER or CONTAINER`);
      return {
        hostPort: m[1] ? Number(m[1]) : undefined,
        containerPort: Number(m[2]),
        protocol: (m[3] as 'tcp' | 'udp' | undefined) ?? 'tcp',
      };
    });
}

/**
 * Parses `data:/data, /srv/site:/usr/share/html:ro` (a volume name or an absolute host path, then an
 * absolute path in the container, then optionally `ro` or `rw`); throws a message on bad input.
 */
export function parseVolumes(s: string): NonNullable<RunContainerRequest['volumes']> {
  return s
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((v) => {
      const m = /^([^:]+):(\/[^:]*)(?::(ro|rw))?$/.exec(v);
      if (!m) throw new Error(`invalid volume "${v}": use NAME:/path or /host/path:/path, optionally :ro`);
      return { source: m[1], target: m[2], ...(m[3] === 'ro' ? { readOnly: true } : {}) };
    });
}

/** Splits a command line into argv, honouring single and double quotes (no other shell syntax). */
export function splitCommand(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s'"]+)/g;
  let cur = '';
  let last = -1;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? '');
    if (m.index === last) cur += piece;
    else {
      if (last !== -1) out.push(cur);
      cur = piece;
    }
    last = re.lastIndex;
  }
  if (last !== -1) out.push(cur);
  return out;
}
