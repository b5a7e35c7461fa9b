// Pure parsing of the run form: the command line, the environment (typed, or read from a .env file the
// way `docker run --env-file` reads it), the port rows and the volume rows.
import type { RunContainerRequest } from '../../../../electron/contract/index.ts';

type Ports = NonNullable<RunContainerRequest['ports']>;
type Volumes = NonNullable<RunContainerRequest['volumes']>;

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

export interface EnvLines {
  /** `KEY=value`, in order. */
  env: string[];
  /** Names given without `=`: docker takes those from its own environment, which the app does not have. */
  bare: string[];
}

/**
 * Reads `KEY=value` lines as the docker CLI reads an env file: a UTF-8 BOM and leading blanks dropped,
 * blank lines and lines starting with `#` skipped, the value kept exactly (no quotes removed, no
 * trimming), a name with blanks in it refused.
 */
export function parseEnvLines(text: string, source = 'the environment'): EnvLines {
  const out: EnvLines = { env: [], bare: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq >= 0 ? line.slice(0, eq) : line;
    if (/\s/.test(name))
      throw new Error(`line ${i + 1} of ${source}: variable '${name}' contains whitespaces`);
    if (!name) throw new Error(`line ${i + 1} of ${source}: no variable name in '${line}'`);
    if (eq >= 0) out.env.push(`${name}=${line.slice(eq + 1)}`);
    else out.bare.push(name);
  });
  return out;
}

/** The environment field: as an env file, except that a name without a value is a mistake there. */
export function parseEnvField(text: string): string[] {
  const { env, bare } = parseEnvLines(text);
  if (bare.length) throw new Error(`invalid environment entry "${bare[0]}": use KEY=value`);
  return env;
}

export interface PortRow {
  host: string;
  container: string;
  protocol: 'tcp' | 'udp';
}

function portNumber(value: string, what: string, row: number): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw new Error(`port row ${row}: invalid ${what} "${value.trim()}": use a number from 1 to 65535`);
  return n;
}

/**
 * The port rows as `-p` options: an empty row is ignored, an empty host port means a random one.
 * One container port may take several host ports; the same mapping twice is a mistake.
 */
export function parsePortRows(rows: PortRow[]): Ports {
  const out: Ports = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (!r.host.trim() && !r.container.trim()) return;
    if (!r.container.trim()) throw new Error(`port row ${i + 1}: the container port is missing`);
    const containerPort = portNumber(r.container, 'container port', i + 1);
    const hostPort = r.host.trim() ? portNumber(r.host, 'host port', i + 1) : undefined;
    const spec = `${hostPort ? `${hostPort}:` : ''}${containerPort}/${r.protocol}`;
    if (seen.has(spec)) throw new Error(`the port mapping ${spec} is listed twice`);
    seen.add(spec);
    out.push({ containerPort, ...(hostPort ? { hostPort } : {}), protocol: r.protocol });
  });
  return out;
}

export interface VolumeRow {
  /** An existing volume, a new one made by name, or a folder of the host. */
  kind: 'volume' | 'new' | 'host';
  source: string;
  target: string;
  readOnly: boolean;
}

/** The volume rows as `-v` options; an empty row is ignored. */
export function parseVolumeRows(rows: VolumeRow[]): Volumes {
  const out: Volumes = [];
  rows.forEach((r, i) => {
    const source = r.source.trim();
    const target = r.target.trim();
    if (!source && !target) return;
    if (!source)
      throw new Error(
        `volume row ${i + 1}: ${r.kind === 'host' ? 'the host path' : 'the volume name'} is missing`,
      );
    if (r.kind === 'host' && !source.startsWith('/'))
      throw new Error(`volume row ${i + 1}: the host path "${source}" must be absolute`);
    if (r.kind !== 'host' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source))
      throw new Error(
        `volume row ${i + 1}: invalid volume name "${source}": letters, digits, _ . - (two or more)`,
      );
    if (!target.startsWith('/') || target.includes(':'))
      throw new Error(`volume row ${i + 1}: the container path "${target}" must be absolute`);
    out.push({ source, target, ...(r.readOnly ? { readOnly: true } : {}) });
  });
  return out;
}

/** `80/tcp` → a row publishing that port on a random host port. */
export function rowForExposed(port: string): PortRow {
  const [n, proto] = port.split('/');
  return { host: '', container: n, protocol: proto === 'udp' ? 'udp' : 'tcp' };
}
